// A ram mount at `/` is bound as the sandbox's root, so bubblewrap makes its mount points in the
// mount's directory (`usr`, `dev`, `proc`, `etc`, ... and the points of the other mounts). They
// are not the agent's files: this view leaves them out of listings, snapshots and versions.
import type { IFileSystem } from '../../engine.js';

/** Names bwrap creates at the top of a bound root (see SandboxEngine's argument list). */
export const SYSTEM_MOUNT_POINTS: readonly string[] = ['bin', 'dev', 'etc', 'home', 'lib', 'lib32', 'lib64', 'libx32', 'proc', 'sbin', 'tmp', 'usr'];

/** `inner` with the absolute paths in `hidden` (and what is below them) left out of directory listings. */
export function withHiddenPaths(inner: IFileSystem, hidden: ReadonlySet<string>): IFileSystem {
  const visible = (directory: string, name: string): boolean => !hidden.has(directory === '/' || directory === '' ? `/${name}` : `${directory.replace(/\/+$/, '')}/${name}`);
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'readdir') {
        return async (path: string) => (await target.readdir(path)).filter((name) => visible(path, name));
      }
      if (property === 'readdirWithFileTypes' && target.readdirWithFileTypes !== undefined) {
        const list = target.readdirWithFileTypes.bind(target);
        return async (path: string) => (await list(path)).filter((entry) => visible(path, entry.name));
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
