// Workspace state that survives daemon restarts (docs/reliability.md): imported by
// MirageModule beside the feature modules, with the shared core and the versioning module (the
// version store is where a crashed daemon's files come back from).
import { Module } from '@nestjs/common';
import { WorkspaceStateService } from './state.service.js';

@Module({
  providers: [WorkspaceStateService],
  exports: [WorkspaceStateService],
})
export class StateModule {}
