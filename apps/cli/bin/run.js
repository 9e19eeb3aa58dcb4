#!/usr/bin/env node
// The `mirage` entry point. `--version` is answered from package.json and a clean `execute` argv by
// dist/fast-execute.js, both without loading oclif (they must cost little more than starting
// node); everything else runs oclif from its manifest.
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
// Ctrl-C ends any verb with 130 (docs/cli.md §3), one line on stderr and no stack. A command that
// owns Ctrl-C (it cancels its job first: src/lib/live-output.ts) has a listener of its own.
process.on('SIGINT', () => {
  if (process.listenerCount('SIGINT') > 1) return;
  process.stderr.write('interrupted\n');
  process.exit(130);
});

async function runOclif() {
  // Linked plugins are run from their compiled dist; oclif's warning about it is noise here.
  process.env.OCLIF_DISABLE_LINKED_ESM_WARNING ??= '1';
  const { run, flush, Errors } = await import('@oclif/core');
  try {
    await run(argv, import.meta.url);
    await flush();
  } catch (error) {
    if (error instanceof Errors.ExitError) {
      process.exitCode = error.oclif.exit;
      return;
    }
    // Errors outside a command (unknown command, bad plugin): one line, exit 2 as a usage error.
    const message = error instanceof Error ? error.message : String(error);
    const line = message
      .split('\n')[0]
      .replace(/^command (\S+) not found$/, (_m, id) => `unknown command: ${id.replaceAll(':', ' ')} (see: mirage --help)`);
    process.stderr.write(`${line}\n`);
    if (process.env.DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exitCode = error instanceof Errors.CLIError ? 2 : 1;
  }
}

if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${pkg.version ?? '0.0.0'}\n`);
} else {
  let handled = false;
  if (argv[0] === 'execute') {
    const { fastExecute } = await import('../dist/fast-execute.js');
    handled = await fastExecute(argv.slice(1));
  }
  if (!handled) await runOclif();
  // Keep-alive sockets or a stray timer must not hold the CLI open once the command is done.
  process.exit(process.exitCode ?? 0);
}
