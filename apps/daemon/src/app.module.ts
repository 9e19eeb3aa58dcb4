// MirageModule: the whole daemon as one module. A larger Nest (Fastify) service imports
// `MirageModule.forRoot(options)` or `MirageModule.forRootAsync({imports, inject, useFactory})` to
// serve the /v1 routes on its own HTTP server, under its global prefix if it sets one;
// `createDaemon` (main.ts) uses the same module for the standalone daemon. Nothing is resolved
// when the module object is built: the settings are, from the options, when the application
// initialises (core/mirage-core.module.ts).
import { type DynamicModule, Module } from '@nestjs/common';
import { MIRAGE_MODULE_OPTIONS, type MirageModuleAsyncOptions, MirageOptionsModuleClass } from './config/mirage-options.js';
import type { MirageModuleOptions } from './config/daemon-settings.js';
import { MirageCoreModule } from './core/mirage-core.module.js';
import { ExecuteModule } from './execute/execute.module.js';
import { FilesModule } from './files/files.module.js';
import { HealthModule } from './health/health.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { McpModule } from './mcp/mcp.module.js';
import { OpenApiModule } from './openapi/openapi.module.js';
import { SessionsModule } from './sessions/sessions.module.js';
import { SnapshotsModule } from './snapshots/snapshots.module.js';
import { StateModule } from './state/state.module.js';
import { VersionsModule } from './versions/versions.module.js';
import { WorkspacesModule } from './workspaces/workspaces.module.js';

@Module({
  imports: [
    MirageCoreModule,
    HealthModule,
    WorkspacesModule,
    SessionsModule,
    ExecuteModule,
    JobsModule,
    VersionsModule,
    SnapshotsModule,
    FilesModule,
    McpModule,
    StateModule,
    OpenApiModule,
  ],
})
export class MirageModule extends MirageOptionsModuleClass {
  /** Options given as a value (env, home, auth, ...); resolved when the application initialises. */
  static override forRoot(options: MirageModuleOptions = {}): DynamicModule {
    return MirageModule.withCore(super.forRoot(options));
  }

  /** Options from a factory, e.g. built from the host application's own ConfigService. */
  static override forRootAsync(options: MirageModuleAsyncOptions): DynamicModule {
    return MirageModule.withCore(super.forRootAsync(options));
  }

  /**
   * Global so that MirageCoreModule, imported by each feature module, finds the options token;
   * it also lets the host application inject MIRAGE_REGISTRY and MIRAGE_SETTINGS.
   */
  private static withCore(definition: DynamicModule): DynamicModule {
    return { ...definition, global: true, exports: [MIRAGE_MODULE_OPTIONS, MirageCoreModule] };
  }
}
