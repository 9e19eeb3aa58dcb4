// What versions and snapshots read from a live workspace, in the shapes the libraries take.
// Only local mounts (ram, disk) contribute files; s3 mounts are kept as config.
import { FINISHED_JOB_STATUSES, type JobDetail } from '@mirage-ts/protocol';
import {
  localEntryList,
  type JobTable,
  type LiveTreeEntry,
  type SnapshotSource,
  type TreeFile,
  type Workspace,
} from '@mirage-ts/workspace-core';
import type { LiveState } from '@mirage-ts/versioning';

async function localTree(workspace: Workspace): Promise<LiveTreeEntry[]> {
  return localEntryList(workspace.redactedConfig(), await workspace.listTree());
}

export async function liveState(workspace: Workspace): Promise<LiveState> {
  return { entries: await localTree(workspace), sessions: workspace.sessionStates(), config: workspace.redactedConfig() };
}

/** The snapshot of a workspace; `jobs` are its finished jobs, kept in the manifest for the record. */
export async function snapshotSource(workspace: Workspace, jobs: readonly JobDetail[] = []): Promise<SnapshotSource> {
  return {
    id: workspace.id,
    config: workspace.redactedConfig(),
    sessions: workspace.sessionStates(),
    entries: await localTree(workspace),
    jobs,
    s3Files: await workspace.s3Fingerprints(),
  };
}

/** The local files of a workspace, read into memory, to restore into a clone. */
export async function copyOfTree(workspace: Workspace): Promise<TreeFile[]> {
  const files: TreeFile[] = [];
  for (const entry of await localTree(workspace)) {
    const file: TreeFile = { path: entry.path, kind: entry.kind, mode: entry.mode, mtimeMs: entry.mtimeMs };
    if (entry.kind === 'file') file.data = await entry.read();
    if (entry.kind === 'symlink') file.target = entry.target;
    files.push(file);
  }
  return files;
}

/** Finished jobs of a workspace (running ones are not part of a snapshot). */
export function finishedJobs(jobs: JobTable, workspaceId: string): JobDetail[] {
  return jobs
    .list(workspaceId)
    .filter((job) => FINISHED_JOB_STATUSES.includes(job.status))
    .map((job) => jobs.get(job.job_id));
}
