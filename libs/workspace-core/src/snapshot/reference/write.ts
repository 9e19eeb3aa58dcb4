// Writes a workspace in the reference project's snapshot format (format.ts here), version 2, so
// that its SDK's `Workspace.load` reads it. The manifest comes first, then each file as a side
// entry its `__file` reference names. What the format cannot say is left out: file modes (its
// readers use their defaults), symlinks, and empty directories of disk mounts.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { redactWorkspaceConfig } from '../credentials.js';
import { configMounts, mountKey, summaryPrefix } from '../../mount-paths.js';
import { owningKey, safeTreePath } from '../paths.js';
import { encodeEntryHeaders } from '../tar-header.js';
import type { SnapshotSource } from '../write.js';
import { MOUNTS_DIR, REFERENCE_WRITE_VERSION, type FileRef, type ReferenceManifest, type ReferenceMount } from './format.js';

const BLOCK = 512;
/** What the published SDK writes for its default file cache; readers restore it as given. */
const DEFAULT_CACHE_LIMIT = 512 * 1024 * 1024;

interface Blob {
  path: string;
  data: Uint8Array;
  mtimeMs: number;
}

/** The whole reference tar of `source`, in memory (an interop format, not our streaming one). */
export async function referenceSnapshotBytes(source: SnapshotSource): Promise<Buffer> {
  const config = redactWorkspaceConfig(source.config);
  const mounts = configMounts(config);
  const keys = mounts.map((m) => mountKey(m.prefix));
  const states: Array<Record<string, unknown>> = mounts.map(({ resource, config: settings }) => {
    if (resource === 'ram') return { type: 'ram', files: {}, dirs: ['/'], modified: {} };
    if (resource === 'disk') return { type: 'disk', files: {} };
    return { type: resource, config: settings };
  });
  const blobs: Blob[] = [];
  const ramCounts = mounts.map(() => 0);
  for await (const entry of source.entries) {
    const path = safeTreePath(entry.path);
    if (path === null) throw new Error(`refusing to snapshot an unsafe path: ${JSON.stringify(entry.path)}`);
    const owner = owningKey(path, keys);
    if (owner === undefined) continue;
    const index = keys.indexOf(owner);
    const resource = mounts[index].resource;
    const relative = owner === '' ? path : path.slice(owner.length + 1);
    if (relative === '' || (resource !== 'ram' && resource !== 'disk') || entry.kind === 'symlink') continue;
    const state = states[index] as { files: Record<string, FileRef>; dirs?: string[]; modified?: Record<string, string> };
    if (resource === 'ram') {
      state.modified![`/${relative}`] = new Date(entry.mtimeMs).toISOString();
      if (entry.kind === 'directory') {
        state.dirs!.push(`/${relative}`);
        continue;
      }
      const blob = `${MOUNTS_DIR}/${index}/files/${ramCounts[index]}.bin`;
      ramCounts[index] += 1;
      state.files[`/${relative}`] = { __file: blob };
      blobs.push({ path: blob, data: await entry.read(), mtimeMs: entry.mtimeMs });
    } else if (entry.kind === 'file') {
      const blob = `${MOUNTS_DIR}/${index}/files/${relative}`;
      state.files[relative] = { __file: blob };
      blobs.push({ path: blob, data: await entry.read(), mtimeMs: entry.mtimeMs });
    }
  }
  const referenceMounts: ReferenceMount[] = mounts.map(({ prefix, resource, mode }, index) => ({
    index,
    prefix: summaryPrefix(prefix),
    mode,
    consistency: 'lazy',
    resource_class: resource,
    resource_state: states[index],
  }));
  const sessions = source.sessions.map((s) => ({ session_id: s.session_id, cwd: s.cwd, env: { ...s.env } }));
  const defaultSession = sessions.some((s) => s.session_id === 'default') ? 'default' : (sessions[0]?.session_id ?? 'default');
  const manifest: ReferenceManifest = {
    version: REFERENCE_WRITE_VERSION,
    default_session_id: defaultSession,
    default_agent_id: 'default',
    current_agent_id: 'default',
    sessions,
    history: [],
    mounts: referenceMounts,
    cache: { limit: DEFAULT_CACHE_LIMIT, max_drain_bytes: null, entries: [] },
    // Our finished jobs have another shape than the reference's; the format keeps none of ours.
    jobs: [],
    fingerprints: [],
    live_only_mounts: referenceMounts.map((m) => m.prefix),
  };
  const pieces: Buffer[] = [];
  const add = (path: string, data: Uint8Array, mtimeMs: number): void => {
    pieces.push(Buffer.from(encodeEntryHeaders({ path, type: 'file', mode: 0o644, mtimeMs, size: data.length })));
    pieces.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    pieces.push(Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK));
  };
  add('manifest.json', Buffer.from(JSON.stringify(manifest, null, 2)), Date.now());
  for (const blob of blobs) add(blob.path, blob.data, blob.mtimeMs);
  pieces.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(pieces);
}

/** referenceSnapshotBytes written to `file` through a temporary name; returns the size. */
export async function writeReferenceSnapshotFile(source: SnapshotSource, file: string): Promise<number> {
  const bytes = await referenceSnapshotBytes(source);
  await mkdir(dirname(file), { recursive: true });
  const partial = `${file}.partial-${process.pid}-${Date.now()}`;
  try {
    await writeFile(partial, bytes, { mode: 0o600 });
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return bytes.length;
}
