// The in-memory registry of live workspaces, in registration order (docs/architecture.md, "The request path").
import { existsSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { WorkspaceClosed } from '@mirage-ts/protocol';
import { validateConfig } from './config.js';
import { WorkspaceError } from './errors.js';
import { WorkspaceEvents, type ListenerErrorHandler } from './events.js';
import { isValidWorkspaceId, newWorkspaceId } from './ids.js';
import { JobTable } from './jobs.js';
import type { JobTableOptions } from './jobs.js';
import { resolveLimits } from './limits.js';
import type { LimitsPolicy, WorkspaceLimits } from './limits.js';
import { buildBackend } from './mounts/index.js';
import type { SessionState, TreeFile } from './tree.js';
import { DEFAULT_OUTPUT_LIMIT_BYTES, Workspace } from './workspace.js';
import { BuiltinEngine } from './engines/builtin/index.js';
import type { EngineAvailability, EngineChoice } from './engines/engine.js';
import {
  claimCgroups,
  findBwrap,
  probeCgroups,
  probeSandbox,
  quotaSupport,
  releaseCgroupBase,
  workspaceCgroupName,
  SandboxEngine,
  SandboxLayout,
  SYSTEM_MOUNT_POINTS,
  WorkspaceCgroup,
} from './engines/sandbox/index.js';
import type { CgroupProbe } from './engines/sandbox/index.js';
import { selectEngine } from './engines/select.js';
import type { EngineSelection } from './engines/select.js';
import type { MountSpec, ValidatedConfig } from './config.js';
import type { IFileSystem } from './engine.js';
import type { LiveMount } from './workspace.js';

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
  /**
   * The engine of workspaces whose config names none (docs/engines.md). `auto`: the sandbox when
   * bubblewrap works here, else builtin. Default `builtin` (the daemon passes its own default).
   */
  engine?: EngineChoice;
  /** Where sandboxed workspaces keep their ram mounts and session dirs. Default /dev/shm/mirage-<pid>-<n>. */
  sandboxRoot?: string;
  /** The bwrap executable. Default: the first of /usr/bin, /usr/local/bin, /bin that has one. */
  bwrapPath?: string;
  /** How often `idle_timeout_s` is checked, ms. Default 250. */
  idleSweepMs?: number;
}

export interface CreateWorkspaceInput {
  config: unknown;
  id?: string;
  sessions?: SessionState[];
  files?: TreeFile[];
  /** Host roots made empty for this workspace (disk mounts saved without one): seeded with `files` even when read-only. */
  seedRoots?: readonly string[];
}

let registryCount = 0;

export class WorkspaceRegistry {
  readonly jobs: JobTable;
  /** Change events of this registry and its workspaces (see events.ts for when they are awaited). */
  readonly events: WorkspaceEvents;
  private readonly workspaces = new Map<string, Workspace>();
  /** Ids being created or deleted: taken for a concurrent create. */
  private readonly reserved = new Set<string>();
  private readonly deleting = new Map<string, Promise<WorkspaceClosed>>();
  private readonly emptyListeners: (() => void)[] = [];
  private readonly idleClosedListeners: ((id: string) => void)[] = [];
  /** When each workspace was created: its idle time before its first job. */
  private readonly idleSince = new Map<string, number>();
  private readonly options: Required<Omit<WorkspaceCoreOptions, 'jobs' | 'onListenerError' | 'limits' | 'idleSweepMs' | 'bwrapPath'>>;
  private readonly limitsPolicy: LimitsPolicy;
  /** Checks `idle_timeout_s` of the workspaces that have one; runs only while one exists. */
  private idleSweep: NodeJS.Timeout | undefined;
  private readonly idleSweepMs: number;
  private sandboxProbe: Promise<EngineAvailability> | undefined;
  private sandboxAvailability: EngineAvailability | undefined;
  private readonly bwrap: string | undefined;
  /** Where sandboxed workspaces get their cgroup (probed with the sandbox, once). */
  private cgroups: CgroupProbe | undefined;

  constructor(options: WorkspaceCoreOptions = {}) {
    this.options = {
      allowNetwork: options.allowNetwork ?? false,
      outputLimitBytes: options.outputLimitBytes ?? DEFAULT_OUTPUT_LIMIT_BYTES,
      env: options.env ?? process.env,
      engine: options.engine ?? 'builtin',
      // One root per registry: two registries of a process may both hold a workspace `w`.
      sandboxRoot:
        options.sandboxRoot ?? join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), `mirage-${process.pid}-${(registryCount += 1)}`),
    };
    this.jobs = new JobTable(options.jobs);
    this.events = new WorkspaceEvents(options.onListenerError);
    const defaults = options.limits?.defaults ?? {};
    this.limitsPolicy = { ...options.limits, defaults: { max_output_bytes: this.options.outputLimitBytes, ...defaults } };
    this.bwrap = options.bwrapPath ?? findBwrap();
    this.idleSweepMs = options.idleSweepMs ?? 250;
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
    let layout: SandboxLayout | undefined;
    let workspace: Workspace;
    try {
      const choice = validated.engine ?? this.options.engine;
      const network = this.options.allowNetwork ? validated.networkAllow : [];
      const selection = selectEngine(choice, validated.mounts, choice === 'builtin' ? undefined : await this.probeEngines(), network);
      if (selection.name === 'sandbox') {
        layout = new SandboxLayout(join(this.options.sandboxRoot, id));
        workspace = await this.sandboxWorkspace(id, validated, selection, layout, limits.limits);
      } else {
        const backends = [];
        for (const spec of validated.mounts) backends.push(await buildBackend(spec));
        workspace = new Workspace({
          id,
          validated,
          backends,
          jobs: this.jobs,
          outputLimitBytes: limits.limits.max_output_bytes,
          limits: limits.limits,
          engine: (mounts) => new BuiltinEngine(mounts, network, limits.limits),
          engineReason: selection.reason,
          events: this.events,
        });
      }
      if (request.files !== undefined) await workspace.replaceTree(request.files, { seeding: true, seedRoots: request.seedRoots });
      if (request.sessions !== undefined) workspace.restoreSessions(request.sessions);
      this.workspaces.set(id, workspace);
      this.idleSince.set(id, Date.now());
      if (workspace.idleTimeoutS !== undefined) this.startIdleSweep();
    } catch (error) {
      layout?.remove();
      if (layout !== undefined && this.cgroups?.usable === true)
        await new WorkspaceCgroup(this.cgroups.base, workspaceCgroupName(id)).remove();
      throw error;
    } finally {
      this.reserved.delete(id);
    }
    await this.events.emit({ type: 'created', workspaceId: id });
    return workspace;
  }

  /** Probes bubblewrap once (the daemon does it at start-up); later calls answer the same. */
  probeEngines(): Promise<EngineAvailability> {
    this.sandboxProbe ??= probeSandbox(this.bwrap).then(async (availability) => {
      if (availability.available) {
        this.cgroups = probeCgroups(basename(this.options.sandboxRoot));
        // A crashed run of this daemon (same sandbox root) may have left workspace cgroups.
        if (this.cgroups.usable) await claimCgroups(this.cgroups.base);
        const notes = this.sandboxLimitNotes();
        if (notes.length > 0) availability = { ...availability, notes };
      }
      return (this.sandboxAvailability = availability);
    });
    return this.sandboxProbe;
  }

  /** The engines and whether each can run here (sandbox: as the last probe found it). */
  engines(): EngineAvailability[] {
    return [
      { name: 'builtin', available: true },
      this.sandboxAvailability ?? { name: 'sandbox', available: false, reason: 'not probed yet' },
    ];
  }

  /** The sandbox limits not enforced on this host, each naming its key (empty when all are). */
  private sandboxLimitNotes(): string[] {
    const notes: string[] = [];
    if (this.cgroups !== undefined && !this.cgroups.usable) {
      for (const key of ['max_processes', 'max_memory_bytes']) notes.push(`limits.${key} not enforced: ${this.cgroups.reason}`);
    }
    const quota = quotaSupport();
    if (!quota.usable)
      notes.push(
        `limits.max_bytes not enforced by the kernel: ${quota.reason}; ram mounts are a /dev/shm directory without a per-workspace quota`,
      );
    return notes;
  }

  /** What a config without `engine` gets: `builtin`, `sandbox`, or `auto` resolved by the probe. */
  defaultEngine(): string {
    if (this.options.engine !== 'auto') return this.options.engine;
    return this.sandboxAvailability?.available === true ? 'sandbox' : 'builtin';
  }

  /**
   * A workspace whose ram mounts are directories of its sandbox layout (read by the daemon with a
   * ReadWriteFs, so snapshots and versions work as for disk), run by the sandbox engine.
   */
  private async sandboxWorkspace(
    id: string,
    validated: ValidatedConfig,
    selection: EngineSelection,
    layout: SandboxLayout,
    limits: WorkspaceLimits,
  ): Promise<Workspace> {
    const quota = quotaSupport();
    layout.create(quota.usable ? limits.max_bytes : undefined);
    let cgroup: WorkspaceCgroup | undefined;
    if (this.cgroups?.usable === true) {
      cgroup = new WorkspaceCgroup(this.cgroups.base, workspaceCgroupName(id));
      try {
        await cgroup.create(limits.max_processes, limits.max_memory_bytes);
      } catch (error) {
        await cgroup.remove();
        throw new WorkspaceError(
          'build_failed',
          `cannot make the workspace cgroup (limits.max_processes, limits.max_memory_bytes): ${(error as Error).message}`,
        );
      }
    }
    const hiddenAtRoot = new Set<string>([
      ...SYSTEM_MOUNT_POINTS.map((name) => `/${name}`),
      ...validated.mounts.filter((mount) => mount.prefix !== '/').map((mount) => mount.prefix),
    ]);
    const backends: IFileSystem[] = [];
    const hostDirs: (string | null)[] = [];
    for (const [index, spec] of validated.mounts.entries()) {
      const ramDir = spec.resource === 'ram' ? layout.mountDir(index) : undefined;
      backends.push(
        await buildBackend(spec, { ramDir, hidden: spec.prefix === '/' && spec.resource === 'ram' ? hiddenAtRoot : undefined }),
      );
      hostDirs.push(ramDir ?? String((spec as MountSpec).config.root));
    }
    const bwrap = this.bwrap as string;
    return new Workspace({
      id,
      validated,
      backends,
      jobs: this.jobs,
      outputLimitBytes: limits.max_output_bytes,
      limits,
      events: this.events,
      engine: (mounts: readonly LiveMount[]) =>
        new SandboxEngine(
          bwrap,
          layout,
          mounts.map((mount, index) => ({ prefix: mount.prefix, hostDir: mount.implicit ? null : hostDirs[index] })),
          { cgroup, limits },
        ),
      engineReason: selection.reason,
      limitsNotes: this.sandboxLimitNotes(),
    });
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
        this.idleSince.delete(id);
        this.jobs.forget(id);
        this.deleting.delete(id);
        await this.events.emit({ type: 'deleted', workspaceId: id });
      }
      if (this.workspaces.size === 0) for (const listener of this.emptyListeners) listener();
      return { id, closed_at: Date.now() / 1000 };
    })();
    this.deleting.set(id, deletion);
    return deletion;
  }

  /** Called with the id of each workspace closed for its `idle_timeout_s`, once it is closed. */
  onIdleClosed(listener: (id: string) => void): void {
    this.idleClosedListeners.push(listener);
  }

  private startIdleSweep(): void {
    if (this.idleSweep !== undefined) return;
    this.idleSweep = setInterval(() => this.closeIdle(), this.idleSweepMs);
    this.idleSweep.unref();
  }

  /** Closes every workspace idle for its `idle_timeout_s`: no job in flight, none submitted or finished for that long. */
  private closeIdle(): void {
    let timed = 0;
    for (const workspace of this.workspaces.values()) {
      if (workspace.idleTimeoutS === undefined) continue;
      timed += 1;
      if (this.deleting.has(workspace.id)) continue;
      const idleMs = this.jobs.idleMs(workspace.id) ?? Date.now() - (this.idleSince.get(workspace.id) ?? Date.now());
      if (idleMs < workspace.idleTimeoutS * 1000) continue;
      const id = workspace.id;
      this.delete(id).then(
        () => {
          for (const listener of this.idleClosedListeners) listener(id);
        },
        () => undefined,
      );
    }
    if (timed === 0) this.stopIdleSweep();
  }

  private stopIdleSweep(): void {
    if (this.idleSweep !== undefined) clearInterval(this.idleSweep);
    this.idleSweep = undefined;
  }

  /** Called whenever a delete leaves the registry empty (never at start). */
  onEmpty(listener: () => void): void {
    this.emptyListeners.push(listener);
  }

  /** Shutdown: cancels every job and closes every workspace; neither onEmpty nor `deleted` fires. */
  async closeAll(): Promise<void> {
    const workspaces = [...this.workspaces.values()];
    this.stopIdleSweep();
    await this.jobs.close();
    await Promise.all(workspaces.map((workspace) => workspace.close()));
    this.workspaces.clear();
    if (this.cgroups?.usable === true) releaseCgroupBase(this.cgroups.base);
    try {
      rmdirSync(this.options.sandboxRoot); // only when empty: every sandboxed workspace removed its own
    } catch {
      // Absent (no sandboxed workspace) or still in use.
    }
  }
}
