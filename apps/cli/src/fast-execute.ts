// `mirage execute` without oclif: the hot path agents call in a loop, so it skips loading the
// framework (~100 ms). Only a clean, fully understood argv is handled here; anything else (help,
// unknown or malformed flags) returns false and oclif runs the command with its own messages.
import { parseArgs } from 'node:util';
import { deprecatedSettingWarnings, MirageClient, resolveClientSettings } from '@mirage-ts/protocol/client';
import { mapKnownError, mapUnexpectedError } from './lib/error-map.js';
import { runExecute, type ExecuteFlags } from './lib/execute-run.js';
import { streamExecute } from './lib/execute-stream.js';

const OPTIONS = {
  workspace: { type: 'string', short: 'w' },
  workspace_id: { type: 'string' },
  command: { type: 'string', short: 'c' },
  session: { type: 'string', short: 's' },
  session_id: { type: 'string' },
  cwd: { type: 'string' },
  env: { type: 'string', multiple: true },
  bg: { type: 'boolean' },
  background: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

/** The flags of a clean `execute` argv (after the `execute` word), or undefined. */
export function parseExecuteArgv(argv: string[]): ExecuteFlags | undefined {
  return parseExecuteCall(argv)?.flags;
}

/** The flags and whether --json was given, for a clean `execute` argv. */
export function parseExecuteCall(argv: string[]): { flags: ExecuteFlags; json: boolean } | undefined {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch {
    return undefined;
  }
  const pick = (a: string | undefined, b: string | undefined): string | undefined | false =>
    a !== undefined && b !== undefined ? false : (a ?? b);
  const workspace = pick(values.workspace, values.workspace_id);
  const session = pick(values.session, values.session_id);
  if (workspace === false || session === false || workspace === undefined || values.command === undefined) return undefined;
  const flags: ExecuteFlags = {
    workspace,
    command: values.command,
    ...(session === undefined ? {} : { session }),
    ...(values.cwd === undefined ? {} : { cwd: values.cwd }),
    ...(values.env === undefined ? {} : { env: values.env }),
    bg: Boolean(values.bg || values.background),
  };
  return { flags, json: values.json === true };
}

/** On a terminal (stdout), without --json or --bg, the output is streamed raw instead of answered as JSON. */
export const streamsToTerminal = (flags: ExecuteFlags, json: boolean): boolean =>
  process.stdout.isTTY === true && !json && flags.bg !== true;

/** Runs `execute` and returns true, or returns false to let oclif handle the argv. */
export async function fastExecute(argv: string[]): Promise<boolean> {
  const call = parseExecuteCall(argv);
  if (call === undefined) return false;
  const { flags, json } = call;
  try {
    const settings = resolveClientSettings(process.env);
    for (const warning of deprecatedSettingWarnings(process.env)) process.stderr.write(`warning: ${warning}\n`);
    const client = new MirageClient({ baseUrl: settings.url, token: settings.token });
    if (streamsToTerminal(flags, json)) {
      process.exitCode = await streamExecute(client, flags);
      return true;
    }
    const { output, exitCode } = await runExecute(client, flags);
    process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
    process.exitCode = exitCode;
  } catch (error) {
    const mapped = mapKnownError(error) ?? mapUnexpectedError(error);
    process.stderr.write(`${mapped.message}\n`);
    process.exitCode = mapped.code;
  }
  return true;
}
