// Brings a saved workspace back into a registry: config and id from workspace.json, sessions
// (with their mount-mode ceilings, so a restart never widens a session's rights) from
// sessions.json, and the ram contents from the newest of: the graceful-stop snapshot, the head of
// the branch last committed to. Disk mounts keep their own files on the host and are not
// rewritten; s3 mounts hold their data in the bucket.
import { DEFAULT_BRANCH, type MountMode, type WorkspaceConfig } from '@mirage-ts/protocol';
import type { WorkspaceRegistry } from '../registry.js';
import { readSnapshotFile } from '../snapshot/read.js';
import { mountKey } from '../mount-paths.js';
import { owningKey } from '../snapshot/paths.js';
import type { TreeFile } from '../tree.js';
import { applyTree } from '../tree-io.js';
import type { Workspace } from '../workspace.js';
import type { StoredWorkspace } from './state-store.js';

/** Where the ram contents came from. */
export type RestoredFrom = 'snapshot' | 'version' | 'none';

export interface RestoreSources {
  /** Files of the head of `branch` in the workspace's version history, or null when it has none. */
  readVersion?(id: string, branch: string): Promise<TreeFile[] | null>;
  /** Told when a source could not be used and the next one was tried. */
  warn?(message: string): void;
}

export interface RestoredWorkspace {
  workspace: Workspace;
  from: RestoredFrom;
}

async function chooseFiles(stored: StoredWorkspace, sources: RestoreSources): Promise<{ files: TreeFile[]; from: RestoredFrom }> {
  const commit = stored.record.last_commit;
  if (stored.snapshot !== null) {
    try {
      const loaded = await readSnapshotFile(stored.snapshot);
      // A commit made after the snapshot (the daemon ran on, then crashed) is newer: prefer it.
      if (commit === null || loaded.manifest.created_at * 1000 >= commit.at) return { files: loaded.files, from: 'snapshot' };
    } catch (error) {
      sources.warn?.(`workspace ${stored.id}: snapshot ${stored.snapshot} unusable (${(error as Error).message}); trying its versions`);
    }
  }
  if (sources.readVersion !== undefined) {
    const branches = commit !== null && commit.branch !== DEFAULT_BRANCH ? [commit.branch, DEFAULT_BRANCH] : [DEFAULT_BRANCH];
    for (const branch of branches) {
      const files = await sources.readVersion(stored.id, branch);
      if (files !== null) return { files, from: 'version' };
    }
  }
  return { files: [], from: 'none' };
}

/** Writes the ram files of `files` into the workspace's ram mounts (below the mode guard: read-only ones too). */
async function fillRamMounts(workspace: Workspace, files: readonly TreeFile[]): Promise<void> {
  const mounts = workspace.userMounts;
  const keys = mounts.map((mount) => mountKey(mount.prefix));
  for (const mount of mounts) {
    if (mount.resource !== 'ram') continue;
    const key = mountKey(mount.prefix);
    const mine: TreeFile[] = [];
    for (const file of files) {
      if (owningKey(file.path, keys) !== key) continue;
      const relative = key === '' ? file.path : file.path.slice(key.length + 1);
      if (relative !== '') mine.push({ ...file, path: relative });
    }
    await applyTree(mount.backend, mine);
  }
}

/**
 * Creates the workspace of `stored` in `registry`. On any failure the half-built workspace is
 * removed again and the error is rethrown (the caller logs it and keeps the state folder).
 */
export async function restoreStoredWorkspace(
  registry: WorkspaceRegistry,
  stored: StoredWorkspace,
  sources: RestoreSources = {},
): Promise<RestoredWorkspace> {
  const { files, from } = await chooseFiles(stored, sources);
  const config: WorkspaceConfig = stored.record.config;
  const workspace = await registry.create({ config, id: stored.id });
  try {
    for (const session of stored.sessions) {
      if (session.session_id === workspace.defaultSessionId) continue;
      workspace.createSession({
        session_id: session.session_id,
        ...(session.mounts ? { mounts: session.mounts as Record<string, MountMode> } : {}),
      });
    }
    workspace.restoreSessions(stored.sessions.map(({ session_id, cwd, env }) => ({ session_id, cwd, env })));
    await fillRamMounts(workspace, files);
  } catch (error) {
    await registry.delete(stored.id).catch(() => undefined);
    throw error;
  }
  return { workspace, from };
}
