// Installs the daemon's edge on whatever Fastify server hosts it (ours or an embedding app's):
// the Host check, then bearer auth, as onRequest hooks so they run before routing (a bad Host is
// 400 even for /v1/health; an unknown path without a token is 401), and a pass-through parser for
// multipart bodies, which the execute route reads as a stream from the raw request.
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DaemonSettings } from '../config/daemon-settings.js';
import { MIRAGE_SETTINGS } from '../config/tokens.js';
import { bearerToken, tokensMatch } from './bearer-auth.js';
import { isHostAllowed } from './host-check.js';

const HEALTH_PATH = '/v1/health';
const MULTIPART = /^multipart\//i;

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

@Injectable()
export class EdgeHooksService implements OnModuleInit {
  private readonly logger = new Logger('mirage');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(MIRAGE_SETTINGS) private readonly settings: DaemonSettings,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onRequest', (request, reply, done) => {
      if (this.checkRequest(request, reply)) done();
    });
    if (!fastify.hasContentTypeParser('multipart/form-data')) {
      fastify.addContentTypeParser(MULTIPART, (_request, _payload, done) => done(null, undefined));
    }
  }

  private inScope(path: string): boolean {
    return this.settings.guardAllRoutes || path === '/v1' || path.startsWith('/v1/');
  }

  /** Answers and returns false when the request is refused. */
  private checkRequest(request: FastifyRequest, reply: FastifyReply): boolean {
    const path = pathOf(request.url);
    if (!this.inScope(path)) return true;
    const allowed = this.settings.allowedHosts;
    if (allowed !== null) {
      const host = request.headers.host;
      if (!isHostAllowed(host, allowed)) {
        this.logger.warn(`rejecting request from ${request.ip}: Host=${JSON.stringify(host ?? null)} not in allowlist ${JSON.stringify(allowed)}`);
        void reply.code(400).send({ detail: 'Invalid host header' });
        return false;
      }
    }
    const expected = this.settings.authToken;
    if (expected === null || path === HEALTH_PATH) return true;
    const given = bearerToken(request.headers.authorization);
    if (given === undefined || !tokensMatch(given, expected)) {
      this.logger.warn(`rejecting request from ${request.ip}: ${given === undefined ? 'missing bearer token' : 'bearer mismatch'}`);
      void reply.code(401).header('www-authenticate', 'Bearer').send({ detail: 'Unauthorized' });
      return false;
    }
    return true;
  }
}
