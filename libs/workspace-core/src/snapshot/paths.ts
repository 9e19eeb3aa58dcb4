// Path rules shared by the snapshot writer and reader: tree paths are relative, `/`-separated,
// without empty, `.` or `..` segments, without NUL. Anything else in a tar is refused.
import type { WorkspaceConfig } from '@mirage-ts/protocol';
import { configMounts, mountKey, owningMount } from '../mount-paths.js';
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

/** The mounts of a config, in config order, with their backend, mode and credential state. */
export function describeMounts(config: WorkspaceConfig): SnapshotMount[] {
  return configMounts(config).map(({ prefix, resource, mode, config: settings }) => ({
    prefix,
    resource,
    mode,
    files_included: resource !== 's3',
    needs_credentials: Object.values(settings).some(isRedacted),
  }));
}

/** The tree key (mountKey) of the mount, among `keys`, that holds the tree path `path`. */
export function owningKey(path: string, keys: readonly string[]): string | undefined {
  return owningMount(keys, path, (key) => key);
}

/**
 * A test for paths of the mounts whose files belong to the workspace (ram, disk): a path of a
 * remote mount (s3) is not local. `mounts` as describeMounts gives them.
 */
export function isLocalPath(mounts: readonly SnapshotMount[]): (path: string) => boolean {
  const keys = mounts.map((m) => mountKey(m.prefix));
  const remote = new Set(mounts.filter((m) => !m.files_included).map((m) => mountKey(m.prefix)));
  return (path) => {
    const owner = owningKey(path, keys);
    return owner === undefined || !remote.has(owner);
  };
}

/**
 * The entries of the mounts whose files belong to the workspace (ram, disk): entries of remote
 * mounts (s3) are left out, as snapshots and versions keep only those mounts' config.
 */
export async function* localEntries<T extends { path: string }>(
  config: WorkspaceConfig,
  entries: Iterable<T> | AsyncIterable<T>,
): AsyncGenerator<T> {
  const isLocal = isLocalPath(describeMounts(config));
  for await (const entry of entries) if (isLocal(entry.path)) yield entry;
}

/** localEntries of a list in hand: a plain filter, without a promise per entry. */
export function localEntryList<T extends { path: string }>(config: WorkspaceConfig, entries: readonly T[]): T[] {
  const isLocal = isLocalPath(describeMounts(config));
  return entries.filter((entry) => isLocal(entry.path));
}
