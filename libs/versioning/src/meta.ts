// `.mirage-meta.json`, stored at the root of every version's tree: what git does not keep
// (exact modes, directories, sessions, the mounts and their redacted config). Diffs never list it.
import type { WorkspaceConfig } from '@mirage-ts/protocol';
import { configMounts, type SessionState } from '@mirage-ts/workspace-core';

export const META_PATH = '.mirage-meta.json';
export const META_FORMAT = 1;

export interface MetaMount {
  prefix: string;
  resource: string;
  mode: string;
}

export interface VersionMeta {
  format: number;
  /** The workspace config with credentials redacted, to build a workspace from the version. */
  config: WorkspaceConfig | null;
  mounts: MetaMount[];
  sessions: SessionState[];
  /** Exact permission bits of files and symlinks whose git mode (644/755/link) loses them. */
  modes: Record<string, number>;
  /** Every directory with its mode (git keeps no directories, empty ones would vanish). */
  dirs: Record<string, number>;
}

export function mountsOf(config: WorkspaceConfig | null | undefined): MetaMount[] {
  if (config === null || config === undefined) return [];
  return configMounts(config).map(({ prefix, resource, mode }) => ({ prefix, resource, mode }));
}

/** Serialised with sorted keys so unchanged state gives an identical blob. */
export function encodeMeta(meta: VersionMeta): Buffer {
  const sortedRecord = (record: Record<string, number>) =>
    Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const ordered: VersionMeta = { ...meta, modes: sortedRecord(meta.modes), dirs: sortedRecord(meta.dirs) };
  return Buffer.from(`${JSON.stringify(ordered, null, 1)}\n`);
}

export function decodeMeta(bytes: Buffer | null): VersionMeta {
  const empty: VersionMeta = { format: META_FORMAT, config: null, mounts: [], sessions: [], modes: {}, dirs: {} };
  if (bytes === null) return empty;
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as Partial<VersionMeta>;
    return { ...empty, ...parsed };
  } catch {
    return empty;
  }
}
