// The daemon's edge on whatever Fastify server hosts it (ours or an embedding app's): the Host
// check, then bearer auth, run as onRequest hooks, before the body is read. Embedded, the hook is
// attached to each route mirage registers (found by its route mark, common/mirage-route.ts, as
// Fastify adds it), so it holds under any global prefix and the host's own routes keep their own
// rules. Standalone (`guardAllRoutes`), one hook guards every path: a bad Host is 400 even for
// health, an unknown path without a token is 401. Also here: a pass-through parser for multipart
// bodies (read as a stream by common/http-input.ts) and bodiless JSON requests treated as bodiless.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { DaemonConfigError } from '@mirage-ts/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler, RouteOptions } from 'fastify';
import type { DaemonSettings } from '../config/daemon-settings.js';
import { MIRAGE_SETTINGS } from '../config/tokens.js';
import { bearerToken, tokensMatch } from './bearer-auth.js';
import { toErrorAnswer } from './detail-exception.filter.js';
import { isHostAllowed } from './host-check.js';
import { mirageRouteKind } from './mirage-route.js';

const MULTIPART = /^multipart\//i;
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** The Fastify instance behind a Nest application; a clear start-up error for any other adapter. */
export function fastifyOf(adapterHost: HttpAdapterHost): FastifyInstance {
  const adapter = adapterHost.httpAdapter as HttpAdapterHost['httpAdapter'] | undefined;
  const type = adapter?.getType();
  if (adapter === undefined || type !== 'fastify') {
    throw new DaemonConfigError(
      `MirageModule needs a Nest application on Fastify (new FastifyAdapter() from @nestjs/platform-fastify); this one runs on ${type ?? 'no HTTP adapter'}`,
    );
  }
  return adapter.getInstance<FastifyInstance>();
}

const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

@Injectable()
export class MirageEdge {
  private readonly logger = new Logger('mirage');

  constructor(
    adapterHost: HttpAdapterHost,
    @Inject(MIRAGE_SETTINGS) private readonly settings: DaemonSettings,
  ) {
    // Providers are built before Nest registers the routes, so the onRoute hook sees every one.
    const fastify = fastifyOf(adapterHost);
    const guard: onRequestHookHandler = (request, reply, done) => this.admit(request, reply, done);
    if (settings.guardAllRoutes) {
      fastify.addHook('onRequest', guard);
    } else {
      // Errors raised by Fastify itself before Nest runs (a bad JSON body, an unsupported type,
      // a body over the limit) reach the host's error handler; mirage's routes answer {detail}.
      const adapter = adapterHost.httpAdapter;
      const answerError: NonNullable<RouteOptions['errorHandler']> = (error, _request, reply) => {
        const answer = toErrorAnswer(adapter.mapException(error));
        void reply.code(answer.status).header('content-type', 'application/json; charset=utf-8').send({ detail: answer.detail });
      };
      fastify.addHook('onRoute', (route: RouteOptions) => {
        if (mirageRouteKind(route.config) === undefined) return;
        route.onRequest = [guard, ...asArray(route.onRequest)];
        route.errorHandler ??= answerError;
      });
    }
    if (!fastify.hasContentTypeParser('multipart/form-data')) {
      fastify.addContentTypeParser(MULTIPART, (_request, _payload, done) => done(null, undefined));
    }
  }

  private admit(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const allowed = this.settings.allowedHosts;
    if (allowed !== null) {
      const host = request.headers.host;
      if (!isHostAllowed(host, allowed)) {
        this.logger.warn(
          `rejecting request from ${request.ip}: Host=${JSON.stringify(host ?? null)} not in allowlist ${JSON.stringify(allowed)}`,
        );
        void reply.code(400).send({ detail: 'Invalid host header' });
        return;
      }
    }
    const expected = this.settings.authToken;
    if (expected !== null && mirageRouteKind(request.routeOptions.config) !== 'health') {
      const given = bearerToken(request.headers.authorization);
      if (given === undefined || !tokensMatch(given, expected)) {
        this.logger.warn(`rejecting request from ${request.ip}: ${given === undefined ? 'missing bearer token' : 'bearer mismatch'}`);
        void reply.code(401).header('www-authenticate', 'Bearer').send({ detail: 'Unauthorized' });
        return;
      }
    }
    dropEmptyJsonType(request);
    done();
  }
}

/**
 * Many HTTP clients send `Content-Type: application/json` on a request without a body (a DELETE,
 * a bodiless POST). Fastify refuses an empty JSON body; without the type it is simply absent, and
 * a route whose body is optional reads `{}` (request-validation.pipe.ts) while one that needs
 * fields answers 400 naming them.
 */
function dropEmptyJsonType(request: FastifyRequest): void {
  const headers = request.headers;
  const type = headers['content-type'];
  if (type === undefined || headers['transfer-encoding'] !== undefined) return;
  const length = headers['content-length'];
  if ((length === undefined || length === '0') && JSON_TYPE.test(type)) delete headers['content-type'];
}
