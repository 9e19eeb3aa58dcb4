// Whole-file writes and exact-text edits. Both check the mount's effective mode first, so a
// read-only mount or session ceiling refuses with 403 before anything is read or changed.
import { randomBytes } from 'node:crypto';
import { constants, realpathSync } from 'node:fs';
import { lstat, open, rename, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { EditFileRequest, FileEdited, FileWritten } from '@mirage-ts/protocol';
import { WorkspaceError } from '../errors.js';
import { assertWritable, mountOf, onPath, resolveToolPath, type FileView } from './view.js';

/** Checks the target and creates missing parents; answers whether the file existed. */
async function prepareWrite(view: FileView, path: string): Promise<boolean> {
  assertWritable(view, path);
  if (path === '/') throw new WorkspaceError('invalid', 'is a directory: /');
  const existing = await view.fs.stat(path).catch(() => undefined);
  if (existing?.isDirectory) throw new WorkspaceError('invalid', `is a directory: ${path}`);
  const parent = posix.dirname(path);
  const parentStat = await view.fs.stat(parent).catch(() => undefined);
  if (parentStat === undefined) await onPath(parent, () => view.fs.mkdir(parent, { recursive: true }));
  else if (!parentStat.isDirectory) throw new WorkspaceError('invalid', `not a directory: ${parent}`);
  return existing !== undefined;
}

/** Writes `data` as the whole content of `path`, creating missing parent directories. */
export async function writeFileBytes(view: FileView, rawPath: string, data: Uint8Array): Promise<FileWritten> {
  const path = resolveToolPath(view, rawPath);
  const existed = await prepareWrite(view, path);
  await onPath(path, () => view.fs.writeFile(path, data));
  return { path, size: data.byteLength, created: !existed };
}

async function collect(input: AsyncIterable<Uint8Array>, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new WorkspaceError('too_large', `file too large: more than ${maxBytes} bytes`);
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return Buffer.concat(chunks);
}

/**
 * Streams into a disk file: a temporary file beside the target (in the parent's confined real
 * directory, O_EXCL|O_NOFOLLOW) renamed over it once complete, so a failed upload leaves the old
 * file as it was. Answers undefined when the target is a symlink (the backend writes those).
 */
async function streamToDisk(
  root: string,
  parentVirtual: string,
  name: string,
  input: AsyncIterable<Uint8Array>,
  maxBytes: number,
): Promise<number | undefined> {
  const directory = join(realpathSync(root), parentVirtual);
  const target = join(directory, name);
  if ((await lstat(target).catch(() => undefined))?.isSymbolicLink()) return undefined;
  const temporary = join(directory, `.mirage-write-${randomBytes(6).toString('hex')}`);
  const handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  let size = 0;
  try {
    for await (const chunk of input) {
      size += chunk.byteLength;
      if (size > maxBytes) throw new WorkspaceError('too_large', `file too large: more than ${maxBytes} bytes`);
      await handle.write(chunk);
    }
    await handle.close();
    await rename(temporary, target);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
  return size;
}

/**
 * Writes a stream as the whole content of `path`. Disk mounts get the bytes as they come (never
 * held whole); ram and s3 backends take a file in one piece, so the stream is collected first.
 */
export async function writeFileStream(
  view: FileView,
  rawPath: string,
  input: AsyncIterable<Uint8Array>,
  maxBytes: number,
): Promise<FileWritten> {
  const path = resolveToolPath(view, rawPath);
  const existed = await prepareWrite(view, path);
  const { mount, inner } = mountOf(view, path);
  if (mount.resource === 'disk' && typeof mount.config.root === 'string' && inner !== '/') {
    const parentVirtual = await onPath(path, () => mount.backend.realpath(posix.dirname(inner)));
    const root = mount.config.root;
    const size = await onPath(path, () => streamToDisk(root, parentVirtual, posix.basename(inner), input, maxBytes));
    if (size !== undefined) return { path, size, created: !existed };
  }
  const data = await collect(input, maxBytes);
  await onPath(path, () => view.fs.writeFile(path, data));
  return { path, size: data.byteLength, created: !existed };
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The file's text, or a 422 when it is not text (NUL bytes or invalid UTF-8). */
function textOf(bytes: Uint8Array, path: string): string {
  if (bytes.includes(0)) throw new WorkspaceError('unprocessable', `cannot edit a binary file: ${path}`);
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new WorkspaceError('unprocessable', `cannot edit a binary file (not valid UTF-8): ${path}`);
  }
}

function occurrences(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) count += 1;
  return count;
}

/** Replaces the one occurrence of `old_string` (every one with replace_all); refuses when it is absent or ambiguous. */
export async function editFile(view: FileView, request: EditFileRequest): Promise<FileEdited> {
  const path = resolveToolPath(view, request.path);
  const { old_string: old, new_string: replacement } = request;
  if (typeof old !== 'string' || old === '') throw new WorkspaceError('invalid', 'old_string must be a non-empty string');
  if (typeof replacement !== 'string') throw new WorkspaceError('invalid', 'new_string must be a string');
  if (old === replacement) throw new WorkspaceError('invalid', 'old_string and new_string are the same text');
  assertWritable(view, path);
  const stat = await onPath(path, () => view.fs.stat(path));
  if (stat.isDirectory) throw new WorkspaceError('invalid', `is a directory: ${path}`);
  const text = textOf(await onPath(path, () => view.fs.readFileBuffer(path)), path);
  const found = occurrences(text, old);
  if (found === 0) throw new WorkspaceError('unprocessable', `old text not found in ${path}`);
  if (found > 1 && request.replace_all !== true) {
    throw new WorkspaceError(
      'unprocessable',
      `old text occurs ${found} times in ${path}: add surrounding lines to make it unique, or use replace_all`,
    );
  }
  const updated = request.replace_all === true ? text.split(old).join(replacement) : text.replace(old, () => replacement);
  const bytes = Buffer.from(updated, 'utf8');
  await onPath(path, () => view.fs.writeFile(path, bytes));
  return { path, replacements: request.replace_all === true ? found : 1, size: bytes.byteLength };
}
