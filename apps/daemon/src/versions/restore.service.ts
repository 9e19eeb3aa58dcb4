// Builds a new workspace from saved parts (a version, a snapshot, a live copy): credentials must
// be complete, the id free, and disk mounts get their own directory whenever they would
// otherwise clear one a live workspace uses (and always for clones).
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { WorkspaceConfig, WorkspaceDetail } from '@mirage-ts/protocol';
import {
  diskRoots,
  isValidWorkspaceId,
  newWorkspaceId,
  overriddenRoots,
  relocateDiskRoots,
  requireCredentials,
  WorkspaceError,
  type DiskRootInUse,
  type SessionState,
  type TreeFile,
  type WorkspaceRegistry,
} from '@mirage-ts/workspace-core';
import type { DaemonSettings } from '../config/daemon-settings.js';
import { MIRAGE_REGISTRY, MIRAGE_SETTINGS } from '../config/tokens.js';
import { DaemonLifecycleService } from '../core/daemon-lifecycle.service.js';

export interface RestoreInput {
  config: WorkspaceConfig;
  id: string | undefined;
  sessions: SessionState[];
  files: TreeFile[];
  /** `clone`: every disk mount gets a fresh directory; `load`: only those a live workspace uses. */
  purpose: 'clone' | 'load';
  /** The override the caller sent; a disk root it names explicitly is kept. */
  override?: Partial<WorkspaceConfig>;
}

@Injectable()
export class RestoreService {
  constructor(
    @Inject(MIRAGE_REGISTRY) private readonly registry: WorkspaceRegistry,
    @Inject(MIRAGE_SETTINGS) private readonly settings: DaemonSettings,
    private readonly lifecycle: DaemonLifecycleService,
  ) {}

  /** 409 `workspace id already exists: <id>` before any work is done. */
  refuseTakenId(id: string | undefined): void {
    if (id !== undefined && this.registry.has(id)) throw new WorkspaceError('already_exists', `workspace id already exists: ${id}`);
  }

  /** Directory holding the disk roots made for workspace `id` (removed with the workspace). */
  cloneDirectory(id: string): string {
    return join(this.settings.stateRoot, 'clones', id);
  }

  async restore(input: RestoreInput): Promise<WorkspaceDetail> {
    requireCredentials(input.config);
    const id = input.id ?? newWorkspaceId();
    if (!isValidWorkspaceId(id)) throw new WorkspaceError('invalid', `invalid workspace id: ${id}`);
    this.refuseTakenId(id);
    const inUse: DiskRootInUse[] = this.registry
      .list()
      .flatMap((workspace) => diskRoots(workspace.config).map(({ root }) => ({ root, workspaceId: workspace.id })));
    const placed = relocateDiskRoots(input.config, inUse, (key) => join(this.cloneDirectory(id), key), {
      always: input.purpose === 'clone',
      keep: overriddenRoots(input.override),
    });
    for (const root of placed.relocated) await mkdir(root, { recursive: true });
    try {
      // holdIdle: no idle exit mid-restore, and a failed restore leaves a running countdown alone.
      const workspace = await this.lifecycle.holdIdle(() =>
        this.registry.create({ config: placed.config, id, sessions: input.sessions, files: input.files, seedRoots: placed.rootless }),
      );
      return workspace.detail(false);
    } catch (error) {
      if (placed.relocated.length > 0 && !this.registry.has(id)) await rm(this.cloneDirectory(id), { recursive: true, force: true });
      throw error;
    }
  }
}
