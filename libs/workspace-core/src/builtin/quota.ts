// The `limits.max_bytes` quota of a workspace's ram mounts, shared by all of them. Usage is read
// from the backends themselves (what they hold now, so deletes and overwrites give space back);
// a write that would pass the cap fails with ENOSPC before anything is stored.
import type { IFileSystem } from '../engine.js';
import { fsError } from './errors.js';

/**
 * Bytes an in-memory backend holds. just-bash 3.4.2's InMemoryFs counts them itself
 * (`retainedBytes`, constant time); any other backend is measured file by file.
 */
async function heldBytes(backend: IFileSystem): Promise<number> {
  const held = (backend as unknown as { retainedBytes?: unknown }).retainedBytes;
  if (typeof held === 'number') return held;
  let total = 0;
  for (const path of backend.getAllPaths()) {
    const stat = await backend.lstat(path).catch(() => undefined);
    if (stat?.isFile === true) total += stat.size;
  }
  return total;
}

export class RamQuota {
  constructor(
    readonly maxBytes: number,
    private readonly backends: readonly IFileSystem[],
  ) {}

  /** Bytes held by the ram mounts together. */
  async used(): Promise<number> {
    let total = 0;
    for (const backend of this.backends) total += await heldBytes(backend);
    return total;
  }

  /** Throws ENOSPC when `bytes` more would not fit (a negative or zero growth always fits). */
  async reserve(bytes: number, path: string): Promise<void> {
    if (bytes <= 0) return;
    const used = await this.used();
    if (used + bytes > this.maxBytes) {
      throw fsError(
        'ENOSPC',
        `No space left on device, write '${path}' (limits.max_bytes ${this.maxBytes} reached: ${used} bytes used, ${bytes} more asked)`,
      );
    }
  }
}

/** Bytes `content` takes once stored (strings in the encoding they are written with). */
export function contentBytes(content: string | Uint8Array, encoding?: string): number {
  if (typeof content !== 'string') return content.byteLength;
  if (encoding === 'binary' || encoding === 'latin1' || encoding === 'ascii') return content.length;
  if (encoding === 'base64' || encoding === 'hex') return Buffer.byteLength(content, encoding);
  return Buffer.byteLength(content, 'utf8');
}
