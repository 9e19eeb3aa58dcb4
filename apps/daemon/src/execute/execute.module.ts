import { Module } from '@nestjs/common';
import { MirageCoreModule } from '../core/mirage-core.module.js';
import { ExecuteController } from './execute.controller.js';
import { ExecuteService } from './execute.service.js';

@Module({ imports: [MirageCoreModule], controllers: [ExecuteController], providers: [ExecuteService], exports: [ExecuteService] })
export class ExecuteModule {}
