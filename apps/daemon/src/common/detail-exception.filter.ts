// Every error leaves the daemon as `{"detail": string}` (docs/protocol.md §3): library errors by
// code, HTTP exceptions (validation, Fastify's body errors mapped by Nest, unknown routes) by
// status, anything else as a bare 500 whose cause goes to the log, never to the client.
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger, NotFoundException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { isNoSpaceError } from '@mirage-ts/workspace-core';
import { DaemonHttpError, isCodedError, STATUS_BY_CODE } from './coded-error.js';

export interface ErrorAnswer {
  status: number;
  detail: string;
}

function httpExceptionDetail(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return exception.message;
}

/** Maps any thrown value to the status and detail the client sees. */
export function toErrorAnswer(exception: unknown): ErrorAnswer {
  if (exception instanceof DaemonHttpError) return { status: exception.status, detail: exception.detail };
  if (isCodedError(exception)) return { status: STATUS_BY_CODE[exception.code], detail: exception.message };
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const detail = httpExceptionDetail(exception);
    // Nest's own unknown-route answer ("Cannot GET /x") becomes the plain FastAPI wording.
    if (exception instanceof NotFoundException && detail.startsWith('Cannot ')) return { status, detail: 'Not Found' };
    return { status, detail };
  }
  // A full disk (commit, snapshot to a path, ...) is the operator's to fix, not a bug: say so.
  if (isNoSpaceError(exception)) return { status: 507, detail: "insufficient storage: no space left on the daemon's disk" };
  return { status: 500, detail: 'Internal Server Error' };
}

@Catch()
export class DetailExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('mirage');

  catch(exception: unknown, host: ArgumentsHost): void {
    const answer = toErrorAnswer(exception);
    if (answer.status >= 500 && !(exception instanceof DaemonHttpError) && !isCodedError(exception)) {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (reply.sent || reply.raw.headersSent) return;
    void reply.status(answer.status).header('content-type', 'application/json; charset=utf-8').send({ detail: answer.detail });
  }
}
