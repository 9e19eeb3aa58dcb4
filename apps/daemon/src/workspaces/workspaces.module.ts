import { Module } from '@nestjs/common';
import { MirageCoreModule } from '../core/mirage-core.module.js';
import { VersionsModule } from '../versions/versions.module.js';
import { WorkspacesController } from './workspaces.controller.js';
import { WorkspacesService } from './workspaces.service.js';

/** A workspace delete drops its version history too (protocol.md §3.2, era B): hence VersionsModule. */
@Module({
  imports: [MirageCoreModule, VersionsModule],
  controllers: [WorkspacesController],
  providers: [WorkspacesService],
  exports: [WorkspacesService],
})
export class WorkspacesModule {}
