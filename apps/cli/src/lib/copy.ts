// `mirage cp`: files and whole trees between the host and a workspace (or two workspaces), as tar
// streams like `docker cp`. Destinations follow `cp -r`: an existing directory receives the
// source inside it; any other path becomes the copy (its parent must exist). Host-side tar is
// node-tar's: it refuses absolute and `..` entries and never writes through a symlink it made.
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, stat } from 'node:fs/promises';
import { basename, dirname, join, posix, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DaemonError, type MirageClient, type TreeUploaded } from '@mirage-ts/protocol/client';
import { CliError, usageError } from './errors.js';
import { workspacePath, type WorkspacePath } from './file-args.js';

export interface CopyReport {
  source: string;
  destination: string;
  files: number;
  directories: number;
  symlinks: number;
  bytes: number;
}

async function hostStat(path: string): Promise<Awaited<ReturnType<typeof stat>> | undefined> {
  return stat(path).catch(() => undefined);
}

/** The parent of a new host path must be a directory. */
async function requireParent(target: string): Promise<void> {
  const parent = await hostStat(dirname(target));
  if (!parent?.isDirectory()) throw new CliError(`no such directory: ${dirname(target)}`, 2);
}

async function toHost(client: MirageClient, from: WorkspacePath, destination: string, sessionId: string | undefined): Promise<CopyReport> {
  const listing = await client.listFiles(from.workspace, from.path, sessionId);
  const name = listing.path === '/' ? '.' : basename(listing.path);
  const report: CopyReport = {
    source: `${from.workspace}:${listing.path}`,
    destination: '',
    files: 0,
    directories: 0,
    symlinks: 0,
    bytes: 0,
  };
  const dest = resolve(destination);
  const destStat = await hostStat(dest);
  if (listing.type === 'file') {
    const path = destStat?.isDirectory() ? join(dest, name) : dest;
    if (!destStat?.isDirectory()) await requireParent(dest);
    const { body } = await client.readFile(from.workspace, listing.path, { sessionId });
    body.on('data', (chunk: Buffer) => (report.bytes += chunk.length));
    await pipeline(body, createWriteStream(path));
    return { ...report, destination: path, files: 1 };
  }
  // Into an existing directory the tar's top entry is kept; as a new path it is stripped.
  const into = destStat?.isDirectory() === true;
  if (!into) {
    if (destStat !== undefined) throw new CliError(`not a directory: ${dest}`, 2);
    await requireParent(dest);
    await mkdir(dest);
  }
  const { x } = await import('tar');
  const tar = await client.downloadTree(from.workspace, listing.path, sessionId);
  const extract = x({
    cwd: dest,
    strip: into ? 0 : 1,
    onReadEntry: (entry) => {
      if (!into && entry.path.split('/').filter((part) => part !== '' && part !== '.').length === (name === '.' ? 0 : 1)) return; // the stripped top
      if (entry.type === 'Directory') report.directories += 1;
      else if (entry.type === 'SymbolicLink') report.symlinks += 1;
      else if (entry.type === 'File') {
        report.files += 1;
        report.bytes += entry.size ?? 0;
      }
    },
  });
  await pipeline(tar, extract);
  return { ...report, destination: into && name !== '.' ? join(dest, name) : dest };
}

/** The workspace path a single host file lands at: inside an existing directory, else the path itself. */
async function workspaceLanding(client: MirageClient, to: WorkspacePath, name: string, sessionId: string | undefined): Promise<string> {
  const listing = await client.listFiles(to.workspace, to.path, sessionId).catch((error: unknown) => {
    if (error instanceof DaemonError && error.status === 404) return undefined;
    throw error;
  });
  return listing?.type === 'directory' ? posix.join(listing.path, name) : to.path;
}

async function fromHost(client: MirageClient, source: string, to: WorkspacePath, sessionId: string | undefined): Promise<CopyReport> {
  const path = resolve(source);
  const found = await lstat(path).catch(() => undefined);
  if (found === undefined) throw new CliError(`no such file or directory: ${source}`, 2);
  if (found.isFile()) {
    // One file goes through `write`, which streams to disk mounts, rather than a one-entry tar.
    const target = await workspaceLanding(client, to, basename(path), sessionId);
    const written = await client.writeFile(to.workspace, target, createReadStream(path), sessionId);
    return { source: path, destination: `${to.workspace}:${written.path}`, files: 1, directories: 0, symlinks: 0, bytes: written.size };
  }
  const { c } = await import('tar');
  // node-tar's Pack is a Minipass stream: wrapped as a Node Readable for the HTTP upload.
  const tar = Readable.from(c({ cwd: dirname(path), portable: true }, [basename(path)]));
  const uploaded: TreeUploaded = await client.uploadTree(to.workspace, to.path, tar, sessionId);
  return {
    source: path,
    destination: `${to.workspace}:${uploaded.path}`,
    files: uploaded.files,
    directories: uploaded.directories,
    symlinks: uploaded.symlinks,
    bytes: uploaded.bytes,
  };
}

export async function copy(client: MirageClient, source: string, destination: string, sessionId?: string): Promise<CopyReport> {
  const from = workspacePath(source);
  const to = workspacePath(destination);
  if (from === undefined && to === undefined) throw usageError('one side of cp must be a workspace path, WS:/path');
  if (from !== undefined && to !== undefined) {
    const tar = await client.downloadTree(from.workspace, from.path, sessionId);
    const { path, ...counts } = await client.uploadTree(to.workspace, to.path, tar, sessionId);
    return { source: `${from.workspace}:${from.path}`, destination: `${to.workspace}:${path}`, ...counts };
  }
  if (from !== undefined) return toHost(client, from, destination, sessionId);
  return fromHost(client, source, to as WorkspacePath, sessionId);
}
