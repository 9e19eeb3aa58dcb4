// The job table (docs/protocol.md §9, docs/architecture.md "Jobs"): every execute — foreground or background — is a job. Lines of
// one session run one at a time in submission order; different sessions run concurrently.
// Finished jobs are kept 3600 s after they finish and at most the newest 1024, pruned on access.
// Pruning is O(jobs pruned): finished jobs are also kept in finish order, oldest first.
// Every job keeps its output as a log (output/output-log.ts) for as long as its record; the logs of
// finished jobs share a byte budget (default 256 MiB), past which the oldest ones drop their chunks.
import { randomBytes } from 'node:crypto';
import type { JobBrief, JobCanceled, JobDetail, JobResult, JobStatus } from '@mirage-ts/protocol';
import { WorkspaceError } from './errors.js';
import { OutputLog, type OutputEnd, type OutputSink } from './output/output-log.js';
import { DEFAULT_LIMITS } from './limits.js';

export interface JobMeta {
  workspace_id: string;
  session_id: string;
  command: string;
  /** Bytes of output kept per stream (the workspace's limits.max_output_bytes). */
  output_limit_bytes?: number;
}

/** The work of a job: runs until done or `signal` aborts, handing its output to `onOutput` as it comes. */
export type JobRun = (signal: AbortSignal, onOutput: OutputSink) => Promise<JobResult>;

/** Exit codes a log's end record gives jobs that have no result of their own (as a shell does). */
export const EXIT_CANCELED = 130;

export interface JobTableOptions {
  /** Clock in milliseconds; injectable so retention can be tested without waiting an hour. */
  now?: () => number;
  retentionS?: number;
  maxFinished?: number;
  /**
   * How long a canceled running job may take to acknowledge the abort before the table marks it
   * `canceled` anyway (its session stays busy until the work really ends).
   */
  cancelGraceMs?: number;
  /** Bytes the output logs of finished jobs may hold in all; the oldest logs are emptied past it. */
  outputBudgetBytes?: number;
}

interface JobRecord extends JobDetail {
  run: JobRun;
  controller: AbortController;
  finished: Promise<JobDetail>;
  resolveFinished: (detail: JobDetail) => void;
  /** Resolves when the work itself has ended (used to hold the session lock and by close()). */
  settled: Promise<void>;
  resolveSettled: () => void;
  output: OutputLog;
}

const FINISHED: ReadonlySet<JobStatus> = new Set<JobStatus>(['done', 'failed', 'canceled']);

export class JobTable {
  private readonly records = new Map<string, JobRecord>();
  /** Finished jobs by id, in the order they finished (a Map iterates in insertion order). */
  private readonly finishedInOrder = new Map<string, JobRecord>();
  /** Per session (`workspace\0session`): the jobs waiting, first one running. */
  private readonly queues = new Map<string, JobRecord[]>();
  private readonly now: () => number;
  private readonly retentionMs: number;
  private readonly maxFinished: number;
  private readonly cancelGraceMs: number;
  /** Per workspace: when a job of it was last submitted or finished (ms, this table's clock). */
  private readonly lastActivity = new Map<string, number>();
  private readonly outputBudgetBytes: number;
  /** Bytes held by the logs of finished jobs (emptied ones excluded). */
  private finishedOutputBytes = 0;
  private closed = false;

  constructor(options: JobTableOptions = {}) {
    this.now = options.now ?? Date.now;
    this.retentionMs = (options.retentionS ?? 3600) * 1000;
    this.maxFinished = options.maxFinished ?? 1024;
    this.cancelGraceMs = options.cancelGraceMs ?? 50;
    this.outputBudgetBytes = options.outputBudgetBytes ?? 256 * 1024 * 1024;
  }

  submit(meta: JobMeta, run: JobRun): { id: string; done: Promise<JobDetail> } {
    if (this.closed) throw new WorkspaceError('busy', 'job table is closed');
    this.prune();
    let resolveFinished!: (detail: JobDetail) => void;
    const finished = new Promise<JobDetail>((resolve) => (resolveFinished = resolve));
    let resolveSettled!: () => void;
    const settled = new Promise<void>((resolve) => (resolveSettled = resolve));
    const record: JobRecord = {
      job_id: newJobId(),
      workspace_id: meta.workspace_id,
      session_id: meta.session_id,
      command: meta.command,
      status: 'pending',
      cancel_requested: false,
      submitted_at: this.seconds(),
      started_at: null,
      finished_at: null,
      result: null,
      error: null,
      run,
      controller: new AbortController(),
      finished,
      resolveFinished,
      settled,
      resolveSettled,
      output: new OutputLog({ limitBytes: meta.output_limit_bytes ?? DEFAULT_LIMITS.max_output_bytes, now: this.now }),
    };
    this.records.set(record.job_id, record);
    this.lastActivity.set(meta.workspace_id, this.now());
    const key = sessionKey(meta.workspace_id, meta.session_id);
    const queue = this.queues.get(key);
    if (queue === undefined) {
      this.queues.set(key, [record]);
      this.start(record, key);
    } else {
      queue.push(record);
    }
    return { id: record.job_id, done: finished };
  }

  list(workspaceId?: string): JobBrief[] {
    this.prune();
    const out: JobBrief[] = [];
    for (const record of this.records.values()) {
      if (workspaceId === undefined || record.workspace_id === workspaceId) out.push(brief(record));
    }
    return out;
  }

  get(id: string): JobDetail {
    return detail(this.find(id));
  }

  /** Waits until the job finishes or `timeoutS` elapses; answers the record as it stands. */
  async wait(id: string, timeoutS?: number): Promise<JobDetail> {
    const record = this.find(id);
    if (FINISHED.has(record.status)) return detail(record);
    if (timeoutS === undefined || !Number.isFinite(timeoutS)) return record.finished;
    const ms = Math.max(0, timeoutS) * 1000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    try {
      await Promise.race([record.finished, timeout]);
    } finally {
      clearTimeout(timer);
    }
    return detail(record);
  }

  /** The job's output log (404 `not_found` for an unknown or pruned job). */
  output(id: string): OutputLog {
    return this.find(id).output;
  }

  cancel(id: string): JobCanceled {
    const record = this.find(id);
    return { job_id: record.job_id, canceled: this.requestCancel(record) };
  }

  /** Cancels every unfinished job of a workspace; answers how many this call canceled. */
  cancelWorkspace(workspaceId: string): number {
    let count = 0;
    for (const record of [...this.records.values()]) {
      if (record.workspace_id === workspaceId && this.requestCancel(record)) count += 1;
    }
    return count;
  }

  cancelSession(workspaceId: string, sessionId: string): number {
    let count = 0;
    for (const record of [...this.records.values()]) {
      if (record.workspace_id === workspaceId && record.session_id === sessionId && this.requestCancel(record)) count += 1;
    }
    return count;
  }

  /**
   * Ends every unfinished job of a workspace (of one session with `sessionId`) at once: each is
   * aborted and reported `canceled` without the grace a cancel gives the exec to acknowledge, a
   * job already stopping included. Answers how many this call ended.
   */
  kill(workspaceId: string, sessionId?: string): number {
    let count = 0;
    for (const record of [...this.records.values()]) {
      if (
        record.workspace_id !== workspaceId ||
        (sessionId !== undefined && record.session_id !== sessionId) ||
        FINISHED.has(record.status)
      )
        continue;
      this.requestCancel(record);
      if (!FINISHED.has(record.status)) this.finish(record, 'canceled', null, null);
      count += 1;
    }
    return count;
  }

  /**
   * Milliseconds since a job of the workspace was last submitted or finished, 0 while one is in
   * flight; undefined when it never had one.
   */
  idleMs(workspaceId: string): number | undefined {
    const last = this.lastActivity.get(workspaceId);
    if (last === undefined) return undefined;
    return this.inFlight(workspaceId) > 0 ? 0 : this.now() - last;
  }

  /** Forgets a closed workspace's activity (a later workspace of the id starts afresh). */
  forget(workspaceId: string): void {
    this.lastActivity.delete(workspaceId);
  }

  /** Jobs of a workspace not yet finished (pending, running or stopping). */
  inFlight(workspaceId: string): number {
    let count = 0;
    for (const record of this.records.values()) {
      if (record.workspace_id === workspaceId && !FINISHED.has(record.status)) count += 1;
    }
    return count;
  }

  /** Resolves once the work of every job of the workspace (or of every job) has ended. */
  async drain(workspaceId?: string): Promise<void> {
    const pending = [...this.records.values()].filter((record) => workspaceId === undefined || record.workspace_id === workspaceId);
    await Promise.all(pending.map((record) => record.settled));
  }

  /** Stops accepting jobs, cancels every live one and waits for their work to end. */
  async close(): Promise<void> {
    this.closed = true;
    for (const record of [...this.records.values()]) this.requestCancel(record);
    await this.drain();
  }

  private find(id: string): JobRecord {
    this.prune();
    const record = this.records.get(id);
    if (record === undefined) throw new WorkspaceError('not_found', 'job not found');
    return record;
  }

  private requestCancel(record: JobRecord): boolean {
    if (FINISHED.has(record.status) || record.cancel_requested) return false;
    record.cancel_requested = true;
    if (record.status === 'pending') {
      // Never started: leave the queue at once, the body never runs.
      const key = sessionKey(record.workspace_id, record.session_id);
      const queue = this.queues.get(key);
      if (queue !== undefined) {
        const index = queue.indexOf(record);
        if (index > 0) queue.splice(index, 1);
      }
      this.finish(record, 'canceled', null, null);
      this.settle(record);
      return true;
    }
    record.status = 'stopping';
    record.controller.abort();
    // The exec normally acknowledges within milliseconds; if it does not, the job is still
    // reported canceled promptly while its session stays busy until the work really ends.
    const timer = setTimeout(() => {
      if (!FINISHED.has(record.status)) this.finish(record, 'canceled', null, null);
    }, this.cancelGraceMs);
    timer.unref?.();
    return true;
  }

  private start(record: JobRecord, key: string): void {
    if (record.status !== 'pending') {
      this.next(key);
      return;
    }
    record.status = 'running';
    record.started_at = this.seconds();
    let work: Promise<JobResult>;
    try {
      work = record.run(record.controller.signal, record.output.sink);
    } catch (error) {
      work = Promise.reject(error);
    }
    work
      .then(
        (result) => {
          if (record.cancel_requested) this.finish(record, 'canceled', null, null);
          else this.finish(record, 'done', result, null);
        },
        (error: unknown) => {
          if (record.cancel_requested) this.finish(record, 'canceled', null, null);
          else this.finish(record, 'failed', null, describeError(error));
        },
      )
      .finally(() => {
        this.settle(record);
        this.next(key);
      });
  }

  private next(key: string): void {
    const queue = this.queues.get(key);
    if (queue === undefined) return;
    queue.shift();
    // Skip jobs canceled while they waited.
    while (queue.length > 0 && queue[0].status !== 'pending') queue.shift();
    if (queue.length === 0) {
      this.queues.delete(key);
      return;
    }
    this.start(queue[0], key);
  }

  private finish(record: JobRecord, status: JobStatus, result: JobResult | null, error: string | null): void {
    if (FINISHED.has(record.status)) return;
    record.status = status;
    record.result = result;
    record.error = error;
    record.finished_at = this.seconds();
    this.lastActivity.set(record.workspace_id, this.now());
    this.finishedInOrder.set(record.job_id, record);
    record.resolveFinished(detail(record));
  }

  /**
   * The work has ended: the log gets its end record (only now, so that output a canceled command
   * still wrote on its way out is kept) and joins the finished logs' byte budget.
   */
  private settle(record: JobRecord): void {
    record.output.end(endRecord(record));
    this.finishedOutputBytes += record.output.size;
    if (this.finishedOutputBytes > this.outputBudgetBytes) {
      for (const old of this.finishedInOrder.values()) {
        if (this.finishedOutputBytes <= this.outputBudgetBytes) break;
        if (old.output.ended === undefined || old.output.discarded) continue;
        this.finishedOutputBytes -= old.output.size;
        old.output.discard();
      }
    }
    record.resolveSettled();
  }

  private prune(): void {
    const oldestKept = this.now() - this.retentionMs;
    for (const record of this.finishedInOrder.values()) {
      const expired = (record.finished_at ?? 0) * 1000 < oldestKept;
      if (!expired && this.finishedInOrder.size <= this.maxFinished) break;
      this.finishedInOrder.delete(record.job_id);
      this.records.delete(record.job_id);
      if (record.output.ended !== undefined && !record.output.discarded) this.finishedOutputBytes -= record.output.size;
    }
  }

  private seconds(): number {
    return this.now() / 1000;
  }
}

function sessionKey(workspaceId: string, sessionId: string): string {
  return `${workspaceId}\u0000${sessionId}`;
}

/** Random bytes drawn 4 KB at a time: one system call per 512 job ids instead of one each. */
const randomPool = { bytes: Buffer.alloc(0), offset: 0 };

function newJobId(): string {
  if (randomPool.offset + 8 > randomPool.bytes.length) {
    randomPool.bytes = randomBytes(4096);
    randomPool.offset = 0;
  }
  const id = randomPool.bytes.toString('hex', randomPool.offset, randomPool.offset + 8);
  randomPool.offset += 8;
  return `job_${id}`;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `Error: ${String(error)}`;
}

function endRecord(record: JobRecord): OutputEnd {
  if (record.status === 'canceled') return { status: 'canceled', exit_code: EXIT_CANCELED };
  const result = record.result;
  const exitCode = result !== null && result.kind === 'io' ? result.exit_code : result !== null ? 0 : null;
  return { status: record.status, exit_code: exitCode };
}

function brief(record: JobRecord): JobBrief {
  return {
    job_id: record.job_id,
    workspace_id: record.workspace_id,
    session_id: record.session_id,
    command: record.command,
    status: record.status,
    cancel_requested: record.cancel_requested,
    submitted_at: record.submitted_at,
    started_at: record.started_at,
    finished_at: record.finished_at,
  };
}

function detail(record: JobRecord): JobDetail {
  return { ...brief(record), result: record.result, error: record.error };
}
