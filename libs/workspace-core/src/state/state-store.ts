// The daemon's record of the workspaces it holds, so that a restarted daemon brings them back
// (docs/architecture.md, "Persistence"). One folder per workspace under `<stateRoot>/workspaces/<id>/`:
//   workspace.json       id, created_at, the config AS GIVEN (credentials included: mode 0600,
//                        folders 0700 — the same protection as $MIRAGE_HOME/auth_token), last commit
//   sessions.json        every session's cwd, env and mount-mode ceilings (mode 0600)
//   snapshot.tar         written on a graceful stop: the ram contents (our snapshot format,
//                        credentials redacted); absent after a crash
//   restore-error.json   present when the last start could not restore the workspace
// Every file is replaced atomically (atomic.ts). Nothing here is served over HTTP.
import { chmod, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkspaceConfig } from '@mirage-ts/protocol';
import { isRecord } from '@mirage-ts/protocol';
import { WorkspaceError } from '../errors.js';
import { isValidWorkspaceId } from '../ids.js';
import { writeSnapshotFile, type SnapshotSource } from '../snapshot/write.js';
import type { SessionState } from '../tree.js';
import { TEMPORARY_NAME, writeFileAtomic } from './atomic.js';

export const STATE_FORMAT = 'mirage-workspace-state';
export const STATE_FORMAT_VERSION = 1;
export const WORKSPACES_DIR = 'workspaces';
export const WORKSPACE_FILE = 'workspace.json';
export const SESSIONS_FILE = 'sessions.json';
export const SNAPSHOT_FILE = 'snapshot.tar';
export const RESTORE_ERROR_FILE = 'restore-error.json';

/** A session as persisted: its state plus the mount-mode ceilings it was created with. */
export interface PersistedSession extends SessionState {
  /** `{"/data": "read"}` as sent at session create; absent or null for no ceilings. */
  mounts?: Record<string, string> | null;
}

export interface LastCommit {
  branch: string;
  /** Unix milliseconds. */
  at: number;
}

export interface WorkspaceStateRecord {
  format: typeof STATE_FORMAT;
  version: number;
  id: string;
  /** Unix seconds, as the workspace reports it. */
  created_at: number;
  /** The config the workspace was built from, credentials included. */
  config: WorkspaceConfig;
  /** The last version committed while this daemon held the workspace, or null. */
  last_commit: LastCommit | null;
}

export interface StoredWorkspace {
  id: string;
  dir: string;
  record: WorkspaceStateRecord;
  sessions: PersistedSession[];
  /** Path of the graceful-stop snapshot, or null when there is none. */
  snapshot: string | null;
}

function corrupt(file: string, reason: string): WorkspaceError {
  return new WorkspaceError('invalid', `state file ${file} is unusable: ${reason}`);
}

async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw corrupt(file, 'not JSON');
  }
}

function parseRecord(value: unknown, file: string, id: string): WorkspaceStateRecord {
  if (!isRecord(value) || value.format !== STATE_FORMAT) throw corrupt(file, 'not a mirage workspace state');
  if (typeof value.version !== 'number' || value.version < 1 || value.version > STATE_FORMAT_VERSION) {
    throw corrupt(file, `format version ${String(value.version)} is not supported (this daemon reads 1..${STATE_FORMAT_VERSION})`);
  }
  if (value.id !== id) throw corrupt(file, `it names workspace ${JSON.stringify(value.id)}, not ${JSON.stringify(id)}`);
  if (!isRecord(value.config) || !isRecord(value.config.mounts)) throw corrupt(file, 'no config mounts');
  const commit = value.last_commit;
  const lastCommit =
    isRecord(commit) && typeof commit.branch === 'string' && typeof commit.at === 'number'
      ? { branch: commit.branch, at: commit.at }
      : null;
  return {
    format: STATE_FORMAT,
    version: value.version,
    id,
    created_at: typeof value.created_at === 'number' ? value.created_at : Date.now() / 1000,
    config: value.config as unknown as WorkspaceConfig,
    last_commit: lastCommit,
  };
}

function parseSessions(value: unknown, file: string): PersistedSession[] {
  if (!isRecord(value) || !Array.isArray(value.sessions)) throw corrupt(file, 'no sessions list');
  return value.sessions.map((session: unknown) => {
    if (!isRecord(session) || typeof session.session_id !== 'string' || typeof session.cwd !== 'string' || !isRecord(session.env)) {
      throw corrupt(file, 'a malformed session');
    }
    const env: Record<string, string> = {};
    for (const [key, entry] of Object.entries(session.env)) if (typeof entry === 'string') env[key] = entry;
    const mounts = isRecord(session.mounts) ? (session.mounts as Record<string, string>) : null;
    return { session_id: session.session_id, cwd: session.cwd, env, mounts };
  });
}

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

export class WorkspaceStateStore {
  readonly root: string;
  readonly workspacesDir: string;

  constructor(stateRoot: string) {
    this.root = stateRoot;
    this.workspacesDir = join(stateRoot, WORKSPACES_DIR);
  }

  /**
   * Creates the folders (0700) and proves they are writable by writing a small file, so a
   * full disk or an unusable home stops the daemon at start rather than at its first write.
   */
  async prepare(): Promise<void> {
    await mkdir(this.workspacesDir, { recursive: true, mode: 0o700 });
    await chmod(this.root, 0o700);
    await chmod(this.workspacesDir, 0o700);
    const probe = join(this.root, '.write-probe');
    await writeFileAtomic(probe, `${process.pid}\n`.repeat(64));
    await rm(probe, { force: true });
  }

  /** The folder of workspace `id`; refuses an id that is not one safe path segment. */
  dirOf(id: string): string {
    if (!isValidWorkspaceId(id)) throw new WorkspaceError('invalid', `invalid workspace id: ${id}`);
    return join(this.workspacesDir, id);
  }

  /** Ids with a state folder, in no particular order (folders with invalid names are ignored). */
  async ids(): Promise<string[]> {
    let entries;
    try {
      entries = await readdir(this.workspacesDir, { withFileTypes: true });
    } catch {
      return [];
    }
    return entries.filter((entry) => entry.isDirectory() && isValidWorkspaceId(entry.name)).map((entry) => entry.name);
  }

  /** Reads a workspace's saved state, removing temporary files a crash left behind first. */
  async load(id: string): Promise<StoredWorkspace> {
    const dir = this.dirOf(id);
    for (const name of await readdir(dir)) if (TEMPORARY_NAME.test(name)) await rm(join(dir, name), { force: true });
    const recordFile = join(dir, WORKSPACE_FILE);
    if (!(await exists(recordFile))) throw corrupt(recordFile, 'missing');
    const record = parseRecord(await readJson(recordFile), recordFile, id);
    const sessionsFile = join(dir, SESSIONS_FILE);
    const sessions = (await exists(sessionsFile)) ? parseSessions(await readJson(sessionsFile), sessionsFile) : [];
    const snapshot = join(dir, SNAPSHOT_FILE);
    return { id, dir, record, sessions, snapshot: (await exists(snapshot)) ? snapshot : null };
  }

  /**
   * Writes workspace.json. `fresh`: the id is new to this daemon, so whatever an earlier
   * workspace of the same id left (sessions, snapshot, restore error) is removed first.
   */
  async saveRecord(record: WorkspaceStateRecord, options: { fresh?: boolean } = {}): Promise<void> {
    const dir = this.dirOf(record.id);
    if (options.fresh === true) await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(join(dir, WORKSPACE_FILE), `${JSON.stringify(record, null, 2)}\n`);
  }

  async saveSessions(id: string, sessions: readonly PersistedSession[]): Promise<void> {
    const dir = this.dirOf(id);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(join(dir, SESSIONS_FILE), `${JSON.stringify({ sessions }, null, 2)}\n`);
  }

  /** Writes the graceful-stop snapshot (atomic; credentials redacted by the snapshot writer). */
  async saveSnapshot(id: string, source: SnapshotSource): Promise<number> {
    return writeSnapshotFile(source, join(this.dirOf(id), SNAPSHOT_FILE));
  }

  async dropSnapshot(id: string): Promise<void> {
    await rm(join(this.dirOf(id), SNAPSHOT_FILE), { force: true });
  }

  /** Marks a workspace that could not be restored; its folder is kept as it is for inspection. */
  async markFailed(id: string, reason: string): Promise<void> {
    await writeFileAtomic(
      join(this.dirOf(id), RESTORE_ERROR_FILE),
      `${JSON.stringify({ at: Date.now() / 1000, error: reason }, null, 2)}\n`,
    );
  }

  async clearFailed(id: string): Promise<void> {
    await rm(join(this.dirOf(id), RESTORE_ERROR_FILE), { force: true });
  }

  /** Forgets a deleted workspace. */
  async remove(id: string): Promise<void> {
    await rm(this.dirOf(id), { recursive: true, force: true });
  }
}
