// Path rules shared by the snapshot writer and reader: tree paths are relative, `/`-separated,
// without empty, `.` or `..` segments, without NUL. Anything else in a tar is refused.
import type { WorkspaceConfig } from '@mirage-ts/protocol';
import { isRedacted } from '../mounts/s3/config.js';
import type { SnapshotMount } from './format.js';

/** The tree path, or null when `path` is not a safe relative path. A trailing `/` is dropped. */
export function safeTreePath(path: string): string | null {
  if (path.length === 0 || path.includes('\0') || path.startsWith('/')) return null;
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  const segments = trimmed.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return null;
  return segments.join('/');
}

/** `/data/` → `data`, `/` → `` (the root mount). */
export function mountKey(prefix: string): string {
  return prefix.split('/').filter((s) => s !== '').join('/');
}

/** The mounts of a config, in config order, with their backend, mode and credential state. */
export function describeMounts(config: WorkspaceConfig): SnapshotMount[] {
  const mounts: SnapshotMount[] = [];
  const defaultMode = typeof config.mode === 'string' ? config.mode.toLowerCase() : 'write';
  for (const [prefix, mount] of Object.entries(config.mounts ?? {})) {
    const resource = String(mount.resource ?? mount.vfs ?? '');
    const mode = typeof mount.mode === 'string' ? mount.mode.toLowerCase() : defaultMode;
    const settings = mount.config ?? {};
    mounts.push({
      prefix,
      resource,
      mode,
      files_included: resource !== 's3',
      needs_credentials: Object.values(settings).some(isRedacted),
    });
  }
  return mounts;
}

/** The key (see mountKey) of the mount that holds `path`: the longest matching prefix. */
export function owningMount(path: string, keys: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const key of keys) {
    const matches = key === '' || path === key || path.startsWith(`${key}/`);
    if (matches && (best === undefined || key.length > best.length)) best = key;
  }
  return best;
}

/**
 * A test for paths of the mounts whose files belong to the workspace (ram, disk): a path of a
 * remote mount (s3) is not local. `mounts` as describeMounts gives them.
 */
export function isLocalPath(mounts: readonly SnapshotMount[]): (path: string) => boolean {
  const keys = mounts.map((m) => mountKey(m.prefix));
  const remote = new Set(mounts.filter((m) => !m.files_included).map((m) => mountKey(m.prefix)));
  return (path) => {
    const owner = owningMount(path, keys);
    return owner === undefined || !remote.has(owner);
  };
}

/**
 * The entries of the mounts whose files belong to the workspace (ram, disk): entries of remote
 * mounts (s3) are left out, as snapshots and versions keep only those mounts' config.
 */
export async function* localEntries<T extends { path: string }>(config: WorkspaceConfig, entries: Iterable<T> | AsyncIterable<T>): AsyncGenerator<T> {
  const isLocal = isLocalPath(describeMounts(config));
  for await (const entry of entries) if (isLocal(entry.path)) yield entry;
}

/** localEntries of a list in hand: a plain filter, without a promise per entry. */
export function localEntryList<T extends { path: string }>(config: WorkspaceConfig, entries: readonly T[]): T[] {
  const isLocal = isLocalPath(describeMounts(config));
  return entries.filter((entry) => isLocal(entry.path));
}
