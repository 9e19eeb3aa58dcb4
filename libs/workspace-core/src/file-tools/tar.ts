// Copies whole trees in and out as tar streams (`mirage cp`, like `docker cp`). The tar holds one
// top entry named after the source (`dir/`, `dir/a.txt`; `.` for the workspace root); the
// destination follows `cp -r`: an existing directory receives the entry inside it, any other
// path becomes the entry. File bodies stream (disk ranges via openFileRange); symlinks are
// created after every file so no entry of the tar can be written through a link it brought.
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import type { TreeUploaded } from '@mirage-ts/protocol';
import { Parser, type ReadEntry } from 'tar';
import type { FsStat } from '../engine.js';
import { WorkspaceError } from '../errors.js';
import { safeTreePath } from '../snapshot/paths.js';
import { encodeEntryHeaders, type TarEntryHeader } from '../snapshot/tar-header.js';
import { openFileRange } from './read.js';
import { assertWritable, onPath, resolveToolPath, type FileView } from './view.js';

const BLOCK = 512;
const join = (dir: string, name: string): string => (dir === '/' ? `/${name}` : `${dir}/${name}`);

function header(path: string, stat: FsStat, linkpath?: string): Buffer {
  const type: TarEntryHeader['type'] = stat.isSymbolicLink ? 'symlink' : stat.isDirectory ? 'directory' : 'file';
  // encodeEntryHeaders answers a view of a shared buffer: copied, since the stream may hold it.
  return Buffer.from(
    encodeEntryHeaders({
      path: type === 'directory' ? `${path}/` : path,
      type,
      mode: stat.mode & 0o7777,
      mtimeMs: stat.mtime.getTime(),
      size: type === 'file' ? stat.size : 0,
      ...(linkpath !== undefined ? { linkpath } : {}),
    }),
  );
}

async function* tarChunks(view: FileView, path: string, name: string, stat: FsStat): AsyncGenerator<Buffer> {
  if (stat.isSymbolicLink) {
    yield header(name, stat, await onPath(path, () => view.fs.readlink(path)));
    return;
  }
  yield header(name, stat);
  if (stat.isDirectory) {
    for (const child of (await onPath(path, () => view.fs.readdir(path))).sort()) {
      const childPath = join(path, child);
      const childStat = await view.fs.lstat(childPath).catch(() => undefined);
      if (childStat !== undefined) yield* tarChunks(view, childPath, `${name}/${child}`, childStat);
    }
    return;
  }
  let written = 0;
  for await (const chunk of await openFileRange(view, path, 0, stat.size)) {
    const piece = (chunk as Buffer).subarray(0, Math.max(0, stat.size - written));
    written += piece.length;
    yield piece;
  }
  // The header promised stat.size bytes: a file that shrank meanwhile is padded with zeros.
  if (written < stat.size) yield Buffer.alloc(stat.size - written);
  if (stat.size % BLOCK !== 0) yield Buffer.alloc(BLOCK - (stat.size % BLOCK));
}

/** The tar stream of `rawPath` (file, directory or symlink) for `GET .../files/tar`. */
export async function packTree(view: FileView, rawPath: string): Promise<{ path: string; stream: Readable }> {
  const path = resolveToolPath(view, rawPath);
  const stat = await onPath(path, () => view.fs.lstat(path));
  const name = path === '/' ? '.' : posix.basename(path);
  async function* all(): AsyncGenerator<Buffer> {
    yield* tarChunks(view, path, name, stat);
    yield Buffer.alloc(BLOCK * 2);
  }
  return { path, stream: Readable.from(all(), { objectMode: false }) };
}

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
/** File bodies parsed but not yet written, at most (then the upload waits). */
const PENDING_BYTES = 64 * 1024 * 1024;

/** Where the tar's top entry lands for destination `dest` (cp -r rules). */
async function landing(view: FileView, dest: string, top: string): Promise<string> {
  const stat = await view.fs.stat(dest).catch(() => undefined);
  if (stat?.isDirectory) return top === '.' ? dest : join(dest, top);
  if (top === '.' && stat !== undefined) throw new WorkspaceError('invalid', `not a directory: ${dest}`);
  const parent = posix.dirname(dest);
  const parentStat = await onPath(parent, () => view.fs.stat(parent));
  if (!parentStat.isDirectory) throw new WorkspaceError('invalid', `not a directory: ${parent}`);
  return dest;
}

/** Unpacks a tar (one top entry, as packTree writes) at `rawDest` for `POST .../files/tar`. */
export async function extractTree(view: FileView, rawDest: string, input: Readable): Promise<TreeUploaded> {
  const dest = resolveToolPath(view, rawDest);
  assertWritable(view, dest);
  const result: TreeUploaded = { path: dest, files: 0, directories: 0, symlinks: 0, bytes: 0 };
  const links: { path: string; target: string }[] = [];
  let top: string | undefined;
  let target: string | undefined;
  let failure: Error | undefined;
  let chain: Promise<void> = Promise.resolve();
  let pendingBytes = 0;
  const later = (work: () => Promise<void>): void => {
    chain = chain
      .then(async () => {
        if (failure === undefined) await work();
      })
      .catch((error: unknown) => {
        failure ??= error instanceof Error ? error : new Error(String(error));
      });
  };
  const parser = new Parser({ strict: true });
  // Settles either way: a bad archive is recorded as the failure (never an unhandled rejection).
  const parsed = new Promise<void>((resolve) => {
    parser.on('error', (error: Error) => {
      failure ??= new WorkspaceError('invalid', `not a valid tar archive (${error.message})`);
      resolve();
    });
    parser.on('end', () => resolve());
  });
  parser.on('entry', (entry: ReadEntry) => {
    const raw = entry.path.startsWith('./') && entry.path !== './' ? entry.path.slice(2) : entry.path;
    const name = raw === '.' || raw === './' ? '.' : safeTreePath(raw);
    const first = name?.split('/')[0];
    if (name === null || first === undefined || (top !== undefined && top !== '.' && first !== top)) {
      failure ??= new WorkspaceError('invalid', `tar entry ${JSON.stringify(entry.path)} is unsafe or not under the tar's one top entry`);
      entry.resume();
      return;
    }
    top ??= first;
    const rest = top === '.' ? (name === '.' ? '' : name) : name.slice(top.length + 1);
    const at = (base: string): string => (rest === '' ? base : join(base, rest));
    if (FILE_TYPES.has(entry.type)) {
      const chunks: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        pendingBytes += chunk.length;
      });
      entry.on('end', () =>
        later(async () => {
          target ??= await landing(view, dest, top as string);
          const path = at(target);
          const existing = await view.fs.lstat(path).catch(() => undefined);
          if (existing?.isDirectory) throw new WorkspaceError('invalid', `is a directory: ${path}`);
          const data = Buffer.concat(chunks);
          chunks.length = 0;
          await onPath(path, () => view.fs.writeFile(path, data));
          pendingBytes -= data.length;
          await view.fs.chmod(path, (entry.mode ?? 0o644) & 0o777).catch(() => undefined);
          result.files += 1;
          result.bytes += data.length;
        }),
      );
      return;
    }
    entry.resume();
    if (entry.type === 'Directory') {
      later(async () => {
        target ??= await landing(view, dest, top as string);
        const path = at(target);
        const existing = await view.fs.stat(path).catch(() => undefined);
        if (existing !== undefined && !existing.isDirectory) throw new WorkspaceError('invalid', `not a directory: ${path}`);
        if (existing === undefined) await onPath(path, () => view.fs.mkdir(path, { recursive: true }));
        result.directories += 1;
      });
    } else if (entry.type === 'SymbolicLink' && typeof entry.linkpath === 'string') {
      const linkTarget = entry.linkpath;
      later(async () => {
        target ??= await landing(view, dest, top as string);
        links.push({ path: at(target), target: linkTarget });
      });
    }
    // Other entry types (hard links, devices, fifos) are skipped, as snapshots skip them.
  });
  // Fed by hand rather than piped: while more than PENDING_BYTES of file bodies wait to be
  // written, the upload is not read further (backpressure down to the client's socket).
  try {
    for await (const chunk of input) {
      if (failure !== undefined) break;
      parser.write(chunk as Buffer);
      if (pendingBytes > PENDING_BYTES) await chain;
    }
    parser.end();
  } catch (error) {
    parser.abort(error instanceof Error ? error : new Error(String(error)));
  }
  await parsed;
  await chain;
  if (failure !== undefined) throw failure;
  if (top === undefined) throw new WorkspaceError('invalid', 'empty tar archive');
  for (const link of links) {
    await view.fs.rm(link.path, { force: true }).catch(() => undefined);
    await onPath(link.path, () => view.fs.symlink(link.target, link.path));
    result.symlinks += 1;
  }
  result.path = target ?? dest;
  return result;
}
