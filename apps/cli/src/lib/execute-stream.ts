// `mirage execute` on a terminal: the command's stdout and stderr printed raw as they come
// (POST .../execute?stream=true), the CLI ending with the command's exit code; Ctrl-C cancels it
// and exits 130. Piped or with --json, execute-run.ts answers JSON as before.
import { exitCodeFromResponse, type MirageClient } from '@mirage-ts/protocol/client';
import { parseEnvPairs } from './env-pairs.js';
import { CliError } from './errors.js';
import { cancelOnInterrupt, EXIT_INTERRUPTED, writeChunk } from './live-output.js';
import type { ExecuteFlags } from './execute-run.js';
import { readPipedStdin } from './stdin.js';

/** Streams the command's output to this terminal; resolves with the exit code to end with. */
export async function streamExecute(client: MirageClient, flags: ExecuteFlags): Promise<number> {
  const env = flags.env === undefined || flags.env.length === 0 ? undefined : parseEnvPairs(flags.env);
  const stdin = await readPipedStdin();
  const fields = {
    command: flags.command,
    ...(flags.session === undefined ? {} : { session_id: flags.session }),
    ...(flags.cwd === undefined ? {} : { cwd: flags.cwd }),
    ...(env === undefined ? {} : { env }),
    ...(stdin === undefined ? {} : { stdin }),
  };
  const controller = new AbortController();
  let jobId: string | undefined;
  // Installed before the request: a Ctrl-C before the answer's head still drops the connection,
  // which cancels the line on the daemon's side.
  const release = cancelOnInterrupt(client, () => jobId, controller);
  try {
    const stream = await client.executeStream(flags.workspace, fields, controller.signal);
    jobId = stream.jobId;
    for await (const record of stream.records) {
      if ('stream' in record) {
        await writeChunk(record.stream, record.data);
        continue;
      }
      if (record.status === 'canceled') return EXIT_INTERRUPTED;
      if (record.result === null) throw new CliError(`daemon error: ${record.error ?? `job ${record.status}`}`, 2);
      if (record.result.kind === 'io' && record.result.truncated === true)
        process.stderr.write('mirage: output truncated at the workspace limit (limits.max_output_bytes)\n');
      if (record.result.kind !== 'io') process.stdout.write(`${JSON.stringify(record.result, null, 2)}\n`);
      return exitCodeFromResponse(record.result);
    }
    throw new CliError('daemon error: the stream ended without a result', 2);
  } finally {
    release();
  }
}
