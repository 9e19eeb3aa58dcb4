import { Module } from '@nestjs/common';
import { MirageCoreModule } from '../core/mirage-core.module.js';
import { HealthController } from './health.controller.js';
import { HealthRoute } from './health-route.js';
import { HealthService } from './health.service.js';

@Module({ imports: [MirageCoreModule], controllers: [HealthController], providers: [HealthService, HealthRoute] })
export class HealthModule {}
