// The shared providers every feature module imports: the settings (resolved here, from the
// module options, when the application initialises), the owner's exit callback, the one
// WorkspaceRegistry, the lifecycle, and the edge (Host check, auth, body handling) of mirage's
// routes. The options token comes from MirageModule, which exports it.
import { Module } from '@nestjs/common';
import { claimSandboxRoot, WorkspaceRegistry } from '@mirage-ts/workspace-core';
import { MirageEdge } from '../common/mirage-edge.js';
import { type DaemonSettings, type MirageModuleOptions, resolveDaemonSettings } from '../config/daemon-settings.js';
import { MIRAGE_MODULE_OPTIONS } from '../config/mirage-options.js';
import { MIRAGE_EXIT, MIRAGE_REGISTRY, MIRAGE_SETTINGS } from '../config/tokens.js';
import { DaemonLifecycleService } from './daemon-lifecycle.service.js';

@Module({
  providers: [
    {
      provide: MIRAGE_SETTINGS,
      useFactory: (options: MirageModuleOptions) => resolveDaemonSettings(options),
      inject: [MIRAGE_MODULE_OPTIONS],
    },
    // null when embedded without an owner that can exit: no idle exit, shutdown refused.
    { provide: MIRAGE_EXIT, useFactory: (options: MirageModuleOptions) => options.onExit ?? null, inject: [MIRAGE_MODULE_OPTIONS] },
    {
      provide: MIRAGE_REGISTRY,
      useFactory: async (settings: DaemonSettings) => {
        const registry = new WorkspaceRegistry({
          allowNetwork: settings.allowNetwork,
          outputLimitBytes: settings.outputLimitBytes,
          env: settings.env,
          limits: settings.limits,
          engine: settings.engine,
          sandboxRoot: claimSandboxRoot(settings.stateRoot),
        });
        // One bwrap probe at start-up decides what `auto` means (docs/engines.md).
        if (settings.engine !== 'builtin') await registry.probeEngines();
        return registry;
      },
      inject: [MIRAGE_SETTINGS],
    },
    DaemonLifecycleService,
    MirageEdge,
  ],
  exports: [MIRAGE_SETTINGS, MIRAGE_REGISTRY, DaemonLifecycleService],
})
export class MirageCoreModule {}
