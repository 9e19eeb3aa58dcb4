// Public API of @mirage-ts/workspace-core: the registry of workspaces, workspaces and their
// sessions, the job table, config validation, and the file-tree contract.
//
// Behaviour worth knowing (tested in *.spec.ts beside this file):
// - Sessions keep cwd and variables between calls (each call is a fresh just-bash shell fed the
//   session's env and cwd). Shell functions, aliases and `set`/`shopt` options do NOT carry over.
//   A call with its own `cwd` or `env` leaves the session untouched.
// - Mount modes: `read` refuses every change (exit 1, `cannot write to read-only mount /x/`); a
//   redirect into a read-only mount fails the whole command line with exit 1 (just-bash rejects
//   the exec; we map it). `write` and `exec` behave the same (just-bash runs no host programs).
// - Disk mounts are confined to their root: `..`, host symlinks and `ln -s` cannot leave it.
// - Network: `curl` exists only when WorkspaceCoreOptions.allowNetwork is true AND the config has
//   `network: {allow: [url prefixes]}`; only those prefixes (GET/HEAD) are reachable.
// - Output: stdout/stderr are text; a stream over outputLimitBytes is cut, `truncated: true` is
//   set and a line on stderr says so. Output that is not valid UTF-8 comes back as just-bash
//   renders it (bytes as Latin-1 characters).
// - Known just-bash divergences from GNU bash: bash-battery.spec.ts lists them with reasons.
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
// Daemon state that survives restarts (RELIABILITY helper's module).
export * from './state/index.js';
// File tools (read/write/edit/ls/grep/glob/tar copy) over a session's view of the namespace.
export * from './file-tools/index.js';
