// Public API of @mirage-ts/workspace-core: the registry of workspaces, workspaces and their
// sessions, the job table, config validation, and the file-tree contract.
export * from './errors.js';
export * from './tree.js';
export { WorkspaceRegistry } from './registry.js';
export type { WorkspaceCoreOptions, CreateWorkspaceInput } from './registry.js';
export { Workspace, DEFAULT_OUTPUT_LIMIT_BYTES, summaryPrefix } from './workspace.js';
export type { ExecuteRequest, HistoryEntry, LiveMount } from './workspace.js';
export { JobTable } from './jobs.js';
export type { JobMeta, JobRun, JobTableOptions } from './jobs.js';
export { validateConfig, normalizePrefix, parseMode, RESOURCES } from './config.js';
export type { MountSpec, ValidatedConfig, ResourceName } from './config.js';
export { newWorkspaceId, newSessionId, isValidWorkspaceId, WORKSPACE_ID_PATTERN } from './ids.js';
// Modules written by the other helpers of this library, re-exported from the one entry point.
export * from './snapshot/index.js';
export { provisionCommand, S3_PRICING } from './provision/index.js';
export type { ProvisionContext } from './provision/index.js';
// The s3 config helpers only: S3Fs itself loads lazily (AWS SDK), see mounts/s3-loader.ts.
export { parseS3MountConfig, redactS3Config, isRedacted, S3_SECRET_KEYS } from './mounts/s3/config.js';
export type { S3MountConfig } from './mounts/s3/config.js';
