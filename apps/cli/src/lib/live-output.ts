// Live output on the CLI: a job's chunks written raw to stdout/stderr as they come (waiting for
// the terminal or pipe to drain, so a slow reader slows the read from the daemon, never fills
// memory), and Ctrl-C while a job runs: the job is canceled and the CLI exits 130, as a shell does
// (docs/cli.md §2, §7.3, §7.5).
import type { MirageClient, OutputStreamName } from '@mirage-ts/protocol/client';

/** The exit code of a command ended by SIGINT. */
export const EXIT_INTERRUPTED = 130;

/** Writes one chunk (`data` as base64) to the matching stream; resolves once it is drained. */
export function writeChunk(stream: OutputStreamName, data: string): Promise<void> | undefined {
  const target = stream === 'stderr' ? process.stderr : process.stdout;
  if (target.write(Buffer.from(data, 'base64'))) return undefined;
  return new Promise((resolve) => target.once('drain', resolve));
}

/**
 * Until the returned function is called, SIGINT cancels the job (when its id is known), aborts
 * `controller` (closing any stream) and exits 130. A second Ctrl-C exits at once.
 */
export function cancelOnInterrupt(client: MirageClient, jobId: () => string | undefined, controller?: AbortController): () => void {
  let interrupted = false;
  const onInterrupt = (): void => {
    if (interrupted) process.exit(EXIT_INTERRUPTED);
    interrupted = true;
    const id = jobId();
    const canceled =
      id === undefined
        ? Promise.resolve()
        : client.cancelJob(id).then(
            () => undefined,
            () => undefined,
          );
    void canceled.then(() => {
      controller?.abort();
      // The same one line as any other verb ended by Ctrl-C (bin/run.js).
      process.stderr.write('interrupted\n');
      process.exit(EXIT_INTERRUPTED);
    });
  };
  process.on('SIGINT', onInterrupt);
  return () => void process.removeListener('SIGINT', onInterrupt);
}
