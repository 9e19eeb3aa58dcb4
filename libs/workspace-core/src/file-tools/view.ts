// What every file tool works on: a session's view of the workspace (Workspace.fileView), with the
// path rules and the error mapping the tools share. Paths are checked here once: a tool never
// sees a path with NUL or a `..` segment, and every backend failure leaves as a WorkspaceError.
import { posix } from 'node:path';
import type { MountMode } from '@mirage-ts/protocol';
import type { IFileSystem } from '../engine.js';
import { WorkspaceError } from '../errors.js';
import { ReadOnlyMountError } from '../mounts/guard.js';

/** One mount as a session sees it: `mode` is the effective mode (mount mode capped by the session's ceiling). */
export interface FileViewMount {
  /** `/`, `/data` (no trailing slash). */
  prefix: string;
  resource: string;
  mode: MountMode;
  /** The unguarded backend: for reads only (writes go through `FileView.fs`, which checks the mode). */
  backend: IFileSystem;
  config: Record<string, unknown>;
}

export interface FileView {
  /** The guarded namespace: a write to a mount whose effective mode is `read` throws EROFS. */
  fs: IFileSystem;
  /** The session's cwd: relative paths are resolved against it. */
  cwd: string;
  /** Longest prefix first. */
  mounts: readonly FileViewMount[];
}

/** The absolute, normalised form of `path` (relative to the session cwd). Refuses NUL and `..` (400). */
export function resolveToolPath(view: FileView, path: unknown, field = 'path'): string {
  if (typeof path !== 'string' || path === '') throw new WorkspaceError('invalid', `${field} is required`);
  if (path.includes('\0')) throw new WorkspaceError('invalid', `${field} must not contain NUL bytes`);
  if (path.split('/').includes('..')) throw new WorkspaceError('invalid', `${field} must not contain '..' segments: ${path}`);
  return posix.resolve(view.cwd, path);
}

/** The mount holding `path` and the path inside its backend. */
export function mountOf(view: FileView, path: string): { mount: FileViewMount; inner: string } {
  for (const mount of view.mounts) {
    if (mount.prefix === '/') return { mount, inner: path };
    if (path === mount.prefix || path.startsWith(`${mount.prefix}/`)) return { mount, inner: path.slice(mount.prefix.length) || '/' };
  }
  throw new WorkspaceError('not_found', `no mount holds ${path}`);
}

/** `/data` → `/data/`, as mounts are named to users. */
export function mountLabel(mount: FileViewMount): string {
  return mount.prefix === '/' ? '/' : `${mount.prefix}/`;
}

/** Refuses a change under `path` before any byte is read when its mount is read-only for this session (403). */
export function assertWritable(view: FileView, path: string): void {
  const { mount } = mountOf(view, path);
  if (mount.mode === 'read') throw new WorkspaceError('forbidden', `cannot write to read-only mount ${mountLabel(mount)}`);
}

/** The errno-style code at the start of a file system error message (`ENOENT: ...`), if any. */
function errnoOf(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  return /^(E[A-Z]+)\b/.exec(error.message)?.[1];
}

/** Maps a backend failure on `path` to the library's error; anything unknown is rethrown as is. */
export function toolError(error: unknown, path: string): Error {
  if (error instanceof WorkspaceError) return error;
  if (error instanceof ReadOnlyMountError) return new WorkspaceError('forbidden', error.message);
  switch (errnoOf(error)) {
    case 'ENOENT':
      return new WorkspaceError('not_found', `no such file or directory: ${path}`);
    case 'EISDIR':
      return new WorkspaceError('invalid', `is a directory: ${path}`);
    case 'ENOTDIR':
      return new WorkspaceError('invalid', `not a directory: ${path}`);
    case 'EEXIST':
      return new WorkspaceError('already_exists', `already exists: ${path}`);
    case 'EROFS':
      return new WorkspaceError('forbidden', error instanceof Error ? error.message : `read-only: ${path}`);
    case 'EACCES':
    case 'EPERM':
      return new WorkspaceError('forbidden', `permission denied: ${path}`);
    case 'EFBIG':
      return new WorkspaceError('too_large', `file too large: ${path}`);
    case 'ENOTSUP':
    case 'EOPNOTSUPP':
      return new WorkspaceError(
        'unprocessable',
        `operation not supported here (${error instanceof Error ? error.message : String(error)})`,
      );
    case 'ELOOP':
      return new WorkspaceError('invalid', `too many levels of symbolic links: ${path}`);
    case undefined:
    default:
      return error instanceof Error ? error : new Error(String(error));
  }
}

/** Runs one backend call, mapping its failure with toolError. */
export async function onPath<T>(path: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toolError(error, path);
  }
}

/** A non-negative integer from a number or a decimal string; 400 otherwise. `undefined`/'' → undefined. */
export function parseCount(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d+$/.test(text.trim()))
    throw new WorkspaceError('invalid', `${field} must be a non-negative integer, got ${JSON.stringify(value)}`);
  const n = Number(text.trim());
  if (!Number.isSafeInteger(n)) throw new WorkspaceError('invalid', `${field} is too large: ${text}`);
  return n;
}
