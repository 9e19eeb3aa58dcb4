// Public API of @mirage-ts/workspace-core: the registry of workspaces, workspaces and their
// sessions, the job table, config validation, and the file-tree contract.
export * from './errors.js';
export * from './tree.js';
export { WorkspaceRegistry } from './registry.js';
export type { WorkspaceCoreOptions, CreateWorkspaceInput } from './registry.js';
export { Workspace, DEFAULT_OUTPUT_LIMIT_BYTES, REDACTED_VALUE, summaryPrefix } from './workspace.js';
export type { ExecuteRequest, HistoryEntry, LiveMount } from './workspace.js';
export { JobTable } from './jobs.js';
export type { JobMeta, JobRun, JobTableOptions } from './jobs.js';
export { validateConfig, normalizePrefix, parseMode, RESOURCES } from './config.js';
export type { MountSpec, ValidatedConfig, ResourceName } from './config.js';
export { newWorkspaceId, newSessionId, isValidWorkspaceId, WORKSPACE_ID_PATTERN } from './ids.js';
