// Wire types of the /v1 protocol. Responses are snake_case (as the Python client reads them; docs/protocol.md §1.2).

export type MountMode = 'read' | 'write' | 'exec';
export const MOUNT_MODES: readonly MountMode[] = ['read', 'write', 'exec'];

/** The workspace YAML document, as JSON. Validated by the daemon (libs/workspace-core). */
export interface WorkspaceConfig {
  mounts: Record<string, MountConfig>;
  mode?: string;
  [key: string]: unknown;
}

export interface MountConfig {
  resource?: string;
  vfs?: string;
  mode?: string;
  config?: Record<string, unknown>;
  [key: string]: unknown;
}

// ---- health ---------------------------------------------------------------------------------
export interface HealthResponse {
  status: 'ok';
  workspaces: number;
  uptime_s: number;
  /** Shell engines this daemon can run, and why not (docs/engines.md). Extra field of mirage-ts. */
  engines?: { name: string; available: boolean; reason?: string; notes?: string[] }[];
  /** The engine `auto` resolves to. */
  default_engine?: string;
}
export interface ShutdownResponse {
  status: 'shutting_down';
  pid: number;
}

// ---- workspaces -----------------------------------------------------------------------------
export interface MountSummary {
  prefix: string;
  /** Backend name; older clients read `resource`, newer ones `vfs`: both are sent (docs/protocol.md §6.7). */
  resource: string;
  vfs: string;
  mode: MountMode;
  description: string;
}
export interface SessionSummary {
  session_id: string;
  cwd: string;
}
export interface WorkspaceInternals {
  cache_bytes: number | null;
  cache_entries: number | null;
  /** Commands recorded since the workspace was created (the daemon keeps only the newest 1000). */
  history_length: number;
  in_flight_jobs: number;
}
export interface WorkspaceBrief {
  id: string;
  mode: MountMode;
  mount_count: number;
  session_count: number;
  created_at: number;
  /** The config's `labels:`, present only when it has some. */
  labels?: Record<string, string>;
}
export interface WorkspaceDetail {
  id: string;
  mode: MountMode;
  created_at: number;
  fuse_mountpoints: Record<string, string>;
  mounts: MountSummary[];
  sessions: SessionSummary[];
  internals: WorkspaceInternals | null;
  /** The shell engine running this workspace's commands (`builtin` or `sandbox`); mirage-ts extra. */
  engine?: string;
  /** Why that engine, when `auto` did not pick the sandbox. */
  engine_reason?: string;
  /** Limits the workspace's engine does not enforce here, each naming its config key (docs/limits.md). Extra field of mirage-ts. */
  limits_notes?: string[];
}
export interface CreateWorkspaceRequest {
  config: WorkspaceConfig;
  id?: string;
}
export interface WorkspaceClosed {
  id: string;
  closed_at: number;
}
export interface WorkspaceCanceled {
  canceled: number;
}
/**
 * `mirage workspace status`: the live workspace against the head of a branch. `head` is null
 * before the branch's first commit (then every file is `added`); `clean` when nothing differs.
 */
export interface WorkspaceStatus {
  id: string;
  branch: string;
  head: string | null;
  clean: boolean;
  added: string[];
  modified: string[];
  deleted: string[];
}
/** Answer of the kill routes: how many unfinished jobs this call ended at once. */
export interface WorkspaceKilled {
  killed: number;
}
export interface CloneLiveRequest {
  id?: string;
  override?: Partial<WorkspaceConfig>;
}
export interface CloneRequest {
  source_id: string;
  at?: string;
  id?: string;
}
/** `mirage`: our tar (the default); `reference`: the reference project's (docs/protocol.md, "Reference snapshots"). */
export type SnapshotFormat = 'mirage' | 'reference';
export const SNAPSHOT_FORMATS: readonly SnapshotFormat[] = ['mirage', 'reference'];
/** On load, what to do with s3 files changed since the snapshot: refuse (409) or load anyway. */
export type DriftPolicy = 'strict' | 'off';
export const DRIFT_POLICIES: readonly DriftPolicy[] = ['strict', 'off'];

export interface SnapshotToPathRequest {
  path: string;
  format?: SnapshotFormat;
}
export interface SnapshotWritten {
  id: string;
  path: string;
  size: number;
}
export interface LoadRequest {
  path?: string;
  id?: string;
  override?: Partial<WorkspaceConfig>;
  /** Default `strict`. */
  drift?: DriftPolicy;
}

// ---- sessions -------------------------------------------------------------------------------
export interface CreateSessionRequest {
  session_id?: string;
  mounts?: Record<string, MountMode> | null;
}
export interface SessionDeleted {
  session_id: string;
}

// ---- execute --------------------------------------------------------------------------------
export interface ExecuteRequest {
  command: string;
  session_id?: string;
  agent_id?: string;
  provision?: boolean;
  cwd?: string;
  env?: Record<string, string>;
  stdin_base64?: string;
  record?: boolean;
}
export interface IoResult {
  kind: 'io';
  exit_code: number;
  stdout: string;
  stderr: string;
  refusal: null;
  /** Set when the daemon cut stdout or stderr at its output limit (never silent). */
  truncated?: boolean;
}
export type ProvisionPrecision = 'exact' | 'range' | 'upper_bound' | 'unknown';
export interface ProvisionResult {
  kind: 'provision';
  op: string | null;
  command: string | null;
  children: ProvisionResult[];
  network_read_low: number;
  network_read_high: number;
  cache_read_low: number;
  cache_read_high: number;
  network_write_low: number;
  network_write_high: number;
  cache_write_low: number;
  cache_write_high: number;
  read_ops: number;
  cache_hits: number;
  precision: ProvisionPrecision;
  estimated_cost_usd: number | null;
}
export interface RawResult {
  kind: 'raw';
  value: string;
}
export type JobResult = IoResult | ProvisionResult | RawResult;
export interface JobAccepted {
  job_id: string;
  workspace_id: string;
  submitted_at: number;
}

// ---- jobs -----------------------------------------------------------------------------------
export type JobStatus = 'pending' | 'running' | 'stopping' | 'done' | 'failed' | 'canceled';
export const FINISHED_JOB_STATUSES: readonly JobStatus[] = ['done', 'failed', 'canceled'];
export interface JobBrief {
  job_id: string;
  workspace_id: string;
  session_id: string;
  command: string;
  status: JobStatus;
  cancel_requested: boolean;
  submitted_at: number;
  started_at: number | null;
  finished_at: number | null;
}
export interface JobDetail extends JobBrief {
  result: JobResult | null;
  error: string | null;
}
export interface JobWaitRequest {
  timeout_s?: number;
}
export interface JobCanceled {
  job_id: string;
  canceled: boolean;
}

// ---- output (docs/protocol.md §17) -------------------------------------------------------------
export type OutputStreamName = 'stdout' | 'stderr';
/** One chunk of a job's output log; `data` is the bytes as base64. */
export interface OutputChunkRecord {
  seq: number;
  ts: number;
  stream: OutputStreamName;
  data: string;
}
/**
 * The last record of a `GET /v1/jobs/{id}/output` answer: the job's status and, once it has
 * finished, its exit code (130 canceled, 124 timed out). `seq` is the newest chunk's seq, the
 * cursor to resume from; `truncated` says capture stopped at the output limit; `discarded` that
 * the chunks of this finished job were dropped to keep the daemon's output budget.
 */
export interface OutputStatusRecord {
  status: JobStatus;
  exit_code: number | null;
  seq: number;
  truncated: boolean;
  discarded: boolean;
}
export type OutputRecord = OutputChunkRecord | OutputStatusRecord;
/** A record of `POST /v1/workspaces/{id}/execute?stream=true`: chunks, then one end record. */
export interface ExecuteStreamChunk {
  seq: number;
  stream: OutputStreamName;
  data: string;
}
export interface ExecuteStreamEnd {
  status: JobStatus;
  result: JobResult | null;
  error: string | null;
}
export type ExecuteStreamRecord = ExecuteStreamChunk | ExecuteStreamEnd;

// ---- versions -------------------------------------------------------------------------------
/** The branch a commit, log, diff or branch goes to when the request names none. */
export const DEFAULT_BRANCH = 'main';

export interface CommitRequest {
  message?: string;
  branch?: string;
}
export interface CommitResponse {
  version: string;
  branch: string;
}
export interface VersionEntry {
  id: string;
  message: string;
}
export interface BranchRequest {
  name: string;
  from_branch?: string;
}
export interface BranchResponse {
  branch: string;
  version: string;
}
export interface DiffResponse {
  added: string[];
  modified: string[];
  deleted: string[];
}
export interface CheckoutRequest {
  ref: string;
}

// ---- errors ---------------------------------------------------------------------------------
/** Every error the daemon answers, whatever the status. */
export interface ErrorBody {
  detail: string;
}
