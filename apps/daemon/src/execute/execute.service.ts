// Runs an execute request as a job of the registry's job table (foreground ones too, so they show
// in /v1/jobs), or answers a provision dry run without running anything.
import { Inject, Injectable } from '@nestjs/common';
import type { ExecuteStreamRecord, JobAccepted, JobDetail, JobResult, ProvisionResult } from '@mirage-ts/protocol';
import { chunkRecord, isOutputEnd, type Workspace, type WorkspaceRegistry } from '@mirage-ts/workspace-core';
import { DaemonError } from '../common/coded-error.js';
import { MIRAGE_REGISTRY } from '../config/tokens.js';
import { requireWorkspace } from '../core/require-workspace.js';
import type { ExecuteInput } from './execute-input.js';

export type ExecuteOutcome =
  { status: 200; body: JobResult | ProvisionResult; jobId: string | undefined } | { status: 202; body: JobAccepted; jobId: string };

export interface ExecuteOptions {
  /** Answer 202 with the job id at once instead of waiting for the result. */
  background: boolean;
  /** Aborted when the caller goes away: a foreground job is then canceled, like Ctrl-C. */
  cancel: AbortSignal;
  /** Called with the job id as soon as the job exists (to set the X-Mirage-Job-Id header). */
  onJobId(jobId: string): void;
}

@Injectable()
export class ExecuteService {
  constructor(@Inject(MIRAGE_REGISTRY) private readonly registry: WorkspaceRegistry) {}

  requireWorkspace(workspaceId: string): Workspace {
    return requireWorkspace(this.registry, workspaceId);
  }

  async execute(workspaceId: string, input: ExecuteInput, options: ExecuteOptions): Promise<ExecuteOutcome> {
    const workspace = requireWorkspace(this.registry, workspaceId);
    const { fields } = input;
    if (fields.provision === true) {
      const result = await workspace.provision({ command: fields.command, session_id: fields.session_id });
      return { status: 200, body: result, jobId: undefined };
    }
    const job = this.submit(workspace, input);
    options.onJobId(job.id);
    if (options.background) {
      const submitted = this.registry.jobs.get(job.id);
      return {
        status: 202,
        jobId: job.id,
        body: { job_id: job.id, workspace_id: workspace.id, submitted_at: submitted?.submitted_at ?? Date.now() / 1000 },
      };
    }
    const cancel = (): void => void this.registry.jobs.cancel(job.id);
    if (options.cancel.aborted) cancel();
    else options.cancel.addEventListener('abort', cancel, { once: true });
    const detail = await job.done;
    options.cancel.removeEventListener('abort', cancel);
    if (detail.status === 'canceled') throw new DaemonError('canceled', 'job canceled');
    if (detail.status === 'failed' || detail.result === null) throw new DaemonError('internal', detail.error ?? 'execute failed');
    return { status: 200, body: detail.result, jobId: job.id };
  }

  /**
   * `?stream=true` (docs/protocol.md §17.3): the job's output chunks as they come, then its end
   * record. Throws (404/422) before any record when the workspace or session is unknown. The
   * caller going away (`cancel`) cancels the job, as for a foreground execute.
   */
  async executeStreaming(
    workspaceId: string,
    input: ExecuteInput,
    cancel: AbortSignal,
  ): Promise<{ jobId: string | undefined; records: AsyncGenerator<ExecuteStreamRecord> }> {
    const workspace = requireWorkspace(this.registry, workspaceId);
    if (input.fields.provision === true) {
      const result = await workspace.provision({ command: input.fields.command, session_id: input.fields.session_id });
      return { jobId: undefined, records: only({ status: 'done', result, error: null }) };
    }
    const job = this.submit(workspace, input);
    const onGone = (): void => void this.registry.jobs.cancel(job.id);
    if (cancel.aborted) onGone();
    else cancel.addEventListener('abort', onGone, { once: true });
    const log = this.registry.jobs.output(job.id);
    const records = async function* (): AsyncGenerator<ExecuteStreamRecord> {
      try {
        for await (const record of log.follow(0, cancel)) {
          if (isOutputEnd(record)) break;
          const { seq, stream, data } = chunkRecord(record);
          yield { seq, stream, data };
        }
        if (cancel.aborted) return;
        const detail: JobDetail = await job.done;
        yield {
          status: detail.status,
          result: detail.result,
          error: detail.status === 'failed' ? (detail.error ?? 'execute failed') : detail.error,
        };
      } finally {
        cancel.removeEventListener('abort', onGone);
      }
    };
    return { jobId: job.id, records: records() };
  }

  private submit(workspace: Workspace, { fields, stdin }: ExecuteInput): { id: string; done: Promise<JobDetail> } {
    const sessionId = fields.session_id ?? workspace.defaultSessionId;
    workspace.getSession(sessionId); // an unknown session is a 404 before any job exists
    const meta = {
      workspace_id: workspace.id,
      session_id: sessionId,
      command: fields.command,
      output_limit_bytes: workspace.limits.max_output_bytes,
    };
    return this.registry.jobs.submit(meta, (signal, onOutput) =>
      workspace.execute(
        { command: fields.command, session_id: sessionId, cwd: fields.cwd, env: fields.env, stdin, record: fields.record },
        signal,
        onOutput,
      ),
    );
  }
}

async function* only<T>(record: T): AsyncGenerator<T> {
  yield record;
}
