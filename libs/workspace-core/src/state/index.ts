// Workspace state that outlives the daemon process: the store (state-store.ts), crash-safe writes
// (atomic.ts), and restoring a saved workspace into a registry (restore.ts).
export { isNoSpaceError, TEMPORARY_NAME, writeFileAtomic } from './atomic.js';
export {
  RESTORE_ERROR_FILE,
  SESSIONS_FILE,
  SNAPSHOT_FILE,
  STATE_FORMAT,
  STATE_FORMAT_VERSION,
  WORKSPACE_FILE,
  WORKSPACES_DIR,
  WorkspaceStateStore,
  type LastCommit,
  type PersistedSession,
  type StoredWorkspace,
  type WorkspaceStateRecord,
} from './state-store.js';
export { restoreStoredWorkspace, type RestoredFrom, type RestoredWorkspace, type RestoreSources } from './restore.js';
