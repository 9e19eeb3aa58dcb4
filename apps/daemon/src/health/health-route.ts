// GET /v1/health is declared on HealthController like every route, so Nest gives it the same path
// (global prefix included) and the same mirage mark; but its Fastify handler is replaced, as
// Fastify adds the route, by one that answers straight away: clients probe health before every
// call and supervisors poll it, and Nest's per-request pipeline (context, pipes, filters) is a
// measurable share of so small an answer (docs/benchmarks.md). The Host check still applies (the
// edge's onRequest hook, common/mirage-edge.ts); no token is needed.
import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ROUTES } from '@mirage-ts/protocol';
import type { RouteHandlerMethod, RouteOptions } from 'fastify';
import { fastifyOf } from '../common/mirage-edge.js';
import { mirageRouteKind } from '../common/mirage-route.js';
import { HealthService } from './health.service.js';

@Injectable()
export class HealthRoute {
  constructor(adapterHost: HttpAdapterHost, health: HealthService) {
    // Providers are built before Nest registers the routes, so the hook sees the health route.
    const answer: RouteHandlerMethod = (_request, reply) => {
      void reply.code(ROUTES.health.status).send(health.health());
    };
    fastifyOf(adapterHost).addHook('onRoute', (route: RouteOptions) => {
      if (mirageRouteKind(route.config) === 'health') route.handler = answer;
    });
  }
}
