// The snapshot tar format, version 1. A plain POSIX (ustar + pax) tar, readable by any `tar`:
//   manifest.json        what the workspace was: config (credentials redacted), mounts, sessions, jobs
//   files/<path>         each file, directory and symlink of the local mounts, with mode and mtime
// Paths under files/ carry the mount prefix without a leading slash (`a.txt`, `m/a.txt`), as
// the tree contract (tree.ts) does. Files of s3 mounts are not stored: the bucket is the data,
// the manifest keeps the mount's config.
import type { JobDetail, WorkspaceConfig } from '@mirage-ts/protocol';
import type { S3Fingerprint } from '../mounts/s3/fingerprint.js';
import type { SessionState } from '../tree.js';

export const SNAPSHOT_FORMAT = 'mirage-snapshot';
export const SNAPSHOT_FORMAT_VERSION = 1;
export const MANIFEST_ENTRY = 'manifest.json';
export const FILES_DIR = 'files';

export interface SnapshotMount {
  /** As written in the config, e.g. `/` or `/data`. */
  prefix: string;
  resource: string;
  mode: string;
  /** False for mounts whose data lives elsewhere (s3): only their config is kept. */
  files_included: boolean;
  /** True when the config had credentials that were redacted: load needs them again. */
  needs_credentials: boolean;
}

export interface SnapshotManifest {
  format: typeof SNAPSHOT_FORMAT;
  version: number;
  workspace_id: string;
  created_at: number;
  /** The workspace config with every credential replaced by `<redacted>`. */
  config: WorkspaceConfig;
  mounts: SnapshotMount[];
  sessions: SessionState[];
  /**
   * Per s3 mount (by prefix), each file's ETag and VersionId at snapshot time; a load compares
   * them with the bucket (drift). Optional: older snapshots have none.
   */
  s3_files?: Record<string, S3Fingerprint[]>;
  /** Finished jobs, for the record; optional. */
  jobs?: JobDetail[];
}
