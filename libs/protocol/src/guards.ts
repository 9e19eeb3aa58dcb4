// Type guards for answers read off the wire, and the exit-code rule shared by the CLI verbs.
import type { ErrorBody, IoResult, JobAccepted, JobDetail, JobStatus, ProvisionResult, WorkspaceDetail } from './types.js';

const JOB_STATUSES: readonly string[] = ['pending', 'running', 'stopping', 'done', 'failed', 'canceled'];

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isErrorBody(value: unknown): value is ErrorBody {
  return isRecord(value) && typeof value.detail === 'string';
}

export function isJobStatus(value: unknown): value is JobStatus {
  return typeof value === 'string' && JOB_STATUSES.includes(value);
}

/** An IO result in either spelling (`exit_code`, or the early TS `exitCode`). */
export function isIoResult(value: unknown): value is IoResult {
  return isRecord(value) && value.kind === 'io' && typeof value.stdout === 'string' && typeof value.stderr === 'string';
}

export function isProvisionResult(value: unknown): value is ProvisionResult {
  return isRecord(value) && value.kind === 'provision' && Array.isArray(value.children);
}

export function isJobDetail(value: unknown): value is JobDetail {
  return isRecord(value) && typeof value.job_id === 'string' && isJobStatus(value.status) && 'result' in value;
}

export function isJobAccepted(value: unknown): value is JobAccepted {
  return isRecord(value) && typeof (value.job_id ?? value.jobId) === 'string' && !('status' in value);
}

export function isWorkspaceDetail(value: unknown): value is WorkspaceDetail {
  return isRecord(value) && typeof value.id === 'string' && Array.isArray(value.mounts) && Array.isArray(value.sessions);
}

/** Exit code of a command that was interrupted (Ctrl-C) or whose job was canceled (128 + SIGINT). */
export const EXIT_CANCELED = 130;

/**
 * The process exit code a CLI verb should end with for an execute/job answer (docs/cli.md §3):
 * the command's own code clamped to 0..255; without one, 130 for a canceled job, 2 for a failed
 * one; else 0.
 */
export function exitCodeFromResponse(response: unknown): number {
  if (!isRecord(response)) return 0;
  const inner = response.kind === 'io' ? response : isRecord(response.result) ? response.result : undefined;
  if (inner !== undefined && inner.kind === 'io') {
    const code = inner.exit_code ?? inner.exitCode;
    if (typeof code === 'number' && Number.isFinite(code)) return Math.min(255, Math.max(0, Math.trunc(code)));
  }
  if (response.status === 'canceled') return EXIT_CANCELED;
  if (response.status === 'failed') return 2;
  return 0;
}
