// `env` and `printenv` that list only exported variables, as in bash. just-bash's own versions
// print every shell variable (`X=1; printenv X` printed 1). `env` with a command to run is left to
// just-bash's version.
import { defineCommand } from '../engine.js';
import type { Command } from '../engine.js';

type Context = Parameters<Command['execute']>[1];

function exported(ctx: Context): Record<string, string> {
  return { ...(ctx.exportedEnv ?? {}) };
}

function listing(vars: Record<string, string>, separator: string): string {
  return Object.entries(vars)
    .map(([key, value]) => `${key}=${value}${separator}`)
    .join('');
}

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

export const printenvCommand: Command = defineCommand('printenv', async (args, ctx) => {
  const vars = exported(ctx);
  const nul = args[0] === '-0' || args[0] === '--null';
  const names = nul ? args.slice(1) : args;
  const separator = nul ? '\0' : '\n';
  if (names.length === 0) return { stdout: listing(vars, separator), stderr: '', exitCode: 0 };
  let stdout = '';
  let exitCode = 0;
  for (const name of names) {
    if (Object.hasOwn(vars, name)) stdout += `${vars[name]}${separator}`;
    else exitCode = 1;
  }
  return { stdout, stderr: '', exitCode };
});

export const envCommand: Command = defineCommand('env', async (args, ctx) => {
  let vars = exported(ctx);
  let separator = '\n';
  let index = 0;
  for (; index < args.length; index += 1) {
    const arg = args[index];
    if (arg === '-i' || arg === '-' || arg === '--ignore-environment') vars = {};
    else if (arg === '-0' || arg === '--null') separator = '\0';
    else if (arg === '-u' || arg === '--unset') {
      index += 1;
      delete vars[args[index] ?? ''];
    } else if (arg.startsWith('--unset=')) delete vars[arg.slice('--unset='.length)];
    else if (arg === '--') {
      index += 1;
      break;
    } else break;
  }
  for (; index < args.length && ASSIGNMENT.test(args[index]); index += 1) {
    const eq = args[index].indexOf('=');
    vars[args[index].slice(0, eq)] = args[index].slice(eq + 1);
  }
  // A command to run: just-bash's env runs it (with the assignments and options given).
  if (index < args.length && ctx.origCommand !== undefined) return ctx.origCommand(args);
  return { stdout: listing(vars, separator), stderr: '', exitCode: 0 };
});
