// MirageModule: the whole daemon as one dynamic module. `MirageModule.forRoot(options)` can be
// imported by a larger Nest (Fastify) service to serve the /v1 routes on its own HTTP server;
// `createDaemon` (main.ts) uses the same module for the standalone daemon.
import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { type DaemonSettings, type ExitReason, type MirageModuleOptions, resolveDaemonSettings } from './config/daemon-settings.js';
import { MirageCoreModule } from './core/mirage-core.module.js';
import { ExecuteModule } from './execute/execute.module.js';
import { FilesModule } from './files/files.module.js';
import { HealthModule } from './health/health.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { SessionsModule } from './sessions/sessions.module.js';
import { StateModule } from './state/state.module.js';
import { VersioningModule } from './versioning/versioning.module.js';
import { WorkspacesModule } from './workspaces/workspaces.module.js';

/** Feature modules served by MirageModule; each gets the shared core providers injected. */
export const MIRAGE_FEATURE_MODULES: readonly Type[] = [HealthModule, WorkspacesModule, SessionsModule, ExecuteModule, JobsModule, VersioningModule, FilesModule];

const ignoreExit = (): void => undefined;

@Module({})
export class MirageModule {
  /** Resolves settings (env, config.toml; throws DaemonConfigError on a bad file) and builds the module. */
  static forRoot(options: MirageModuleOptions = {}): DynamicModule {
    return MirageModule.forSettings(resolveDaemonSettings(options), options.onExit ?? ignoreExit);
  }

  /** Builds the module from settings resolved beforehand (createDaemon resolves them once). */
  static forSettings(settings: DaemonSettings, onExit: (reason: ExitReason) => void | Promise<void> = ignoreExit): DynamicModule {
    const core = MirageCoreModule.forRoot(settings, onExit);
    // The same `core` (and `versioning`) object in every import: Nest instantiates each once.
    const versioning: DynamicModule = { module: VersioningModule, imports: [core] };
    // Workspace delete drops the version history too (protocol.md §3.2, era B).
    const features = MIRAGE_FEATURE_MODULES.map((module): DynamicModule =>
      module === VersioningModule ? versioning : { module, imports: module === WorkspacesModule ? [core, versioning] : [core] },
    );
    // Workspace state kept across restarts (state/): needs the core and the version store.
    const state: DynamicModule = { module: StateModule, imports: [core, versioning] };
    return { module: MirageModule, imports: [core, ...features, state], exports: [core] };
  }
}
