import { Module } from '@nestjs/common';
import { MirageCoreModule } from '../core/mirage-core.module.js';
import { SessionsController } from './sessions.controller.js';
import { SessionsService } from './sessions.service.js';

@Module({ imports: [MirageCoreModule], controllers: [SessionsController], providers: [SessionsService] })
export class SessionsModule {}
