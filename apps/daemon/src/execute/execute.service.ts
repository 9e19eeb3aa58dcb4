// Runs an execute request as a job of the registry's job table (foreground ones too, so they show
// in /v1/jobs), or answers a provision dry run without running anything.
import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JobAccepted, JobResult, ProvisionResult } from '@mirage-ts/protocol';
import type { WorkspaceRegistry } from '@mirage-ts/workspace-core';
import { DaemonHttpError } from '../common/coded-error.js';
import type { DaemonSettings } from '../config/daemon-settings.js';
import { MIRAGE_REGISTRY, MIRAGE_SETTINGS } from '../config/tokens.js';
import { requireWorkspace } from '../core/require-workspace.js';
import { type ExecuteInput, readExecuteInput } from './execute-input.js';

export type ExecuteOutcome =
  | { status: 200; body: JobResult | ProvisionResult; jobId: string | undefined }
  | { status: 202; body: JobAccepted; jobId: string };

/** The HTTP exchange an execute call belongs to: its parsed body and raw request/response. */
export interface ExecuteExchange {
  body: unknown;
  request: IncomingMessage;
  response: ServerResponse;
  /** Called with the job id as soon as the job exists (to set the X-Mirage-Job-Id header). */
  onJobId(jobId: string): void;
}

@Injectable()
export class ExecuteService {
  constructor(
    @Inject(MIRAGE_REGISTRY) private readonly registry: WorkspaceRegistry,
    @Inject(MIRAGE_SETTINGS) private readonly settings: DaemonSettings,
  ) {}

  /** A refused multipart upload is not read to its end, so the connection cannot be reused. */
  private async readInput(exchange: ExecuteExchange): Promise<ExecuteInput> {
    try {
      return await readExecuteInput(exchange.body, exchange.request, this.settings.maxStdinBytes);
    } catch (error) {
      if (/^multipart\//i.test(exchange.request.headers['content-type'] ?? '') && !exchange.response.headersSent) exchange.response.setHeader('connection', 'close');
      throw error;
    }
  }

  async execute(workspaceId: string, background: boolean, exchange: ExecuteExchange): Promise<ExecuteOutcome> {
    const workspace = requireWorkspace(this.registry, workspaceId);
    const { fields, stdin } = await this.readInput(exchange);
    if (fields.provision === true) {
      const result = await workspace.provision({ command: fields.command, session_id: fields.session_id });
      return { status: 200, body: result, jobId: undefined };
    }
    const sessionId = fields.session_id ?? workspace.defaultSessionId;
    workspace.getSession(sessionId); // an unknown session is a 404 before any job exists
    const job = this.registry.jobs.submit({ workspace_id: workspace.id, session_id: sessionId, command: fields.command }, (signal) =>
      workspace.execute({ command: fields.command, session_id: sessionId, cwd: fields.cwd, env: fields.env, stdin, record: fields.record }, signal),
    );
    exchange.onJobId(job.id);
    if (background) {
      const submitted = this.registry.jobs.get(job.id);
      return { status: 202, jobId: job.id, body: { job_id: job.id, workspace_id: workspace.id, submitted_at: submitted?.submitted_at ?? Date.now() / 1000 } };
    }
    // A client that goes away before its answer is written cancels the job, like Ctrl-C.
    const cancelOnDisconnect = (): void => {
      if (!exchange.response.writableFinished) this.registry.jobs.cancel(job.id);
    };
    exchange.response.once('close', cancelOnDisconnect);
    const detail = await job.done;
    if (detail.status === 'canceled') throw new DaemonHttpError(499, 'job canceled');
    if (detail.status === 'failed' || detail.result === null) throw new DaemonHttpError(500, detail.error ?? 'execute failed');
    return { status: 200, body: detail.result, jobId: job.id };
  }
}
