// Snapshots of a workspace: download (a streamed tar), write to a path under the snapshot root,
// and load (from such a path or an upload) into a new workspace through the versions' restorer.
import { Module } from '@nestjs/common';
import { MirageCoreModule } from '../core/mirage-core.module.js';
import { VersionsModule } from '../versions/versions.module.js';
import { SnapshotsController } from './snapshots.controller.js';
import { SnapshotsService } from './snapshots.service.js';

@Module({ imports: [MirageCoreModule, VersionsModule], controllers: [SnapshotsController], providers: [SnapshotsService] })
export class SnapshotsModule {}
