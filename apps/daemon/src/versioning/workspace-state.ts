// What versions and snapshots read from a live workspace, in the shapes the libraries take.
// Only local mounts (ram, disk) contribute files; s3 mounts are kept as config.
import type { LiveTreeEntry, SnapshotSource, TreeFile, Workspace } from '@mirage-ts/workspace-core';
import { localEntries } from '@mirage-ts/workspace-core';
import type { LiveState } from '@mirage-ts/versioning';

async function localTree(workspace: Workspace): Promise<AsyncGenerator<LiveTreeEntry>> {
  return localEntries(workspace.redactedConfig(), await workspace.listTree());
}

export async function liveState(workspace: Workspace): Promise<LiveState> {
  return { entries: await localTree(workspace), sessions: workspace.sessionStates(), config: workspace.redactedConfig() };
}

export async function snapshotSource(workspace: Workspace): Promise<SnapshotSource> {
  return { id: workspace.id, config: workspace.redactedConfig(), sessions: workspace.sessionStates(), entries: await localTree(workspace) };
}

/** The local files of a workspace, read into memory, to restore into a clone. */
export async function copyOfTree(workspace: Workspace): Promise<TreeFile[]> {
  const files: TreeFile[] = [];
  for await (const entry of await localTree(workspace)) {
    const file: TreeFile = { path: entry.path, kind: entry.kind, mode: entry.mode, mtimeMs: entry.mtimeMs };
    if (entry.kind === 'file') file.data = await entry.read();
    if (entry.kind === 'symlink') file.target = entry.target;
    files.push(file);
  }
  return files;
}
