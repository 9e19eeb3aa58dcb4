import { Inject, Injectable } from '@nestjs/common';
import { DaemonError } from '../common/coded-error.js';
import { matchesLabels, parseLabelSelector } from '@mirage-ts/protocol';
import type {
  CreateWorkspaceDto,
  WorkspaceBrief,
  WorkspaceCanceled,
  WorkspaceClosed,
  WorkspaceDetail,
  WorkspaceKilled,
} from '@mirage-ts/protocol';
import type { WorkspaceRegistry } from '@mirage-ts/workspace-core';
import { MIRAGE_REGISTRY } from '../config/tokens.js';
import { DaemonLifecycleService } from '../core/daemon-lifecycle.service.js';
import { requireWorkspace } from '../core/require-workspace.js';
import { VersionsService } from '../versions/versions.service.js';

@Injectable()
export class WorkspacesService {
  constructor(
    @Inject(MIRAGE_REGISTRY) private readonly registry: WorkspaceRegistry,
    private readonly lifecycle: DaemonLifecycleService,
    private readonly versions: VersionsService,
  ) {}

  async create(request: CreateWorkspaceDto): Promise<WorkspaceDetail> {
    const workspace = await this.lifecycle.holdIdle(() =>
      this.registry.create({ config: request.config, ...(request.id === undefined ? {} : { id: request.id }) }),
    );
    return workspace.detail(false);
  }

  /** The briefs of the workspaces whose labels match every `key=value` selector (400 for a bad one). */
  list(selectors: readonly string[]): WorkspaceBrief[] {
    const parsed = selectors.map((text) => {
      try {
        return parseLabelSelector(text);
      } catch (error) {
        throw new DaemonError('invalid', (error as Error).message);
      }
    });
    return this.registry
      .list()
      .filter((workspace) => matchesLabels(workspace.labels, parsed))
      .map((workspace) => workspace.brief());
  }

  get(id: string, verbose: boolean): WorkspaceDetail {
    return requireWorkspace(this.registry, id).detail(verbose);
  }

  /**
   * Cancels the workspace's jobs, drops it and its version history; an emptied registry arms the
   * idle timer. The id is released even when dropping the history fails (then a 500).
   */
  async delete(id: string): Promise<WorkspaceClosed> {
    const closed = await this.registry.delete(id);
    try {
      await this.versions.drop(id);
    } catch (error) {
      throw new DaemonError('internal', `workspace delete failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    return closed;
  }

  /** Stops the workspace but keeps its version history (a later create of the id can use it). */
  close(id: string): Promise<WorkspaceClosed> {
    return this.registry.delete(id);
  }

  cancel(id: string): WorkspaceCanceled {
    requireWorkspace(this.registry, id);
    return { canceled: this.registry.jobs.cancelWorkspace(id) };
  }

  /** Ends the workspace's unfinished jobs at once (docs/protocol.md §6.8). */
  kill(id: string): WorkspaceKilled {
    requireWorkspace(this.registry, id);
    return { killed: this.registry.jobs.kill(id) };
  }
}
