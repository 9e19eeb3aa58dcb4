// Workspace state that survives daemon restarts (docs/reliability.md): imported by
// MirageModule beside the feature modules, with the shared core and the versions module (the
// version store is where a crashed daemon's files come back from).
import { Module } from '@nestjs/common';
import { MirageCoreModule } from '../core/mirage-core.module.js';
import { VersionsModule } from '../versions/versions.module.js';
import { WorkspaceStateService } from './state.service.js';

@Module({
  imports: [MirageCoreModule, VersionsModule],
  providers: [WorkspaceStateService],
  exports: [WorkspaceStateService],
})
export class StateModule {}
