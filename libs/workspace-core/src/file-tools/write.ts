// Whole-file writes and exact-text edits. Both check the mount's effective mode first, so a
// read-only mount or session ceiling refuses with 403 before anything is read or changed.
import { posix } from 'node:path';
import type { EditFileRequest, FileEdited, FileWritten } from '@mirage-ts/protocol';
import { WorkspaceError } from '../errors.js';
import { assertWritable, onPath, resolveToolPath, type FileView } from './view.js';

/** Writes `data` as the whole content of `path`, creating missing parent directories. */
export async function writeFileBytes(view: FileView, rawPath: string, data: Uint8Array): Promise<FileWritten> {
  const path = resolveToolPath(view, rawPath);
  assertWritable(view, path);
  if (path === '/') throw new WorkspaceError('invalid', 'is a directory: /');
  const existing = await view.fs.stat(path).catch(() => undefined);
  if (existing?.isDirectory) throw new WorkspaceError('invalid', `is a directory: ${path}`);
  const parent = posix.dirname(path);
  const parentStat = await view.fs.stat(parent).catch(() => undefined);
  if (parentStat === undefined) await onPath(parent, () => view.fs.mkdir(parent, { recursive: true }));
  else if (!parentStat.isDirectory) throw new WorkspaceError('invalid', `not a directory: ${parent}`);
  await onPath(path, () => view.fs.writeFile(path, data));
  return { path, size: data.byteLength, created: existing === undefined };
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

/** Replaces the one occurrence of `old` (every one with replace_all); refuses when it is absent or ambiguous. */
export async function editFile(view: FileView, request: EditFileRequest): Promise<FileEdited> {
  const path = resolveToolPath(view, request.path);
  if (typeof request.old !== 'string' || request.old === '') throw new WorkspaceError('invalid', 'old must be a non-empty string');
  if (typeof request.new !== 'string') throw new WorkspaceError('invalid', 'new must be a string');
  if (request.old === request.new) throw new WorkspaceError('invalid', 'old and new are the same text');
  assertWritable(view, path);
  const stat = await onPath(path, () => view.fs.stat(path));
  if (stat.isDirectory) throw new WorkspaceError('invalid', `is a directory: ${path}`);
  const text = textOf(await onPath(path, () => view.fs.readFileBuffer(path)), path);
  const found = occurrences(text, request.old);
  if (found === 0) throw new WorkspaceError('unprocessable', `old text not found in ${path}`);
  if (found > 1 && request.replace_all !== true) {
    throw new WorkspaceError('unprocessable', `old text occurs ${found} times in ${path}: add surrounding lines to make it unique, or use replace_all`);
  }
  const updated = request.replace_all === true ? text.split(request.old).join(request.new) : text.replace(request.old, () => request.new);
  const bytes = Buffer.from(updated, 'utf8');
  await onPath(path, () => view.fs.writeFile(path, bytes));
  return { path, replacements: request.replace_all === true ? found : 1, size: bytes.byteLength };
}
