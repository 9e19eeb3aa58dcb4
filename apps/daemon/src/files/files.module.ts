import { Module } from '@nestjs/common';
import { MirageCoreModule } from '../core/mirage-core.module.js';
import { FilesController } from './files.controller.js';
import { FilesService } from './files.service.js';

@Module({ imports: [MirageCoreModule], controllers: [FilesController], providers: [FilesService], exports: [FilesService] })
export class FilesModule {}
