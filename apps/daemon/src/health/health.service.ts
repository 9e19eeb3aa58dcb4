import { Inject, Injectable } from '@nestjs/common';
import type { HealthResponse, ShutdownResponse } from '@mirage-ts/protocol';
import type { WorkspaceRegistry } from '@mirage-ts/workspace-core';
import { MIRAGE_REGISTRY } from '../config/tokens.js';
import { DaemonLifecycleService } from '../core/daemon-lifecycle.service.js';

@Injectable()
export class HealthService {
  constructor(
    @Inject(MIRAGE_REGISTRY) private readonly registry: WorkspaceRegistry,
    private readonly lifecycle: DaemonLifecycleService,
  ) {}

  health(): HealthResponse {
    return {
      status: 'ok',
      workspaces: this.registry.size,
      uptime_s: this.lifecycle.uptimeSeconds(),
      engines: this.registry.engines(),
      default_engine: this.registry.defaultEngine(),
    };
  }

  /** Answers first; the owner's exit callback runs once the reply is on its way. */
  shutdown(): ShutdownResponse {
    this.lifecycle.requestExit('shutdown');
    return { status: 'shutting_down', pid: process.pid };
  }
}
