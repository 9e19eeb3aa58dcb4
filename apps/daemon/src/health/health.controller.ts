import { HttpCode, Post } from '@nestjs/common';
import { ROUTES, type ShutdownResponse } from '@mirage-ts/protocol';
import { MirageController } from '../common/mirage-controller.decorator.js';
import { HealthService } from './health.service.js';

/** POST /v1/shutdown. GET /v1/health is served by HealthRoute, outside Nest's router. */
@MirageController()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** The body, if any, is ignored. */
  @Post(ROUTES.shutdown.path)
  @HttpCode(ROUTES.shutdown.status)
  shutdown(): ShutdownResponse {
    return this.health.shutdown();
  }
}
