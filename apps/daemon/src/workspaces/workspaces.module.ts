import { Module } from '@nestjs/common';
import { MirageCoreModule } from '../core/mirage-core.module.js';
import { VersionsModule } from '../versions/versions.module.js';
import { WorkspacesController } from './workspaces.controller.js';
import { WorkspacesService } from './workspaces.service.js';

/** A workspace delete drops its version history too (docs/protocol.md §6.5): hence VersionsModule. */
@Module({
  imports: [MirageCoreModule, VersionsModule],
  controllers: [WorkspacesController],
  providers: [WorkspacesService],
  exports: [WorkspacesService],
})
export class WorkspacesModule {}
