import { Inject, Injectable } from '@nestjs/common';
import type { JobBrief, JobCanceled, JobDetail } from '@mirage-ts/protocol';
import { WorkspaceError, type WorkspaceRegistry } from '@mirage-ts/workspace-core';
import { MIRAGE_REGISTRY } from '../config/tokens.js';

const jobNotFound = (): WorkspaceError => new WorkspaceError('not_found', 'job not found');

@Injectable()
export class JobsService {
  constructor(@Inject(MIRAGE_REGISTRY) private readonly registry: WorkspaceRegistry) {}

  list(workspaceId?: string): JobBrief[] {
    return this.registry.jobs.list(workspaceId);
  }

  get(jobId: string): JobDetail {
    const job = this.registry.jobs.get(jobId);
    if (job === undefined) throw jobNotFound();
    return job;
  }

  /** Waits for the job or the timeout (negative = 0); a timeout answers the job as it stands. */
  async wait(jobId: string, timeoutS?: number): Promise<JobDetail> {
    this.get(jobId);
    const job = await this.registry.jobs.wait(jobId, timeoutS === undefined ? undefined : Math.max(0, timeoutS));
    if (job === undefined) throw jobNotFound();
    return job;
  }

  cancel(jobId: string): JobCanceled {
    this.get(jobId);
    return { job_id: jobId, canceled: this.registry.jobs.cancel(jobId) };
  }
}
