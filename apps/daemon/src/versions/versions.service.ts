// Version routes over libs/versioning: commit/log/diff/branch/checkout of a workspace, and clones
// (live, or from a version). The store is injected; the registry is the daemon's one.
import { rm } from 'node:fs/promises';
import { Inject, Injectable } from '@nestjs/common';
import type {
  BranchResponse,
  CloneLiveRequest,
  CloneRequest,
  CommitRequest,
  CommitResponse,
  DiffResponse,
  VersionEntry,
  WorkspaceDetail,
} from '@mirage-ts/protocol';
import { applyOverride, fillRedactedFrom, WorkspaceError, type WorkspaceRegistry } from '@mirage-ts/workspace-core';
import { DEFAULT_BRANCH, type VersionStore } from '@mirage-ts/versioning';
import { MIRAGE_REGISTRY } from '../config/tokens.js';
import { requireWorkspace } from '../core/require-workspace.js';
import { RestoreService } from './restore.service.js';
import { copyOfTree, liveState } from './workspace-state.js';
import { MIRAGE_VERSIONS } from './versions.tokens.js';

@Injectable()
export class VersionsService {
  constructor(
    @Inject(MIRAGE_REGISTRY) private readonly registry: WorkspaceRegistry,
    @Inject(MIRAGE_VERSIONS) private readonly versions: VersionStore,
    private readonly restorer: RestoreService,
  ) {}

  async commit(id: string, request: CommitRequest): Promise<CommitResponse> {
    const workspace = requireWorkspace(this.registry, id);
    const branch = request.branch ?? DEFAULT_BRANCH;
    const committed = await this.versions.commit(id, await liveState(workspace), { message: request.message ?? '', branch });
    await this.registry.events.emit({ type: 'committed', workspaceId: id, branch, version: committed.version });
    return committed;
  }

  /** No live workspace needed: the history outlives it until the workspace is deleted. */
  log(id: string, branch: string | undefined): Promise<VersionEntry[]> {
    return this.versions.log(id, branch ?? DEFAULT_BRANCH);
  }

  branch(id: string, name: string, from: string | undefined): Promise<BranchResponse> {
    return this.versions.branch(id, name, from ?? DEFAULT_BRANCH);
  }

  async diff(id: string, query: { a?: string; b?: string; branch?: string }): Promise<DiffResponse> {
    const live = query.b === undefined && this.registry.has(id) ? await liveState(this.registry.get(id)) : undefined;
    return this.versions.diff(id, query, live);
  }

  /** Restores files and sessions of `ref` in place (uncommitted changes are overwritten). */
  async checkout(id: string, ref: string): Promise<WorkspaceDetail> {
    const workspace = requireWorkspace(this.registry, id);
    const content = await this.versions.read(id, ref);
    await workspace.replaceTree(content.files);
    workspace.restoreSessions(content.sessions);
    await this.registry.events.emit({ type: 'checked_out', workspaceId: id, ref });
    return workspace.detail(false);
  }

  /** `POST /v1/workspaces/clone`: from a version when `at` is given, else of the live source. */
  async clone(request: CloneRequest): Promise<WorkspaceDetail> {
    if (request.at === undefined) return this.cloneLive(request.source_id, { id: request.id });
    this.restorer.refuseTakenId(request.id);
    const content = await this.versions.read(request.source_id, request.at);
    if (content.config === null) throw new WorkspaceError('invalid', `version ${content.version} holds no workspace config`);
    // Redacted credentials come back from the source while it is live.
    const config = this.registry.has(request.source_id)
      ? fillRedactedFrom(content.config, this.registry.get(request.source_id).config)
      : content.config;
    return this.restorer.restore({ config, id: request.id, sessions: content.sessions, files: content.files, purpose: 'clone' });
  }

  /** A copy of a live workspace: its config (with `override` applied), files and sessions. */
  async cloneLive(sourceId: string, request: CloneLiveRequest): Promise<WorkspaceDetail> {
    const source = requireWorkspace(this.registry, sourceId);
    this.restorer.refuseTakenId(request.id);
    const config = applyOverride(source.config, request.override);
    return this.restorer.restore({
      config,
      id: request.id,
      sessions: source.sessionStates(),
      files: await copyOfTree(source),
      purpose: 'clone',
      override: request.override,
    });
  }

  /** Forgets a deleted workspace: its version history and the disk roots made for its clone. */
  async drop(id: string): Promise<void> {
    await this.versions.drop(id);
    await rm(this.restorer.cloneDirectory(id), { recursive: true, force: true });
  }
}
