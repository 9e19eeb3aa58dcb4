import { Module } from '@nestjs/common';
import { MirageCoreModule } from '../core/mirage-core.module.js';
import { JobsController } from './jobs.controller.js';
import { JobsService } from './jobs.service.js';

@Module({ imports: [MirageCoreModule], controllers: [JobsController], providers: [JobsService], exports: [JobsService] })
export class JobsModule {}
