// The file-tree contract between a workspace and whoever captures or restores its state
// (libs/versioning commits, snapshots, clone). Paths carry the mount prefix without a leading
// slash: `a.txt` on the root mount, `m/a.txt` on mount `/m`.

export type TreeEntryKind = 'file' | 'symlink' | 'directory';

/** One entry of a live workspace, read lazily so unchanged files need not be read. */
export interface LiveTreeEntry {
  path: string;
  kind: TreeEntryKind;
  /** Permission bits, e.g. 0o644. */
  mode: number;
  size: number;
  mtimeMs: number;
  /** Symlink target, for kind `symlink`. */
  target?: string;
  /** File bytes, for kind `file`. */
  read(): Promise<Uint8Array>;
}

/** One entry to restore into a workspace. */
export interface TreeFile {
  path: string;
  kind: TreeEntryKind;
  mode: number;
  data?: Uint8Array;
  target?: string;
  mtimeMs?: number;
}

/** A session's state that survives commits, snapshots and restarts. */
export interface SessionState {
  session_id: string;
  cwd: string;
  env: Record<string, string>;
}
