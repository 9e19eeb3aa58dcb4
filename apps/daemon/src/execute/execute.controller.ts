import { HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { BackgroundQueryDto, JOB_ID_HEADER, type JobAccepted, type JobResult, type ProvisionResult, ROUTES } from '@mirage-ts/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MirageController } from '../common/mirage-controller.decorator.js';
import { ExecuteService } from './execute.service.js';

@MirageController()
export class ExecuteController {
  constructor(private readonly executor: ExecuteService) {}

  /** JSON or multipart body (read by the service: multipart is streamed from the raw request). */
  @Post(ROUTES.execute.path)
  @HttpCode(ROUTES.execute.status)
  async execute(
    @Param('id') id: string,
    @Query() query: BackgroundQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<JobResult | ProvisionResult | JobAccepted> {
    const outcome = await this.executor.execute(id, query.background === 'true', {
      body: request.body,
      request: request.raw,
      response: reply.raw,
      onJobId: (jobId) => void reply.header(JOB_ID_HEADER, jobId),
    });
    void reply.status(outcome.status);
    return outcome.body;
  }
}
