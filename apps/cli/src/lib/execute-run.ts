// `mirage execute`: one implementation behind both the oclif command and the oclif-free fast path.
import { exitCodeFromResponse, type JobAccepted, type JobResult, type MirageClient } from '@mirage-ts/protocol/client';
import { parseEnvPairs } from './env-pairs.js';
import { readPipedStdin } from './stdin.js';

export interface ExecuteFlags {
  workspace: string;
  command: string;
  session?: string;
  cwd?: string;
  env?: string[];
  bg?: boolean;
}

/** The daemon's answer, printed unchanged: the command's result, or the accepted job with --bg. */
export type ExecuteOutput = JobResult | JobAccepted;

export interface ExecuteOutcome {
  output: ExecuteOutput;
  exitCode: number;
}

export async function runExecute(client: MirageClient, flags: ExecuteFlags): Promise<ExecuteOutcome> {
  const env = flags.env === undefined || flags.env.length === 0 ? undefined : parseEnvPairs(flags.env);
  const fields = {
    command: flags.command,
    ...(flags.session === undefined ? {} : { session_id: flags.session }),
    ...(flags.cwd === undefined ? {} : { cwd: flags.cwd }),
    ...(env === undefined ? {} : { env }),
  };
  if (flags.bg) return { output: await client.executeInBackground(flags.workspace, fields), exitCode: 0 };
  // stdin is forwarded only when piped (never read from a terminal) and never for --bg.
  const stdin = await readPipedStdin();
  const { result } = await client.execute(flags.workspace, { ...fields, ...(stdin === undefined ? {} : { stdin }) });
  return { output: result, exitCode: exitCodeFromResponse(result) };
}
