import { Body, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { type JobBrief, type JobCanceled, type JobDetail, JobWaitDto, ListJobsQueryDto, ROUTES } from '@mirage-ts/protocol';
import { MirageController } from '../common/mirage-controller.decorator.js';
import { JobsService } from './jobs.service.js';

@MirageController()
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  /** `?workspace_id=` (or the camelCase `?workspaceId=`, renamed by the validation pipe; docs/protocol.md §1.2). */
  @Get(ROUTES.listJobs.path)
  list(@Query() query: ListJobsQueryDto): JobBrief[] {
    return this.jobs.list(query.workspace_id);
  }

  @Get(ROUTES.getJob.path)
  get(@Param('jobId') jobId: string): JobDetail {
    return this.jobs.get(jobId);
  }

  /** The body may be absent (no content-type), `null`, or `{timeout_s}`. */
  @Post(ROUTES.waitJob.path)
  @HttpCode(ROUTES.waitJob.status)
  wait(@Param('jobId') jobId: string, @Body() body: JobWaitDto): Promise<JobDetail> {
    return this.jobs.wait(jobId, body.timeout_s);
  }

  @Delete(ROUTES.cancelJob.path)
  cancel(@Param('jobId') jobId: string): JobCanceled {
    return this.jobs.cancel(jobId);
  }
}
