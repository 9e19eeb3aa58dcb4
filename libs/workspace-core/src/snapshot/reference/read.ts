// Turns a reference snapshot (format.ts here), already read from its tar, into what a load of
// ours restores: a workspace config, sessions and a checked tree. Every `__file` reference and
// every file path is checked before anything is built: an absolute, `..` or NUL path is refused.
import type { MountConfig, WorkspaceConfig } from '@mirage-ts/protocol';
import { WorkspaceError } from '../../errors.js';
import { mountKey, normalizePrefix } from '../../mount-paths.js';
import type { SessionState, TreeFile } from '../../tree.js';
import { SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_VERSION, type SnapshotManifest } from '../format.js';
import { describeMounts, safeTreePath } from '../paths.js';
import { isFileRef, REFERENCE_VERSIONS, type ReferenceMount } from './format.js';

const FILE_MODE = 0o644;
const DIR_MODE = 0o755;
const RESOURCES = new Set(['ram', 'disk']);

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function refuse(reason: string): WorkspaceError {
  return new WorkspaceError('invalid', `load failed: ${reason}`);
}

export interface ReferenceLoad {
  manifest: SnapshotManifest;
  files: TreeFile[];
}

/** `blobs`: the tar's entries other than manifest.json, by their (already safe) tar path. */
export function fromReference(value: Record<string, unknown>, blobs: ReadonlyMap<string, Uint8Array>): ReferenceLoad {
  if (typeof value.version !== 'number' || !REFERENCE_VERSIONS.includes(value.version)) {
    throw refuse(
      `reference snapshot version ${String(value.version)} is not supported (this daemon reads ${REFERENCE_VERSIONS.join(', ')})`,
    );
  }
  const mounts = value.mounts as unknown[];
  const config: WorkspaceConfig = { mounts: {} };
  const files = new Map<string, TreeFile>();
  const put = (file: TreeFile): void => {
    const existing = files.get(file.path);
    if (existing !== undefined && !(existing.kind === 'directory' && file.kind === 'directory'))
      throw refuse(`path ${JSON.stringify(file.path)} appears twice`);
    files.set(file.path, file);
  };
  const addParents = (path: string): void => {
    const segments = path.split('/');
    for (let i = 1; i < segments.length; i += 1) {
      const parent = segments.slice(0, i).join('/');
      if (!files.has(parent)) files.set(parent, { path: parent, kind: 'directory', mode: DIR_MODE });
    }
  };
  for (const raw of mounts) {
    const mount = checkedMount(raw);
    const prefix = normalizePrefix(mount.prefix);
    if (prefix === undefined) throw refuse(`mount prefix ${JSON.stringify(mount.prefix)} is not an absolute path`);
    if (config.mounts[prefix] !== undefined) throw refuse(`mount ${prefix} appears twice`);
    const block: MountConfig = { resource: mount.resource_class, mode: mount.mode };
    if (mount.resource_class === 'disk') block.config = {};
    config.mounts[prefix] = block;
    const key = mountKey(prefix);
    const inMount = (relative: string, what: string): string => {
      const path = safeTreePath(relative.startsWith('/') ? relative.slice(1) : relative);
      if (path === null) throw refuse(`mount ${mount.prefix}: unsafe ${what} ${JSON.stringify(relative)}`);
      return key === '' ? path : `${key}/${path}`;
    };
    const state = mount.resource_state;
    const modified = isMapping(state.modified) ? state.modified : {};
    const mtimeOf = (relative: string): number | undefined => {
      const iso = modified[relative];
      const ms = typeof iso === 'string' ? Date.parse(iso) : Number.NaN;
      return Number.isFinite(ms) ? ms : undefined;
    };
    if (mount.resource_class === 'ram' && Array.isArray(state.dirs)) {
      for (const dir of state.dirs as unknown[]) {
        if (typeof dir !== 'string') throw refuse(`mount ${mount.prefix}: a directory name is not a string`);
        if (dir === '/' || dir === '') continue;
        const path = inMount(dir, 'directory path');
        addParents(path);
        put({ path, kind: 'directory', mode: DIR_MODE, mtimeMs: mtimeOf(dir) });
      }
    }
    if (!isMapping(state.files)) throw refuse(`mount ${mount.prefix}: resource_state has no files`);
    for (const [relative, ref] of Object.entries(state.files)) {
      const path = inMount(relative, 'file path');
      if (!isFileRef(ref)) throw refuse(`mount ${mount.prefix}: file ${JSON.stringify(relative)} is not a {"__file": ...} reference`);
      const blob = safeTreePath(ref.__file);
      if (blob === null) throw refuse(`unsafe blob path ${JSON.stringify(ref.__file)}`);
      const data = blobs.get(blob);
      if (data === undefined) throw refuse(`blob ${JSON.stringify(ref.__file)} is not in the archive`);
      addParents(path);
      put({ path, kind: 'file', mode: FILE_MODE, data, mtimeMs: mtimeOf(relative) });
    }
  }
  // Nothing may lie beneath a file (a ram dir and a file of the same name, say).
  for (const file of files.values()) {
    const segments = file.path.split('/');
    for (let i = 1; i < segments.length; i += 1) {
      const ancestor = files.get(segments.slice(0, i).join('/'));
      if (ancestor !== undefined && ancestor.kind !== 'directory') throw refuse(`${file.path} lies beneath file ${ancestor.path}`);
    }
  }
  const manifest: SnapshotManifest = {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_FORMAT_VERSION,
    workspace_id: '',
    created_at: Date.now() / 1000,
    config,
    mounts: describeMounts(config),
    sessions: checkedSessions(value.sessions),
  };
  const sorted = [...files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { manifest, files: sorted };
}

function checkedMount(raw: unknown): ReferenceMount {
  if (!isMapping(raw) || typeof raw.prefix !== 'string' || typeof raw.resource_class !== 'string' || !isMapping(raw.resource_state)) {
    throw refuse('a mount of the reference manifest lacks prefix, resource_class or resource_state');
  }
  if (!RESOURCES.has(raw.resource_class)) {
    throw refuse(`mount ${raw.prefix}: resource ${JSON.stringify(raw.resource_class)} is not served here (ram and disk are)`);
  }
  const mode = typeof raw.mode === 'string' ? raw.mode.toLowerCase() : 'read';
  return { ...(raw as unknown as ReferenceMount), mode };
}

function checkedSessions(value: unknown): SessionState[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw refuse('reference manifest sessions is not a list');
  return value.map((session: unknown) => {
    if (!isMapping(session) || typeof session.session_id !== 'string' || typeof session.cwd !== 'string' || !isMapping(session.env)) {
      throw refuse('reference manifest has a malformed session');
    }
    const env: Record<string, string> = {};
    for (const [name, v] of Object.entries(session.env)) if (typeof v === 'string') env[name] = v;
    return { session_id: session.session_id, cwd: session.cwd, env };
  });
}
