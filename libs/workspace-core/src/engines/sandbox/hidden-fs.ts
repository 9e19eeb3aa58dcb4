// How the daemon sees a sandboxed workspace's real directories (ram dirs, disk roots) through a
// just-bash ReadWriteFs, which confines every path and never follows a symlink out of the root.
// Two adjustments:
// - Symlinks are read and made literally. ReadWriteFs rewrites targets (an absolute one becomes
//   host-absolute on create, root-relative on read), right for the builtin engine whose shell sees
//   the ReadWriteFs view, wrong here: bash sees the real links, so snapshots and versions must
//   too. A link is only ever read as a string, never followed.
// - A ram mount at `/` is bound as the sandbox's root, so bubblewrap makes its mount points in
//   its directory (`usr`, `dev`, `proc`, `etc`, ... and the points of the other mounts). They are
//   not the agent's files: left out of listings, snapshots and versions.
import { readlink as readLink, realpath, symlink as makeLink } from 'node:fs/promises';
import { posix } from 'node:path';
import type { IFileSystem } from '../../engine.js';

/** Names bwrap creates at the top of a bound root (see SandboxEngine's argument list). */
export const SYSTEM_MOUNT_POINTS: readonly string[] = [
  'bin',
  'dev',
  'etc',
  'home',
  'lib',
  'lib32',
  'lib64',
  'libx32',
  'proc',
  'sbin',
  'tmp',
  'usr',
];

function escapeError(path: string): Error {
  return Object.assign(new Error(`EACCES: permission denied, '${path}' resolves outside sandbox`), { code: 'EACCES' });
}

/**
 * `inner` (a ReadWriteFs over `root`) with literal symlinks, and the absolute paths in `hidden`
 * (with what is below them) left out of directory listings.
 */
export function sandboxDirView(inner: IFileSystem, root: string, hidden: ReadonlySet<string> = new Set()): IFileSystem {
  const visible = (directory: string, name: string): boolean =>
    hidden.size === 0 || !hidden.has(directory === '/' || directory === '' ? `/${name}` : `${directory.replace(/\/+$/, '')}/${name}`);
  let rootReal: Promise<string> | undefined;
  /** The real path of `path`'s final name, its parent resolved and checked to be inside the root. */
  const realEntry = async (path: string): Promise<string> => {
    const normal = posix.normalize(`/${path}`);
    if (normal === '/') throw escapeError(path);
    rootReal ??= realpath(root);
    const base = await rootReal;
    const parent = await realpath(posix.join(base, posix.dirname(normal)));
    if (parent !== base && !parent.startsWith(`${base}/`)) throw escapeError(path);
    return posix.join(parent, posix.basename(normal));
  };
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'readdir') {
        return async (path: string) => (await target.readdir(path)).filter((name) => visible(path, name));
      }
      if (property === 'readdirWithFileTypes' && target.readdirWithFileTypes !== undefined) {
        const list = target.readdirWithFileTypes.bind(target);
        return async (path: string) => (await list(path)).filter((entry) => visible(path, entry.name));
      }
      if (property === 'readlink') return async (path: string) => readLink(await realEntry(path));
      if (property === 'symlink') return async (linkTarget: string, path: string) => makeLink(linkTarget, await realEntry(path));
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
