import { Inject, Injectable } from '@nestjs/common';
import type { JobBrief, JobCanceled, JobDetail, OutputRecord } from '@mirage-ts/protocol';
import { outputRecords, type WorkspaceRegistry } from '@mirage-ts/workspace-core';
import { MIRAGE_REGISTRY } from '../config/tokens.js';

/** The job table's answers as they are; an unknown or pruned id is its `not_found` (404). */
@Injectable()
export class JobsService {
  constructor(@Inject(MIRAGE_REGISTRY) private readonly registry: WorkspaceRegistry) {}

  list(workspaceId?: string): JobBrief[] {
    return this.registry.jobs.list(workspaceId);
  }

  get(jobId: string): JobDetail {
    return this.registry.jobs.get(jobId);
  }

  /** Waits for the job or the timeout (negative = 0); a timeout answers the job as it stands. */
  wait(jobId: string, timeoutS?: number): Promise<JobDetail> {
    return this.registry.jobs.wait(jobId, timeoutS === undefined ? undefined : Math.max(0, timeoutS));
  }

  /**
   * The job's output records after `since` (docs/protocol.md §17). The job is looked up now, so an
   * unknown id is a 404 before any record is answered.
   */
  output(jobId: string, since: number, follow: boolean, signal: AbortSignal): AsyncGenerator<OutputRecord> {
    const log = this.registry.jobs.output(jobId);
    return outputRecords(log, { since, follow, signal, status: () => this.registry.jobs.get(jobId).status });
  }

  cancel(jobId: string): JobCanceled {
    return this.registry.jobs.cancel(jobId);
  }
}
