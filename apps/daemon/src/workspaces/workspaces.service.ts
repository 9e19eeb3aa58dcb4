import { Inject, Injectable } from '@nestjs/common';
import type { CreateWorkspaceDto, WorkspaceBrief, WorkspaceCanceled, WorkspaceClosed, WorkspaceDetail } from '@mirage-ts/protocol';
import type { WorkspaceRegistry } from '@mirage-ts/workspace-core';
import { MIRAGE_REGISTRY } from '../config/tokens.js';
import { DaemonLifecycleService } from '../core/daemon-lifecycle.service.js';
import { requireWorkspace } from '../core/require-workspace.js';

@Injectable()
export class WorkspacesService {
  constructor(
    @Inject(MIRAGE_REGISTRY) private readonly registry: WorkspaceRegistry,
    private readonly lifecycle: DaemonLifecycleService,
  ) {}

  async create(request: CreateWorkspaceDto): Promise<WorkspaceDetail> {
    this.lifecycle.cancelIdleTimer();
    const workspace = await this.registry.create({ config: request.config, ...(request.id === undefined ? {} : { id: request.id }) });
    return workspace.detail(false);
  }

  list(): WorkspaceBrief[] {
    return this.registry.list().map((workspace) => workspace.brief());
  }

  get(id: string, verbose: boolean): WorkspaceDetail {
    return requireWorkspace(this.registry, id).detail(verbose);
  }

  /** Cancels the workspace's jobs, drops it; an emptied registry arms the idle timer. */
  delete(id: string): Promise<WorkspaceClosed> {
    return this.registry.delete(id);
  }

  /** Stops the workspace; mirage-ts keeps no per-workspace state besides its version repo. */
  close(id: string): Promise<WorkspaceClosed> {
    return this.registry.delete(id);
  }

  async cancel(id: string): Promise<WorkspaceCanceled> {
    requireWorkspace(this.registry, id);
    return { canceled: await this.registry.jobs.cancelWorkspace(id) };
  }
}
