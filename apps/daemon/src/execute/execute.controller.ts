import { HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ExecuteQueryDto,
  type ExecuteStreamRecord,
  JOB_ID_HEADER,
  type JobAccepted,
  type JobResult,
  type ProvisionResult,
  ROUTES,
} from '@mirage-ts/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DaemonHttpError } from '../common/coded-error.js';
import { clientGone, readingBody } from '../common/http-input.js';
import { sendRecords, type StreamedRecord } from '../common/http-stream.js';
import { MirageController } from '../common/mirage-controller.decorator.js';
import type { DaemonSettings } from '../config/daemon-settings.js';
import { MIRAGE_SETTINGS } from '../config/tokens.js';
import { readExecuteInput } from './execute-input.js';
import { ExecuteService } from './execute.service.js';

@MirageController()
export class ExecuteController {
  constructor(
    private readonly executor: ExecuteService,
    @Inject(MIRAGE_SETTINGS) private readonly settings: DaemonSettings,
  ) {}

  /**
   * JSON or multipart body (multipart is streamed from the raw request, not parsed by Fastify).
   * `?stream=true` answers NDJSON records as the command runs (docs/protocol.md §17.3).
   */
  @Post(ROUTES.execute.path)
  @HttpCode(ROUTES.execute.status)
  async execute(
    @Param('id') id: string,
    @Query() query: ExecuteQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<JobResult | ProvisionResult | JobAccepted | FastifyReply> {
    // An unknown workspace is a 404 before the body is read.
    this.executor.requireWorkspace(id);
    if (query.stream === 'true' && query.background === 'true') throw new DaemonHttpError(400, 'stream and background exclude each other');
    const input = await readingBody(request, reply, () => readExecuteInput(request.body, request.raw, this.settings.maxStdinBytes));
    if (query.stream === 'true') {
      const { jobId, records } = await this.executor.executeStreaming(id, input, clientGone(reply));
      return sendRecords(reply, asRecords(records), 'ndjson', jobId === undefined ? {} : { [JOB_ID_HEADER]: jobId });
    }
    const outcome = await this.executor.execute(id, input, {
      background: query.background === 'true',
      cancel: clientGone(reply),
      onJobId: (jobId) => void reply.header(JOB_ID_HEADER, jobId),
    });
    void reply.status(outcome.status);
    return outcome.body;
  }
}

async function* asRecords(records: AsyncIterable<ExecuteStreamRecord>): AsyncGenerator<StreamedRecord> {
  for await (const record of records) yield { record };
}
