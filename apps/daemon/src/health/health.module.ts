import { Module } from '@nestjs/common';
import { HealthController } from './health.controller.js';
import { HealthRoute } from './health-route.js';
import { HealthService } from './health.service.js';

@Module({ controllers: [HealthController], providers: [HealthService, HealthRoute] })
export class HealthModule {}
