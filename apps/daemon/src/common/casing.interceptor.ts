// Renames the top-level fields of a JSON body and of the query string to snake_case, once, before
// the pipes validate them. Nested values (a workspace `config`) belong to the user and are kept.
import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { isRecord } from '@mirage-ts/protocol';
import type { FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { normalizeRequestFields } from './request-fields.js';

@Injectable()
export class CasingInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (isRecord(request.body)) request.body = normalizeRequestFields(request.body);
    const query = request.query as Record<string, unknown> | undefined;
    if (query !== undefined && query !== null && typeof query === 'object') request.query = normalizeRequestFields({ ...query });
    return next.handle();
  }
}
