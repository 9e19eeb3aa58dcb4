// Writes a downloaded snapshot beside its destination and renames it into place only once complete,
// so a failed transfer never leaves a truncated tar or clobbers an existing file.
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { CliError } from './errors.js';

/**
 * Write buffer of a download: with the default 16 KB each socket read waits for its own file
 * write, which halves the throughput of a large snapshot (docs/benchmarks.md).
 */
export const DOWNLOAD_BUFFER_BYTES = 1024 * 1024;

export async function writeAtomically(
  destination: string,
  fill: (out: Writable) => Promise<unknown>,
): Promise<{ path: string; size: number }> {
  const path = resolve(destination);
  try {
    const parent = await stat(dirname(path));
    if (!parent.isDirectory()) throw new CliError(`not a directory: ${dirname(path)}`, 2);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`directory not found: ${dirname(path)}`, 2);
  }
  const partial = join(dirname(path), `.${basename(path)}.partial-${process.pid}`);
  try {
    await fill(createWriteStream(partial, { mode: 0o600, highWaterMark: DOWNLOAD_BUFFER_BYTES }));
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return { path, size: (await stat(path)).size };
}
