// Reading and writing the file trees of ram and disk backends (tree.ts contract). Backends are
// addressed directly (below the mode guards): paths are relative to the mount root.
import { type FsStat, type IFileSystem, InMemoryFs } from './engine.js';
import type { LiveTreeEntry, TreeFile } from './tree.js';

function join(directory: string, name: string): string {
  return directory === '/' ? `/${name}` : `${directory}/${name}`;
}

/** The directory holding an absolute path (`/` for a top-level name). */
function parentOf(absolute: string): string {
  return absolute.slice(0, absolute.lastIndexOf('/')) || '/';
}

const noBytes = async (): Promise<Uint8Array> => new Uint8Array();

/** One entry, built as a single literal: a listing makes one per file, 10,000 at a time. */
function entryOf(backend: IFileSystem, absolute: string, pathPrefix: string, stat: FsStat, target: string | undefined): LiveTreeEntry {
  const path = `${pathPrefix}${absolute.slice(1)}`;
  const mode = stat.mode & 0o7777;
  const mtimeMs = stat.mtime.getTime();
  if (stat.isSymbolicLink) {
    const link = target ?? '';
    return { path, kind: 'symlink', mode, size: Buffer.byteLength(link), mtimeMs, target: link, read: noBytes };
  }
  if (stat.isDirectory) return { path, kind: 'directory', mode, size: 0, mtimeMs, read: noBytes };
  return { path, kind: 'file', mode, size: stat.size, mtimeMs, read: () => backend.readFileBuffer(absolute) };
}

/**
 * The entries of `paths`, their stats read concurrently (one await for all, not one each). Only
 * files, directories and symlinks: a FIFO or socket an agent made (real bash, the sandbox engine)
 * is left out, since opening a FIFO to read it would block a snapshot or commit for ever.
 */
async function entriesOf(
  backend: IFileSystem,
  paths: readonly string[],
  pathPrefix: string,
  known?: readonly FsStat[],
): Promise<LiveTreeEntry[]> {
  const stats = known ?? (await Promise.all(paths.map((path) => backend.lstat(path))));
  const targets = await Promise.all(paths.map((path, index) => (stats[index].isSymbolicLink ? backend.readlink(path) : undefined)));
  const entries: LiveTreeEntry[] = [];
  paths.forEach((path, index) => {
    const stat = stats[index];
    if (stat.isFile || stat.isDirectory || stat.isSymbolicLink) entries.push(entryOf(backend, path, pathPrefix, stat, targets[index]));
  });
  return entries;
}

const SLASH = 0x2f;

/**
 * Depth-first order with names sorted in each directory: plain code-unit order, except that `/`
 * sorts before every other character, so `a/c` comes before `a b` and a directory's whole
 * subtree before its next sibling. Compares in place (no per-path segment arrays).
 */
function compareTreePaths(a: string, b: string): number {
  const shared = Math.min(a.length, b.length);
  for (let index = 0; index < shared; index += 1) {
    const left = a.charCodeAt(index);
    const right = b.charCodeAt(index);
    if (left === right) continue;
    if (left === SLASH) return -1;
    if (right === SLASH) return 1;
    return left - right;
  }
  return a.length - b.length;
}

/**
 * The entries of a ram backend's path list that a directory walk would reach. Its store keeps a
 * write under the literal path, so the list can hold paths below a symlink (`link/x`, written
 * through the link) or below a regular file: those are skipped, as a walk never sees them.
 * `paths` are sorted parents first, so a path's parent has been classified before it.
 */
async function reachableEntries(backend: IFileSystem, paths: readonly string[], pathPrefix: string): Promise<LiveTreeEntry[]> {
  const stats = await Promise.all(paths.map((path) => backend.lstat(path).then(ok, failed)));
  const directories = new Set<string>(['/']);
  const reachable: string[] = [];
  const reachableStats: FsStat[] = [];
  paths.forEach((path, index) => {
    if (!directories.has(parentOf(path))) return;
    const stat = stats[index];
    if ('error' in stat) throw stat.error;
    if (stat.value.isDirectory) directories.add(path);
    reachable.push(path);
    reachableStats.push(stat.value);
  });
  return entriesOf(backend, reachable, pathPrefix, reachableStats);
}

const ok = <T>(value: T): { value: T } => ({ value });
const failed = (error: unknown): { error: unknown } => ({ error });

/** Every entry under the backend's root, depth first, parents before children. */
export async function walkBackend(backend: IFileSystem, pathPrefix: string): Promise<LiveTreeEntry[]> {
  if (backend instanceof InMemoryFs) {
    // A ram backend's readdir scans every path it holds, so a walk of D directories costs D full
    // scans (10,000 files in 100 directories: a million comparisons); its path list is one.
    const paths = backend
      .getAllPaths()
      .filter((path) => path !== '/')
      .sort(compareTreePaths);
    return reachableEntries(backend, paths, pathPrefix);
  }
  const entries: LiveTreeEntry[] = [];
  const visit = async (directory: string): Promise<void> => {
    const paths = (await backend.readdir(directory)).sort().map((name) => join(directory, name));
    for (const entry of await entriesOf(backend, paths, pathPrefix)) {
      entries.push(entry);
      if (entry.kind === 'directory') await visit(`/${entry.path.slice(pathPrefix.length)}`);
    }
  };
  await visit('/');
  return entries;
}

/** Removes everything under the backend's root (the root itself stays). */
export async function clearBackend(backend: IFileSystem): Promise<void> {
  for (const name of await backend.readdir('/')) await backend.rm(join('/', name), { recursive: true, force: true });
}

/** Writes entries (paths relative to the backend root) with their modes, links and mtimes. */
export async function applyTree(backend: IFileSystem, files: TreeFile[]): Promise<void> {
  const sorted = [...files].sort((a, b) => depth(a.path) - depth(b.path) || (a.path < b.path ? -1 : 1));
  const directories: TreeFile[] = [];
  for (const file of sorted) {
    const absolute = `/${file.path.replace(/^\/+|\/+$/g, '')}`;
    const parent = parentOf(absolute);
    if (parent !== '/') await backend.mkdir(parent, { recursive: true });
    if (file.kind === 'directory') {
      await backend.mkdir(absolute, { recursive: true });
      directories.push({ ...file, path: absolute });
    } else if (file.kind === 'symlink') {
      await backend.symlink(file.target ?? '', absolute);
    } else {
      await backend.writeFile(absolute, file.data ?? new Uint8Array());
      await backend.chmod(absolute, file.mode & 0o7777);
      if (file.mtimeMs !== undefined) await backend.utimes(absolute, new Date(file.mtimeMs), new Date(file.mtimeMs));
    }
  }
  // Directory modes and mtimes last, deepest first: writing children changes a directory's mtime.
  for (const directory of directories.reverse()) {
    await backend.chmod(directory.path, directory.mode & 0o7777);
    if (directory.mtimeMs !== undefined) await backend.utimes(directory.path, new Date(directory.mtimeMs), new Date(directory.mtimeMs));
  }
}

function depth(path: string): number {
  return path.split('/').length;
}
