// Version routes over libs/versioning: commit/log/diff/branch/checkout of a workspace, and clones
// (live, or from a version). The store is injected; the registry is the daemon's one.
import { Inject, Injectable } from '@nestjs/common';
import type {
  BranchResponse,
  CloneLiveRequest,
  CloneRequest,
  CommitRequest,
  CommitResponse,
  DiffResponse,
  VersionEntry,
  WorkspaceConfig,
  WorkspaceDetail,
} from '@mirage-ts/protocol';
import { applyOverride, fillRedactedFrom, requireCredentials, WorkspaceError, type WorkspaceRegistry } from '@mirage-ts/workspace-core';
import { DEFAULT_BRANCH, type VersionStore } from '@mirage-ts/versioning';
import { MIRAGE_REGISTRY } from '../config/tokens.js';
import { DaemonLifecycleService } from '../core/daemon-lifecycle.service.js';
import { requireWorkspace } from '../core/require-workspace.js';
import { copyOfTree, liveState } from './workspace-state.js';
import { MIRAGE_VERSIONS } from './versioning.tokens.js';

@Injectable()
export class VersioningService {
  constructor(
    @Inject(MIRAGE_REGISTRY) private readonly registry: WorkspaceRegistry,
    @Inject(MIRAGE_VERSIONS) private readonly versions: VersionStore,
    private readonly lifecycle: DaemonLifecycleService,
  ) {}

  async commit(id: string, request: CommitRequest): Promise<CommitResponse> {
    const workspace = requireWorkspace(this.registry, id);
    return this.versions.commit(id, await liveState(workspace), { message: request.message ?? '', branch: request.branch ?? DEFAULT_BRANCH });
  }

  /** No live workspace needed: the history outlives it until the workspace is deleted. */
  log(id: string, branch: string | undefined): Promise<VersionEntry[]> {
    return this.versions.log(id, branch ?? DEFAULT_BRANCH);
  }

  branch(id: string, name: string, from: string | undefined): Promise<BranchResponse> {
    return this.versions.branch(id, name, from ?? DEFAULT_BRANCH);
  }

  async diff(id: string, query: { a?: string; b?: string; branch?: string }): Promise<DiffResponse> {
    const workspace = this.registry.get(id);
    const live = workspace === undefined || query.b !== undefined ? undefined : await liveState(workspace);
    return this.versions.diff(id, query, live);
  }

  /** Restores files and sessions of `ref` in place (uncommitted changes are overwritten). */
  async checkout(id: string, ref: string): Promise<WorkspaceDetail> {
    const workspace = requireWorkspace(this.registry, id);
    const content = await this.versions.read(id, ref);
    await workspace.replaceTree(content.files);
    await workspace.restoreSessions(content.sessions);
    return workspace.detail(false);
  }

  /** `POST /v1/workspaces/clone`: from a version when `at` is given, else of the live source. */
  async clone(request: CloneRequest): Promise<WorkspaceDetail> {
    if (request.at === undefined) return this.cloneLive(request.source_id, { id: request.id });
    this.refuseTakenId(request.id);
    const content = await this.versions.read(request.source_id, request.at);
    if (content.config === null) throw new WorkspaceError('invalid', `version ${content.version} holds no workspace config`);
    const live = this.registry.get(request.source_id);
    const config = live === undefined ? content.config : fillRedactedFrom(content.config, live.config);
    requireCredentials(config);
    return this.create(config, request.id, content.sessions, content.files);
  }

  /** A copy of a live workspace: its config (with `override` applied), files and sessions. */
  async cloneLive(sourceId: string, request: CloneLiveRequest): Promise<WorkspaceDetail> {
    const source = requireWorkspace(this.registry, sourceId);
    this.refuseTakenId(request.id);
    const config = applyOverride(source.config, request.override);
    requireCredentials(config);
    return this.create(config, request.id, source.sessionStates(), await copyOfTree(source));
  }

  /** Drops the version history of a deleted workspace. */
  drop(id: string): Promise<void> {
    return this.versions.drop(id);
  }

  private refuseTakenId(id: string | undefined): void {
    if (id !== undefined && this.registry.has(id)) throw new WorkspaceError('already_exists', `workspace id already exists: ${id}`);
  }

  private async create(
    config: WorkspaceConfig,
    id: string | undefined,
    sessions: Parameters<WorkspaceRegistry['create']>[0]['sessions'],
    files: Parameters<WorkspaceRegistry['create']>[0]['files'],
  ): Promise<WorkspaceDetail> {
    this.lifecycle.cancelIdleTimer();
    const workspace = await this.registry.create({ config, sessions, files, ...(id === undefined ? {} : { id }) });
    return workspace.detail(false);
  }
}
