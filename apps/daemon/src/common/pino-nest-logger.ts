// Routes Nest's log lines into Fastify's pino logger, so the daemon writes one JSON log stream.
import type { LoggerService } from '@nestjs/common';
import type { FastifyBaseLogger } from 'fastify';

export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: FastifyBaseLogger) {}

  private line(message: unknown, params: unknown[]): { msg: string; context?: string } {
    const context = params.length > 0 && typeof params[params.length - 1] === 'string' ? (params[params.length - 1] as string) : undefined;
    return { msg: typeof message === 'string' ? message : JSON.stringify(message), ...(context === undefined ? {} : { context }) };
  }

  log(message: unknown, ...params: unknown[]): void {
    const { msg, context } = this.line(message, params);
    this.pino.info({ context }, msg);
  }
  error(message: unknown, ...params: unknown[]): void {
    const { msg, context } = this.line(message, params);
    this.pino.error({ context }, msg);
  }
  warn(message: unknown, ...params: unknown[]): void {
    const { msg, context } = this.line(message, params);
    this.pino.warn({ context }, msg);
  }
  debug(message: unknown, ...params: unknown[]): void {
    const { msg, context } = this.line(message, params);
    this.pino.debug({ context }, msg);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    const { msg, context } = this.line(message, params);
    this.pino.trace({ context }, msg);
  }
}
