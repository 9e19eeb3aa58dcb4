// The reference project's snapshot tar (docs/protocol.md, "Reference snapshots"): a
// `manifest.json` whose byte fields are `{"__file": "<tar path>"}` references to side entries.
//   mounts/<index>/files/<N>.bin            a ram file (the manifest maps its path to N)
//   mounts/<index>/files/<relative path>    a disk file, tree-preserving
// Version 2 is what the published SDK writes; version 3 (the reference project's main) has the
// same layout. We read both and write version 2, which every reader of that project accepts.
import type { SessionState } from '../../tree.js';

export const REFERENCE_VERSIONS: readonly number[] = [2, 3];
export const REFERENCE_WRITE_VERSION = 2;
export const MOUNTS_DIR = 'mounts';

export interface FileRef {
  __file: string;
}

export interface ReferenceRamState {
  type: 'ram';
  /** Mount-relative paths with a leading slash, `/x/a.txt`. */
  files: Record<string, FileRef>;
  dirs: string[];
  /** ISO times by mount-relative path. */
  modified: Record<string, string>;
}

export interface ReferenceDiskState {
  type: 'disk';
  /** Mount-relative paths without a leading slash, `sub/d.txt`. */
  files: Record<string, FileRef>;
}

export interface ReferenceMount {
  index: number;
  /** With a trailing slash: `/data/`, `/`. */
  prefix: string;
  mode: string;
  consistency?: string;
  resource_class: string;
  resource_state: Record<string, unknown>;
}

export interface ReferenceManifest {
  version: number;
  mirage_version?: string;
  default_session_id?: string;
  default_agent_id?: string;
  current_agent_id?: string;
  sessions: SessionState[];
  history: unknown[];
  mounts: ReferenceMount[];
  cache?: { limit: number; max_drain_bytes: number | null; entries: unknown[] };
  jobs: unknown[];
  fingerprints: unknown[];
  live_only_mounts?: string[];
}

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** True for a manifest of the reference format: no `format` of ours, a version 2/3, `__file` mounts. */
export function isReferenceManifest(value: unknown): value is Record<string, unknown> {
  return (
    isMapping(value) &&
    value.format === undefined &&
    typeof value.version === 'number' &&
    Array.isArray(value.mounts) &&
    value.mounts.every((m) => isMapping(m) && 'resource_class' in m)
  );
}

export function isFileRef(value: unknown): value is FileRef {
  return isMapping(value) && typeof value.__file === 'string' && Object.keys(value).length === 1;
}
