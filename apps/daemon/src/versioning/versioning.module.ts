// Versions (commit/log/diff/branch/checkout, clone) and snapshots (download, path, load). Imported
// beside the other feature modules with the shared core (registry, settings, lifecycle); the
// store's root comes from the settings (versionRoot), never from globals.
import { Module } from '@nestjs/common';
import { VersionStore } from '@mirage-ts/versioning';
import type { DaemonSettings } from '../config/daemon-settings.js';
import { MIRAGE_SETTINGS } from '../config/tokens.js';
import { RestoreService } from './restore.service.js';
import { SnapshotsController } from './snapshots.controller.js';
import { SnapshotsService } from './snapshots.service.js';
import { VersioningController } from './versioning.controller.js';
import { VersioningService } from './versioning.service.js';
import { MIRAGE_VERSIONS } from './versioning.tokens.js';

@Module({
  controllers: [VersioningController, SnapshotsController],
  providers: [
    { provide: MIRAGE_VERSIONS, useFactory: (settings: DaemonSettings) => new VersionStore({ root: settings.versionRoot }), inject: [MIRAGE_SETTINGS] },
    RestoreService,
    VersioningService,
    SnapshotsService,
  ],
  exports: [VersioningService, MIRAGE_VERSIONS],
})
export class VersioningModule {}
