// Keeps every workspace's config and sessions under `<stateRoot>/workspaces/<id>/` while the
// daemon runs, writes a snapshot of each on a graceful stop, and restores them all at start
// (before the server listens). Writes follow the registry's change events (libs/workspace-core
// src/events.ts): structural ones (create, clone, load, sessions, delete, commit, checkout) are
// awaited by the code that emits them, so they are on disk before the answer is sent; execute's
// cwd/env changes (also of background jobs, when they finish) are saved ~0.1 s later, batched.
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  isNoSpaceError,
  restoreStoredWorkspace,
  STATE_FORMAT,
  STATE_FORMAT_VERSION,
  WorkspaceStateStore,
  type LastCommit,
  type PersistedSession,
  type SessionsChangedEvent,
  type TreeFile,
  type Workspace,
  type WorkspaceRegistry,
  type WorkspaceStateRecord,
} from '@mirage-ts/workspace-core';
import { VersioningError, type VersionStore } from '@mirage-ts/versioning';
import type { DaemonSettings } from '../config/daemon-settings.js';
import { MIRAGE_REGISTRY, MIRAGE_SETTINGS } from '../config/tokens.js';
import { DaemonLifecycleService } from '../core/daemon-lifecycle.service.js';
import { MIRAGE_VERSIONS } from '../versions/versions.tokens.js';
import { finishedJobs, snapshotSource } from '../versions/workspace-state.js';

/** Delay before saving after an execute (coalesces bursts of commands into one write). */
const EXECUTE_DEBOUNCE_MS = 100;

interface Written {
  record: string;
  sessions: string;
}

@Injectable()
export class WorkspaceStateService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('mirage');
  readonly store: WorkspaceStateStore;
  /** What was last written per workspace (JSON texts), to skip unchanged writes. */
  private readonly written = new Map<string, Written>();
  /** Workspaces restored at start (their folder holds their own earlier state). */
  private readonly restored = new Set<string>();
  /** Ids whose restore failed: their folders are kept as they are, for inspection. */
  private readonly failed = new Set<string>();
  /** Mount-mode ceilings sessions were created with (not readable back from a Workspace). */
  private readonly sessionMounts = new Map<string, Map<string, Record<string, string>>>();
  private readonly lastCommits = new Map<string, LastCommit>();
  private readonly createdAt = new Map<string, number>();
  /** Deleted workspaces whose folders the next pass removes (before writing any live one). */
  private readonly dropped = new Set<string>();
  private readonly unsubscribe: (() => void)[] = [];
  private running: Promise<void> | null = null;
  private pending: Promise<void> | null = null;
  private debounce: NodeJS.Timeout | undefined;
  private ready = false;
  private stopped = false;
  /** Logged once per kind until a write succeeds again, so a full disk does not flood the log. */
  private lastWriteError: string | undefined;

  constructor(
    @Inject(MIRAGE_REGISTRY) private readonly registry: WorkspaceRegistry,
    @Inject(MIRAGE_SETTINGS) settings: DaemonSettings,
    @Inject(MIRAGE_VERSIONS) private readonly versions: VersionStore,
    private readonly lifecycle: DaemonLifecycleService,
  ) {
    this.store = new WorkspaceStateStore(settings.stateRoot);
  }

  async onModuleInit(): Promise<void> {
    // An unusable state folder (full disk, a file in the way) stops the start with its message.
    await this.store.prepare();
    // Restore first: its own creates (and the deletes of half-restored workspaces, whose folders
    // are kept for inspection) are not changes to save.
    await this.restoreAll();
    this.subscribe();
    this.ready = true;
    this.lifecycle.onBeforeClose(() => this.saveForShutdown());
  }

  onApplicationShutdown(): void {
    this.stopListening();
  }

  // ---- change events -------------------------------------------------------------------------

  private subscribe(): void {
    const events = this.registry.events;
    this.unsubscribe.push(
      events.on('created', () => this.flush()),
      events.on('deleted', (event) => {
        // A later workspace of the same id starts from nothing.
        this.dropped.add(event.workspaceId);
        this.sessionMounts.delete(event.workspaceId);
        this.lastCommits.delete(event.workspaceId);
        this.createdAt.delete(event.workspaceId);
        return this.flush();
      }),
      events.on('sessions', (event) => {
        this.noteSessions(event);
        return this.flush();
      }),
      events.on('executed', () => this.scheduleFlush()),
      events.on('committed', (event) => {
        this.lastCommits.set(event.workspaceId, { branch: event.branch, at: Date.now() });
        return this.flush();
      }),
      events.on('checked_out', () => this.flush()),
    );
  }

  /** Session ceilings are kept here: a Workspace cannot tell them back as they were given. */
  private noteSessions(event: SessionsChangedEvent): void {
    if (event.change === 'created') {
      if (event.mounts === null) return;
      const ceilings = this.sessionMounts.get(event.workspaceId) ?? new Map<string, Record<string, string>>();
      ceilings.set(event.sessionId, event.mounts);
      this.sessionMounts.set(event.workspaceId, ceilings);
    } else if (event.change === 'deleted') {
      this.sessionMounts.get(event.workspaceId)?.delete(event.sessionId);
    }
  }

  // ---- restore -------------------------------------------------------------------------------

  private async restoreAll(): Promise<void> {
    const loaded = [];
    for (const id of await this.store.ids()) {
      try {
        loaded.push(await this.store.load(id));
      } catch (error) {
        await this.giveUp(id, error);
      }
    }
    // Registration order as before: oldest first.
    loaded.sort((a, b) => a.record.created_at - b.record.created_at || (a.id < b.id ? -1 : 1));
    let count = 0;
    for (const stored of loaded) {
      try {
        const { workspace, from } = await restoreStoredWorkspace(this.registry, stored, {
          readVersion: (id, branch) => this.readVersion(id, branch),
          warn: (message) => this.logger.warn(message),
        });
        this.restored.add(workspace.id);
        this.createdAt.set(workspace.id, stored.record.created_at);
        if (stored.record.last_commit !== null) this.lastCommits.set(workspace.id, stored.record.last_commit);
        const ceilings = new Map<string, Record<string, string>>();
        for (const session of stored.sessions) if (session.mounts) ceilings.set(session.session_id, session.mounts);
        this.sessionMounts.set(workspace.id, ceilings);
        await this.store.clearFailed(workspace.id);
        count += 1;
        this.logger.log(`restored workspace ${workspace.id} (files from ${from === 'none' ? 'nowhere: none saved' : from})`);
      } catch (error) {
        await this.giveUp(stored.id, error);
      }
    }
    if (count > 0 || this.failed.size > 0) {
      this.logger.log(`restored ${count} workspaces (${this.failed.size} skipped) from ${this.store.workspacesDir}`);
    }
  }

  private async readVersion(id: string, branch: string): Promise<TreeFile[] | null> {
    try {
      return (await this.versions.read(id, branch)).files;
    } catch (error) {
      if (error instanceof VersioningError && error.code === 'not_found') return null;
      throw error;
    }
  }

  private async giveUp(id: string, error: unknown): Promise<void> {
    const reason = error instanceof Error ? error.message : String(error);
    this.failed.add(id);
    this.logger.error(`could not restore workspace ${id}: ${reason}; skipped, its state is kept in ${this.store.workspacesDir}/${id}`);
    await this.store.markFailed(id, reason).catch(() => undefined);
  }

  // ---- saving --------------------------------------------------------------------------------

  /** Saves every change not yet on disk; concurrent callers share the next pass. */
  flush(): Promise<void> {
    if (this.pending !== null) return this.pending;
    const previous = this.running ?? Promise.resolve();
    const next = previous.then(() => {
      this.pending = null;
      const run = this.saveChanges();
      this.running = run;
      void run.finally(() => {
        if (this.running === run) this.running = null;
      });
      return run;
    });
    this.pending = next;
    return next;
  }

  private scheduleFlush(): void {
    if (this.debounce !== undefined) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.flush();
    }, EXECUTE_DEBOUNCE_MS);
    this.debounce.unref();
  }

  private recordOf(workspace: Workspace): WorkspaceStateRecord {
    return {
      format: STATE_FORMAT,
      version: STATE_FORMAT_VERSION,
      id: workspace.id,
      created_at: this.createdAt.get(workspace.id) ?? workspace.createdAt,
      config: workspace.config,
      last_commit: this.lastCommits.get(workspace.id) ?? null,
    };
  }

  private sessionsOf(workspace: Workspace): PersistedSession[] {
    const ceilings = this.sessionMounts.get(workspace.id);
    return workspace.sessionStates().map((state) => ({ ...state, mounts: ceilings?.get(state.session_id) ?? null }));
  }

  private async saveChanges(): Promise<void> {
    if (!this.ready || this.stopped) return;
    const live = new Set<string>();
    let failure: unknown;
    for (const id of [...this.dropped]) {
      try {
        await this.store.remove(id);
        // Only what was written: the event already cleared the rest, which a new workspace of the
        // same id may have filled again since.
        this.written.delete(id);
        this.restored.delete(id);
        this.dropped.delete(id);
      } catch (error) {
        failure ??= error;
      }
    }
    for (const workspace of this.registry.list()) {
      live.add(workspace.id);
      if (workspace.isClosed) continue;
      const record = JSON.stringify(this.recordOf(workspace));
      const sessions = JSON.stringify(this.sessionsOf(workspace));
      const before = this.written.get(workspace.id);
      try {
        if (before?.record !== record) {
          const fresh = before === undefined && !this.restored.has(workspace.id);
          await this.store.saveRecord(JSON.parse(record) as WorkspaceStateRecord, { fresh });
          this.failed.delete(workspace.id);
        }
        if (before?.sessions !== sessions) await this.store.saveSessions(workspace.id, JSON.parse(sessions) as PersistedSession[]);
        this.written.set(workspace.id, { record, sessions });
      } catch (error) {
        failure ??= error;
      }
    }
    // Anything else not live any more (a delete whose event was missed) goes too.
    for (const id of [...this.written.keys(), ...this.restored]) {
      if (live.has(id)) continue;
      try {
        await this.store.remove(id);
        this.forget(id);
      } catch (error) {
        failure ??= error;
      }
    }
    this.noteWriteResult(failure);
  }

  private noteWriteResult(failure: unknown): void {
    if (failure === undefined) {
      if (this.lastWriteError !== undefined) this.logger.log('workspace state is being saved again');
      this.lastWriteError = undefined;
      return;
    }
    const message = failure instanceof Error ? failure.message : String(failure);
    const kind = isNoSpaceError(failure) ? 'no space left on device' : message;
    if (this.lastWriteError === kind) return;
    this.lastWriteError = kind;
    this.logger.error(`could not save workspace state under ${this.store.workspacesDir}: ${message} (will retry)`);
  }

  private forget(id: string): void {
    this.written.delete(id);
    this.restored.delete(id);
    this.sessionMounts.delete(id);
    this.lastCommits.delete(id);
    this.createdAt.delete(id);
  }

  /**
   * Graceful stop (before the workspaces are closed): no new jobs, running ones canceled, then
   * the final sessions and a snapshot of each workspace's files. A snapshot that cannot be
   * written is removed, so an older one is never taken for the last state.
   */
  private async saveForShutdown(): Promise<void> {
    this.stopListening();
    await this.registry.jobs.close();
    await this.flush();
    this.stopped = true;
    let saved = 0;
    for (const workspace of this.registry.list()) {
      try {
        await this.store.saveSnapshot(workspace.id, await snapshotSource(workspace, finishedJobs(this.registry.jobs, workspace.id)));
        saved += 1;
      } catch (error) {
        this.logger.error(`could not save a snapshot of workspace ${workspace.id}: ${(error as Error).message}`);
        await this.store.dropSnapshot(workspace.id).catch(() => undefined);
      }
    }
    if (saved > 0) this.logger.log(`snapshotted ${saved} workspaces to ${this.store.workspacesDir}`);
  }

  private stopListening(): void {
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
    if (this.debounce !== undefined) clearTimeout(this.debounce);
    this.debounce = undefined;
  }
}
