import { Get, HttpCode, Post } from '@nestjs/common';
import { type HealthResponse, ROUTES, type ShutdownResponse } from '@mirage-ts/protocol';
import { MirageController } from '../common/mirage-controller.decorator.js';
import { MirageRoute } from '../common/mirage-route.js';
import { HealthService } from './health.service.js';

@MirageController()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** Answered by HealthRoute's direct handler; this body is what it answers. */
  @Get(ROUTES.health.path)
  @MirageRoute('health')
  healthCheck(): HealthResponse {
    return this.health.health();
  }

  /** The body, if any, is ignored. Refused (409) when embedded without an exit callback. */
  @Post(ROUTES.shutdown.path)
  @HttpCode(ROUTES.shutdown.status)
  shutdown(): ShutdownResponse {
    return this.health.shutdown();
  }
}
