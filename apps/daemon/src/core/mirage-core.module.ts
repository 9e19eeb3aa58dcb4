// The shared providers every feature module imports: settings (via DaemonConfigModule), the one
// WorkspaceRegistry, the lifecycle, and the edge hooks. VersioningModule imports it the same way.
import { type DynamicModule, Module } from '@nestjs/common';
import { claimSandboxRoot, WorkspaceRegistry } from '@mirage-ts/workspace-core';
import { DaemonConfigModule } from '../config/daemon-config.module.js';
import type { DaemonSettings, ExitReason } from '../config/daemon-settings.js';
import { MIRAGE_REGISTRY, MIRAGE_SETTINGS } from '../config/tokens.js';
import { EdgeHooksService } from '../common/edge-hooks.service.js';
import { DaemonLifecycleService } from './daemon-lifecycle.service.js';

@Module({})
export class MirageCoreModule {
  static forRoot(settings: DaemonSettings, onExit: (reason: ExitReason) => void | Promise<void>): DynamicModule {
    const config = DaemonConfigModule.forRoot(settings, onExit);
    return {
      module: MirageCoreModule,
      imports: [config],
      providers: [
        {
          provide: MIRAGE_REGISTRY,
          useFactory: async (resolved: DaemonSettings) => {
            const registry = new WorkspaceRegistry({
              allowNetwork: resolved.allowNetwork,
              outputLimitBytes: resolved.outputLimitBytes,
              env: resolved.env,
              engine: resolved.engine,
              sandboxRoot: claimSandboxRoot(resolved.stateRoot),
            });
            // One bwrap probe at start-up decides what `auto` means (docs/engines.md).
            if (resolved.engine !== 'builtin') await registry.probeEngines();
            return registry;
          },
          inject: [MIRAGE_SETTINGS],
        },
        DaemonLifecycleService,
        EdgeHooksService,
      ],
      exports: [config, MIRAGE_REGISTRY, DaemonLifecycleService],
    };
  }
}
