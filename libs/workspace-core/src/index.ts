// Public API of @mirage-ts/workspace-core: the registry of workspaces, workspaces and their
// sessions, the job table, config validation, and the file-tree contract.
//
// Behaviour worth knowing (tested in *.spec.ts beside this file). Commands run on one of two
// engines (docs/engines.md): `builtin` (just-bash) or `sandbox` (real bash in bubblewrap, tested in
// engines/sandbox/sandbox.spec.ts and test/sandbox-engine.e2e-spec.ts); the points below are the
// builtin engine's, the registry's default.
// - Sessions keep cwd and variables between calls (each call is a fresh just-bash shell fed the
//   session's env and cwd). Shell functions, aliases and `set`/`shopt` options do NOT carry over
//   (they do on the sandbox engine).
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
// - Limits: the config's `limits` block (limits.ts, docs/limits.md) is merged with the daemon's
//   defaults and ceilings; the builtin engine enforces max_bytes (ram quota, ENOSPC), timeout_s
//   (exit 124), max_output_bytes, and maps cpu_seconds to a command budget (builtin/exec-limits.ts).
// - Output log: every job keeps its stdout/stderr as numbered chunks (output/output-log.ts), capped per
//   stream at max_output_bytes, kept with the job record; followers read it at their own pace.
// - Every workspace has /dev (null, zero, random, urandom, full, std streams), not a user mount.
// - Known just-bash divergences from GNU bash: bash-battery.spec.ts lists them with reasons.
export * from './errors.js';
export * from './tree.js';
export { WorkspaceRegistry } from './registry.js';
export type { WorkspaceCoreOptions, CreateWorkspaceInput } from './registry.js';
export { Workspace, DEFAULT_OUTPUT_LIMIT_BYTES } from './workspace.js';
export type { ExecuteRequest, LiveMount } from './workspace.js';
export { CommandHistory, HISTORY_LIMIT } from './history.js';
export type { HistoryEntry } from './history.js';
export { WorkspaceEvents } from './events.js';
export type {
  CheckedOutEvent,
  CommittedEvent,
  ExecutedEvent,
  ListenerErrorHandler,
  SessionsChangedEvent,
  WorkspaceCreatedEvent,
  WorkspaceDeletedEvent,
  WorkspaceEvent,
  WorkspaceEventListener,
  WorkspaceEventOf,
  WorkspaceEventType,
} from './events.js';
export { JobTable, EXIT_CANCELED } from './jobs.js';
export { ENGINE_CHOICES, ENGINE_NAMES } from './engines/engine.js';
export { claimSandboxRoot, sandboxRootFor } from './engines/sandbox/layout.js';
export type { EngineAvailability, EngineChoice, EngineName } from './engines/engine.js';
export * from './output/index.js';
export type { JobMeta, JobRun, JobTableOptions } from './jobs.js';
export { validateConfig, parseMode, RESOURCES } from './config.js';
export { normalizePrefix, summaryPrefix, treePrefix, holdsPath, owningMount, mountResource, configMounts } from './mount-paths.js';
export type { ConfigMount } from './mount-paths.js';
export { DEFAULT_LIMITS, LIMIT_KEYS, parseLimits, parseLimitsPolicy, resolveLimits } from './limits.js';
export type { LimitKey, LimitsPolicy, PartialLimits, WorkspaceLimits } from './limits.js';
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
