// The in-memory registry of live workspaces, in registration order (docs/architecture.md, "The request path").
import type { WorkspaceClosed } from '@mirage-ts/protocol';
import { validateConfig } from './config.js';
import { WorkspaceError } from './errors.js';
import { WorkspaceEvents, type ListenerErrorHandler } from './events.js';
import { isValidWorkspaceId, newWorkspaceId } from './ids.js';
import { JobTable } from './jobs.js';
import type { JobTableOptions } from './jobs.js';
import { resolveLimits } from './limits.js';
import type { LimitsPolicy } from './limits.js';
import { buildBackend } from './mounts/index.js';
import type { SessionState, TreeFile } from './tree.js';
import { DEFAULT_OUTPUT_LIMIT_BYTES, Workspace } from './workspace.js';

export interface WorkspaceCoreOptions {
  /** Lets `network: {allow: [...]}` in a workspace config enable curl for those URLs. Default false. */
  allowNetwork?: boolean;
  /** Per stream per command; longer output is cut and flagged `truncated`. Default 16 MiB. */
  outputLimitBytes?: number;
  /** Where `${VAR}` placeholders of configs are looked up. Default process.env. */
  env?: Record<string, string | undefined>;
  /** Job table tuning (clock, retention); tests inject a clock here. */
  jobs?: JobTableOptions;
  /** Where a failing event listener is reported. Default: a process warning. */
  onListenerError?: ListenerErrorHandler;
  /** Daemon-wide defaults and ceilings of the workspace `limits` block (outputLimitBytes is the max_output_bytes default). */
  limits?: LimitsPolicy;
}

export interface CreateWorkspaceInput {
  config: unknown;
  id?: string;
  sessions?: SessionState[];
  files?: TreeFile[];
  /** Host roots made empty for this workspace (disk mounts saved without one): seeded with `files` even when read-only. */
  seedRoots?: readonly string[];
}

export class WorkspaceRegistry {
  readonly jobs: JobTable;
  /** Change events of this registry and its workspaces (see events.ts for when they are awaited). */
  readonly events: WorkspaceEvents;
  private readonly workspaces = new Map<string, Workspace>();
  /** Ids being created or deleted: taken for a concurrent create. */
  private readonly reserved = new Set<string>();
  private readonly deleting = new Map<string, Promise<WorkspaceClosed>>();
  private readonly emptyListeners: (() => void)[] = [];
  private readonly options: Required<Omit<WorkspaceCoreOptions, 'jobs' | 'onListenerError' | 'limits'>>;
  private readonly limitsPolicy: LimitsPolicy;

  constructor(options: WorkspaceCoreOptions = {}) {
    this.options = {
      allowNetwork: options.allowNetwork ?? false,
      outputLimitBytes: options.outputLimitBytes ?? DEFAULT_OUTPUT_LIMIT_BYTES,
      env: options.env ?? process.env,
    };
    this.jobs = new JobTable(options.jobs);
    this.events = new WorkspaceEvents(options.onListenerError);
    const defaults = options.limits?.defaults ?? {};
    this.limitsPolicy = { ...options.limits, defaults: { max_output_bytes: this.options.outputLimitBytes, ...defaults } };
  }

  get size(): number {
    return this.workspaces.size;
  }

  async create(request: CreateWorkspaceInput): Promise<Workspace> {
    const validated = await validateConfig(request.config, this.options.env);
    const limits = resolveLimits(validated.limits, this.limitsPolicy);
    if (limits.problems.length > 0) throw new WorkspaceError('invalid', limits.problems.join('; '));
    const id = request.id ?? validated.workspaceId ?? newWorkspaceId();
    if (typeof id !== 'string' || !isValidWorkspaceId(id)) throw new WorkspaceError('invalid', `invalid workspace id: ${String(id)}`);
    if (this.workspaces.has(id) || this.reserved.has(id)) throw new WorkspaceError('already_exists', `workspace id already exists: ${id}`);
    this.reserved.add(id);
    let workspace: Workspace;
    try {
      const backends = [];
      for (const spec of validated.mounts) backends.push(await buildBackend(spec));
      workspace = new Workspace({
        id,
        validated,
        backends,
        jobs: this.jobs,
        outputLimitBytes: limits.limits.max_output_bytes,
        limits: limits.limits,
        network: this.options.allowNetwork ? validated.networkAllow : [],
        events: this.events,
      });
      if (request.files !== undefined) await workspace.replaceTree(request.files, { seeding: true, seedRoots: request.seedRoots });
      if (request.sessions !== undefined) workspace.restoreSessions(request.sessions);
      this.workspaces.set(id, workspace);
    } finally {
      this.reserved.delete(id);
    }
    await this.events.emit({ type: 'created', workspaceId: id });
    return workspace;
  }

  get(id: string): Workspace {
    const workspace = this.workspaces.get(id);
    if (workspace === undefined) throw new WorkspaceError('not_found', 'workspace not found');
    return workspace;
  }

  has(id: string): boolean {
    return this.workspaces.has(id);
  }

  list(): Workspace[] {
    return [...this.workspaces.values()];
  }

  /** Cancels the workspace's jobs and removes it; the id stays taken until this finishes. */
  delete(id: string): Promise<WorkspaceClosed> {
    const running = this.deleting.get(id);
    if (running !== undefined) return running;
    const workspace = this.workspaces.get(id);
    if (workspace === undefined) return Promise.reject(new WorkspaceError('not_found', 'workspace not found'));
    const deletion = (async () => {
      try {
        await workspace.close();
      } finally {
        this.workspaces.delete(id);
        this.deleting.delete(id);
        await this.events.emit({ type: 'deleted', workspaceId: id });
      }
      if (this.workspaces.size === 0) for (const listener of this.emptyListeners) listener();
      return { id, closed_at: Date.now() / 1000 };
    })();
    this.deleting.set(id, deletion);
    return deletion;
  }

  /** Called whenever a delete leaves the registry empty (never at start). */
  onEmpty(listener: () => void): void {
    this.emptyListeners.push(listener);
  }

  /** Shutdown: cancels every job and closes every workspace; neither onEmpty nor `deleted` fires. */
  async closeAll(): Promise<void> {
    const workspaces = [...this.workspaces.values()];
    await this.jobs.close();
    await Promise.all(workspaces.map((workspace) => workspace.close()));
    this.workspaces.clear();
  }
}
