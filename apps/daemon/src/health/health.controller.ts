import { Get, HttpCode, Post } from '@nestjs/common';
import { type HealthResponse, ROUTES, type ShutdownResponse } from '@mirage-ts/protocol';
import { MirageController } from '../common/mirage-controller.decorator.js';
import { HealthService } from './health.service.js';

@MirageController()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get(ROUTES.health.path)
  status(): HealthResponse {
    return this.health.health();
  }

  /** The body, if any, is ignored. */
  @Post(ROUTES.shutdown.path)
  @HttpCode(ROUTES.shutdown.status)
  shutdown(): ShutdownResponse {
    return this.health.shutdown();
  }
}
