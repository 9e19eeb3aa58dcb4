import { Body, Delete, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  type JobBrief,
  type JobCanceled,
  type JobDetail,
  JobOutputQueryDto,
  JobWaitDto,
  ListJobsQueryDto,
  type OutputRecord,
  ROUTES,
} from '@mirage-ts/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DaemonHttpError } from '../common/coded-error.js';
import { clientGone } from '../common/http-input.js';
import { sendRecords, streamFormat, type StreamedRecord } from '../common/http-stream.js';
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

  /**
   * `?since=<seq>&follow=true`: NDJSON, or SSE for `Accept: text/event-stream` (where `Last-Event-ID`
   * stands in for a missing `since`). docs/protocol.md §17.
   */
  @Get(ROUTES.jobOutput.path)
  output(
    @Param('jobId') jobId: string,
    @Query() query: JobOutputQueryDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): FastifyReply {
    const format = streamFormat(request);
    const since = query.since ?? (format === 'sse' ? lastEventId(request) : undefined) ?? '0';
    const records = this.jobs.output(jobId, Number(since), query.follow === 'true', clientGone(reply));
    return sendRecords(reply, asEvents(records), format);
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

function lastEventId(request: FastifyRequest): string | undefined {
  const value = request.headers['last-event-id'];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value))
    throw new DaemonHttpError(400, 'Last-Event-ID must be a non-negative integer (a seq)');
  return value;
}

async function* asEvents(records: AsyncIterable<OutputRecord>): AsyncGenerator<StreamedRecord> {
  for await (const record of records) {
    if ('stream' in record) yield { record, event: 'output', id: record.seq };
    else yield { record, event: 'status' };
  }
}
