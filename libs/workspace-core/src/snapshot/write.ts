// Writes a workspace as a snapshot tar (format.ts), streaming: file contents are read one at a
// time while the tar is consumed, so a large workspace never sits in memory whole.
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { JobDetail, WorkspaceConfig } from '@mirage-ts/protocol';
import { Header, Pax } from 'tar';
import type { HeaderData } from 'tar';
import type { LiveTreeEntry, SessionState } from '../tree.js';
import { redactWorkspaceConfig } from './credentials.js';
import { FILES_DIR, MANIFEST_ENTRY, SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_VERSION, type SnapshotManifest } from './format.js';
import { describeMounts, mountKey, owningMount, safeTreePath } from './paths.js';

const BLOCK = 512;

/** What a snapshot is made of; the daemon fills it from a live Workspace. */
export interface SnapshotSource {
  id: string;
  /** The workspace config; credentials are redacted here whether or not the caller did. */
  config: WorkspaceConfig;
  sessions: readonly SessionState[];
  entries: Iterable<LiveTreeEntry> | AsyncIterable<LiveTreeEntry>;
  jobs?: readonly JobDetail[];
}

/** The snapshot of `source` as a stream of tar bytes. */
export function createSnapshotStream(source: SnapshotSource): Readable {
  return Readable.from(snapshotBlocks(source), { objectMode: false });
}

/**
 * Writes the snapshot to `file` (parents created) through a temporary name, so a failed write
 * never leaves a truncated tar under the final name. Returns the size in bytes.
 */
export async function writeSnapshotFile(source: SnapshotSource, file: string): Promise<number> {
  await mkdir(dirname(file), { recursive: true });
  const partial = `${file}.partial-${process.pid}-${Date.now()}`;
  try {
    await pipeline(createSnapshotStream(source), createWriteStream(partial, { mode: 0o600 }));
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return (await stat(file)).size;
}

async function* snapshotBlocks(source: SnapshotSource): AsyncGenerator<Buffer> {
  const config = redactWorkspaceConfig(source.config);
  const mounts = describeMounts(config);
  const manifest: SnapshotManifest = {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_FORMAT_VERSION,
    workspace_id: source.id,
    created_at: Date.now() / 1000,
    config,
    mounts,
    sessions: source.sessions.map((s) => ({ session_id: s.session_id, cwd: s.cwd, env: { ...s.env } })),
  };
  if (source.jobs !== undefined) manifest.jobs = [...source.jobs];
  const now = new Date();
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  yield* entryBlocks({ path: MANIFEST_ENTRY, type: 'File', mode: 0o644, mtime: now }, manifestBytes);

  const keys = mounts.map((m) => mountKey(m.prefix));
  const remote = new Set(mounts.filter((m) => !m.files_included).map((m) => mountKey(m.prefix)));
  for await (const entry of source.entries) {
    const path = safeTreePath(entry.path);
    if (path === null) throw new Error(`refusing to snapshot an unsafe path: ${JSON.stringify(entry.path)}`);
    const owner = owningMount(path, keys);
    if (owner !== undefined && remote.has(owner)) continue;
    const mtime = new Date(entry.mtimeMs);
    const mode = entry.mode & 0o7777;
    if (entry.kind === 'directory') {
      yield* entryBlocks({ path: `${FILES_DIR}/${path}/`, type: 'Directory', mode, mtime });
    } else if (entry.kind === 'symlink') {
      yield* entryBlocks({ path: `${FILES_DIR}/${path}`, type: 'SymbolicLink', mode, mtime, linkpath: entry.target ?? '' });
    } else {
      const data = Buffer.from(await entry.read());
      yield* entryBlocks({ path: `${FILES_DIR}/${path}`, type: 'File', mode, mtime }, data);
    }
  }
  // End of archive: two zero blocks.
  yield Buffer.alloc(BLOCK * 2);
}

function* entryBlocks(fields: HeaderData & { mtime: Date }, data: Buffer = Buffer.alloc(0)): Generator<Buffer> {
  const header = new Header({ ...fields, size: data.length, uid: 0, gid: 0, uname: '', gname: '' });
  const block = Buffer.alloc(BLOCK);
  const needsPax = header.encode(block, 0);
  // ustar keeps whole seconds only; a pax record keeps the milliseconds and long/non-ASCII names.
  if (needsPax || fields.mtime.getTime() % 1000 !== 0) {
    yield new Pax({ path: fields.path, linkpath: fields.linkpath, mtime: fields.mtime, size: data.length }).encode();
  }
  yield block;
  if (data.length > 0) {
    yield data;
    const padding = (BLOCK - (data.length % BLOCK)) % BLOCK;
    if (padding > 0) yield Buffer.alloc(padding);
  }
}
