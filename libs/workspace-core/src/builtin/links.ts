// Symlink resolution for writes into a ram mount. just-bash's InMemoryFs follows symlinks when it
// reads but stores a write under the literal path: `echo hi > link/x` with `link -> dir` kept the
// bytes at a path no listing, commit or snapshot could reach. The guard resolves the path here
// first, so the bytes land where a read will find them. Link targets are namespace paths: an
// absolute target is mapped into the mount, and one that leaves the mount is refused (EXDEV),
// never written somewhere else.
import type { IFileSystem } from '../engine.js';
import { fsError } from './errors.js';

/** Where a mount sits in the namespace. */
export interface LinkScope {
  /** The mount's prefix: `/` or `/data`. */
  prefix: string;
  /** Namespace prefixes inside this mount's range that belong to other file systems (`/dev`, `/data` for the root). */
  foreign: readonly string[];
}

/** Symlinks followed in one path before giving up, as Linux does (ELOOP). */
const MAX_HOPS = 40;

function segments(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '' && segment !== '.');
}

function inside(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** An absolute link target as a path of the mount's backend. */
function backendPathOf(target: string, scope: LinkScope, link: string): string[] {
  const parts: string[] = [];
  for (const segment of segments(target)) {
    if (segment === '..') parts.pop();
    else parts.push(segment);
  }
  const namespacePath = `/${parts.join('/')}`;
  const leaves =
    scope.prefix === '/' ? scope.foreign.some((prefix) => inside(namespacePath, prefix)) : !inside(namespacePath, scope.prefix);
  if (leaves) throw fsError('EXDEV', `symbolic link ${link} points to ${target}, outside its mount; write there directly`);
  return scope.prefix === '/' ? parts : parts.slice(segments(scope.prefix).length);
}

/**
 * The backend path a write to `path` should use: every symlinked directory on the way is
 * followed, and the last component too when `followLast` (writeFile/appendFile follow a link to a
 * file; mkdir, rm, symlink do not). Components that do not exist are kept as given.
 */
export async function resolveWritePath(fs: IFileSystem, path: string, followLast: boolean, scope: LinkScope): Promise<string> {
  const linkPrefix = scope.prefix === '/' ? '' : scope.prefix;
  const resolved: string[] = [];
  let queue = segments(path);
  let hops = 0;
  let missing = false;
  while (queue.length > 0) {
    const name = queue[0];
    queue = queue.slice(1);
    if (name === '..') {
      resolved.pop();
      continue;
    }
    const candidate = `/${[...resolved, name].join('/')}`;
    if (missing || (queue.length === 0 && !followLast)) {
      resolved.push(name);
      continue;
    }
    let isLink = false;
    try {
      isLink = (await fs.lstat(candidate)).isSymbolicLink;
    } catch {
      missing = true;
    }
    if (!isLink) {
      resolved.push(name);
      continue;
    }
    hops += 1;
    if (hops > MAX_HOPS) throw fsError('ELOOP', `too many levels of symbolic links, open '${linkPrefix}${path}'`);
    const target = await fs.readlink(candidate);
    if (target.startsWith('/')) {
      resolved.length = 0;
      queue = [...backendPathOf(target, scope, `${linkPrefix}${candidate}`), ...queue];
    } else queue = [...segments(target), ...queue];
  }
  return `/${resolved.join('/')}`;
}
