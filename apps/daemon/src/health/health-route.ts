// GET /v1/health straight on the Fastify instance, outside Nest's router: clients probe it before
// every call and supervisors poll it, and Nest's per-request pipeline (context, pipes, filters)
// is a measurable share of so small an answer (docs/benchmarks.md). The Host check and bearer auth still
// apply: they are onRequest hooks (EdgeHooksService), which run for every route.
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ROUTES } from '@mirage-ts/protocol';
import type { FastifyInstance } from 'fastify';
import { HealthService } from './health.service.js';

@Injectable()
export class HealthRoute implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly health: HealthService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.get(ROUTES.health.path, (_request, reply) => {
      void reply.code(ROUTES.health.status).send(this.health.health());
    });
  }
}
