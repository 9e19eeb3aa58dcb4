// Crash-safe file writes for the daemon's state: the bytes go to a temporary file beside the
// target (created 0600, never readable by others even for a moment), are flushed to disk, then
// renamed over the target. A reader therefore sees the old file or the new one, never half of one;
// a `kill -9` mid-write leaves only a temporary file, which the next start removes.
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

let sequence = 0;

/** Temporary names made by writeFileAtomic (and the snapshot writer's `.partial-` files). */
export const TEMPORARY_NAME = /(^\..+\.tmp-\d+-\d+$)|(\.partial-\d+-\d+$)/;

export async function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  sequence += 1;
  const temporary = join(dirname(file), `.${basename(file)}.tmp-${process.pid}-${sequence}`);
  const handle = await open(temporary, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** True for "the disk is full" (or over quota), whether from fs (code) or libgit2 (message only). */
export function isNoSpaceError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return true;
  return /no space left on device|ENOSPC|disk quota exceeded/i.test(error.message);
}
