// Versions of a workspace over libs/versioning: commit, log, diff, branch, checkout, clone (from
// a version or a live workspace). The store's root comes from the settings (versionRoot), never
// from globals. Exports the store and the restorer (snapshots/ loads through it; state/ saves to
// the store) and the service (a workspace delete drops its history).
import { Module } from '@nestjs/common';
import { VersionStore } from '@mirage-ts/versioning';
import type { DaemonSettings } from '../config/daemon-settings.js';
import { MIRAGE_SETTINGS } from '../config/tokens.js';
import { MirageCoreModule } from '../core/mirage-core.module.js';
import { RestoreService } from './restore.service.js';
import { VersionsController } from './versions.controller.js';
import { VersionsService } from './versions.service.js';
import { MIRAGE_VERSIONS } from './versions.tokens.js';

@Module({
  imports: [MirageCoreModule],
  controllers: [VersionsController],
  providers: [
    {
      provide: MIRAGE_VERSIONS,
      useFactory: (settings: DaemonSettings) => new VersionStore({ root: settings.versionRoot }),
      inject: [MIRAGE_SETTINGS],
    },
    RestoreService,
    VersionsService,
  ],
  exports: [VersionsService, RestoreService, MIRAGE_VERSIONS],
})
export class VersionsModule {}
