// Reads a snapshot tar (format.ts) into memory, refusing anything that could land outside its
// place: absolute or `..` paths, entries beneath a symlink or a file, links, devices, duplicates.
// Nothing is written here; the caller restores the checked tree into a workspace.
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { Parser, type ReadEntry } from 'tar';
import { WorkspaceError } from '../errors.js';
import type { SessionState, TreeFile } from '../tree.js';
import { FILES_DIR, MANIFEST_ENTRY, SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_VERSION, type SnapshotManifest } from './format.js';
import { mountKey } from '../mount-paths.js';
import { owningKey, safeTreePath } from './paths.js';
import { MOUNTS_DIR, isReferenceManifest } from './reference/format.js';
import { fromReference } from './reference/read.js';

export interface LoadedSnapshot {
  manifest: SnapshotManifest;
  /** Files, directories and symlinks of the local mounts, parents before children. */
  files: TreeFile[];
  /** `reference`: the tar was the reference project's format (reference/format.ts), detected by its manifest. */
  origin: 'mirage' | 'reference';
}

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

function refuse(reason: string): WorkspaceError {
  return new WorkspaceError('invalid', `load failed: ${reason}`);
}

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads a snapshot from tar bytes (a stream, or a whole buffer). Throws WorkspaceError('invalid'). */
export async function readSnapshot(input: Readable | Uint8Array): Promise<LoadedSnapshot> {
  let manifestBytes: Buffer | undefined;
  const files = new Map<string, TreeFile>();
  // Side entries of a reference snapshot (mounts/...), resolved once the manifest is known.
  const blobs = new Map<string, Uint8Array>();
  let failure: WorkspaceError | undefined;

  const parser = new Parser({ strict: true });
  const parsed = new Promise<void>((resolve, reject) => {
    parser.on('error', (error: Error) => {
      // Stop reading a bad upload but drain it, so the caller can still answer the request.
      if (!(input instanceof Uint8Array)) {
        input.unpipe(parser);
        input.resume();
      }
      reject(error instanceof WorkspaceError ? error : refuse(`not a valid tar archive (${error.message})`));
    });
    parser.on('end', () => resolve());
  });
  parser.on('entry', (entry: ReadEntry) => {
    try {
      if (failure !== undefined) {
        entry.resume();
        return;
      }
      const collect = (done: (data: Buffer) => void): void => {
        const chunks: Buffer[] = [];
        entry.on('data', (chunk: Buffer) => chunks.push(chunk));
        entry.on('end', () => done(Buffer.concat(chunks)));
      };
      const name = entry.path.startsWith('./') ? entry.path.slice(2) : entry.path;
      if (name === MANIFEST_ENTRY && FILE_TYPES.has(entry.type)) {
        if (manifestBytes !== undefined) throw refuse('manifest.json appears twice');
        collect((data) => (manifestBytes = data));
        return;
      }
      if (name === '' || name === '.' || name === FILES_DIR || name === `${FILES_DIR}/`) {
        entry.resume();
        return;
      }
      if (name === MOUNTS_DIR || name.startsWith(`${MOUNTS_DIR}/`)) {
        const blob = safeTreePath(name);
        if (blob === null) throw refuse(`unsafe blob path ${JSON.stringify(entry.path)}`);
        if (entry.type === 'Directory') {
          entry.resume();
          return;
        }
        if (!FILE_TYPES.has(entry.type)) throw refuse(`entry ${JSON.stringify(entry.path)} has unsupported type ${entry.type}`);
        if (blobs.has(blob)) throw refuse(`entry ${JSON.stringify(entry.path)} appears twice`);
        collect((data) => blobs.set(blob, new Uint8Array(data.buffer, data.byteOffset, data.length)));
        return;
      }
      const path = name.startsWith(`${FILES_DIR}/`) ? safeTreePath(name.slice(FILES_DIR.length + 1)) : null;
      if (path === null) throw refuse(`unsafe or unexpected entry ${JSON.stringify(entry.path)}`);
      if (files.has(path)) throw refuse(`entry ${JSON.stringify(entry.path)} appears twice`);
      const mode = (entry.mode ?? 0o644) & 0o777;
      const mtimeMs = entry.mtime?.getTime();
      if (FILE_TYPES.has(entry.type)) {
        const file: TreeFile = { path, kind: 'file', mode, mtimeMs };
        files.set(path, file);
        collect((data) => (file.data = new Uint8Array(data.buffer, data.byteOffset, data.length)));
        return;
      }
      if (entry.type === 'Directory') {
        files.set(path, { path, kind: 'directory', mode: (entry.mode ?? 0o755) & 0o777, mtimeMs });
      } else if (entry.type === 'SymbolicLink') {
        const target = entry.linkpath ?? '';
        if (target === '' || target.includes('\0')) throw refuse(`symlink ${JSON.stringify(entry.path)} has no usable target`);
        files.set(path, { path, kind: 'symlink', mode: 0o777, target, mtimeMs });
      } else {
        throw refuse(`entry ${JSON.stringify(entry.path)} has unsupported type ${entry.type}`);
      }
      entry.resume();
    } catch (error) {
      failure ??= error instanceof WorkspaceError ? error : refuse(String(error));
      entry.resume();
    }
  });

  if (input instanceof Uint8Array) {
    parser.end(Buffer.from(input.buffer, input.byteOffset, input.byteLength));
  } else {
    input.on('error', (error) => parser.emit('error', refuse(`snapshot upload failed (${error.message})`)));
    input.pipe(parser);
  }
  await parsed;
  if (failure !== undefined) throw failure;
  if (manifestBytes === undefined) throw refuse('not a mirage snapshot (no manifest.json)');
  const value = parseJson(manifestBytes);
  if (isReferenceManifest(value)) {
    if (files.size > 0) throw refuse(`a reference snapshot has no ${FILES_DIR}/ entries`);
    return { ...fromReference(value, blobs), origin: 'reference' };
  }
  if (blobs.size > 0) throw refuse(`unsafe or unexpected entry ${JSON.stringify(`${[...blobs.keys()][0]}`)}`);
  const manifest = parseManifest(value);
  return { manifest, files: checkedTree(files, manifest), origin: 'mirage' };
}

/** Reads a snapshot file; a missing or unreadable file is `snapshot not found: <displayName>`. */
export async function readSnapshotFile(file: string, displayName = file): Promise<LoadedSnapshot> {
  try {
    await access(file);
  } catch {
    throw new WorkspaceError('invalid', `snapshot not found: ${displayName}`);
  }
  return readSnapshot(createReadStream(file));
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    throw refuse('manifest.json is not JSON');
  }
}

function parseManifest(value: unknown): SnapshotManifest {
  if (!isMapping(value) || value.format !== SNAPSHOT_FORMAT) throw refuse('not a mirage snapshot (manifest format)');
  if (typeof value.version !== 'number' || value.version < 1 || value.version > SNAPSHOT_FORMAT_VERSION) {
    throw refuse(`snapshot format version ${String(value.version)} is not supported (this daemon reads 1..${SNAPSHOT_FORMAT_VERSION})`);
  }
  if (!isMapping(value.config) || !isMapping(value.config.mounts)) throw refuse('manifest has no config mounts');
  if (!Array.isArray(value.mounts) || !Array.isArray(value.sessions)) throw refuse('manifest lacks mounts or sessions');
  for (const session of value.sessions as unknown[]) {
    if (!isSessionState(session)) throw refuse('manifest has a malformed session');
  }
  return value as unknown as SnapshotManifest;
}

function isSessionState(value: unknown): value is SessionState {
  return (
    isMapping(value) &&
    typeof value.session_id === 'string' &&
    typeof value.cwd === 'string' &&
    isMapping(value.env) &&
    Object.values(value.env).every((v) => typeof v === 'string')
  );
}

/** Drops files of remote (s3) mounts and refuses entries nested under a symlink or a file. */
function checkedTree(files: Map<string, TreeFile>, manifest: SnapshotManifest): TreeFile[] {
  const keys = manifest.mounts.map((m) => mountKey(m.prefix));
  const remote = new Set(manifest.mounts.filter((m) => m.files_included === false).map((m) => mountKey(m.prefix)));
  const kept: TreeFile[] = [];
  for (const file of files.values()) {
    const segments = file.path.split('/');
    for (let i = 1; i < segments.length; i += 1) {
      const ancestor = files.get(segments.slice(0, i).join('/'));
      if (ancestor !== undefined && ancestor.kind !== 'directory') {
        throw refuse(`entry files/${file.path} lies beneath ${ancestor.kind} files/${ancestor.path}`);
      }
    }
    const owner = owningKey(file.path, keys);
    if (owner !== undefined && remote.has(owner)) continue;
    kept.push(file);
  }
  return kept.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
