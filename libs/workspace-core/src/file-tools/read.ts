// Reads a byte range of a file. On a disk mount only the range is read from the host file (an
// fd opened at the confined real path, O_NOFOLLOW); on s3 a ranged GET fetches only the range;
// ram holds files in memory anyway.
import { constants, realpathSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { WorkspaceError } from '../errors.js';
import { mountOf, onPath, parseCount, resolveToolPath, type FileView } from './view.js';

export interface ReadRangeRequest {
  path: string;
  /** First byte to read (default 0); past the end reads nothing. */
  offset?: number | string;
  /** Bytes to read at most (default: to the end). */
  limit?: number | string;
}

export interface FileRange {
  path: string;
  /** The whole file's size. */
  size: number;
  offset: number;
  /** Bytes in `body`. */
  length: number;
  body: Readable;
}

/** Opens `length` bytes of `path` from `offset` (a file, not a directory). */
export async function openFileRange(view: FileView, path: string, offset: number, length: number): Promise<Readable> {
  if (length === 0) return Readable.from([]);
  const { mount, inner } = mountOf(view, path);
  if (mount.resource === 'disk' && typeof mount.config.root === 'string') {
    // realpath resolves symlinks inside the mount and refuses any that leave its root.
    const virtual = await onPath(path, () => mount.backend.realpath(inner));
    const host = join(realpathSync(mount.config.root), virtual);
    const handle = await onPath(path, () => open(host, constants.O_RDONLY | constants.O_NOFOLLOW));
    return handle.createReadStream({ start: offset, end: offset + length - 1 });
  }
  const ranged = mount.backend as { readRange?: (inner: string, offset: number, length: number) => Promise<Uint8Array> };
  if (mount.resource === 's3' && typeof ranged.readRange === 'function') {
    const bytes = await onPath(path, () =>
      (ranged.readRange as NonNullable<typeof ranged.readRange>).call(mount.backend, inner, offset, length),
    );
    return Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
  }
  const bytes = await onPath(path, () => view.fs.readFileBuffer(path));
  return Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset + offset, Math.min(length, Math.max(0, bytes.byteLength - offset)))]);
}

/** Byte range read: `offset`/`limit` are bytes (docs/file-tools.md explains why not lines). */
export async function readFileRange(view: FileView, request: ReadRangeRequest): Promise<FileRange> {
  const path = resolveToolPath(view, request.path);
  const offset = parseCount(request.offset, 'offset') ?? 0;
  const limit = parseCount(request.limit, 'limit');
  const stat = await onPath(path, () => view.fs.stat(path));
  if (stat.isDirectory) throw new WorkspaceError('invalid', `is a directory: ${path}`);
  const start = Math.min(offset, stat.size);
  const length = Math.min(stat.size - start, limit ?? Number.MAX_SAFE_INTEGER);
  return { path, size: stat.size, offset: start, length, body: await openFileRange(view, path, start, length) };
}
