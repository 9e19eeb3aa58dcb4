// Keeps every workspace's config and sessions under `<stateRoot>/workspaces/<id>/` while the
// daemon runs, writes a snapshot of each on a graceful stop, and restores them all at start
// (before the server listens). Writes follow the requests that change state: structural ones
// (create, clone, load, sessions, delete, commit, checkout) are on disk before their answer is
// sent; execute's cwd/env changes (also of background jobs) are saved within ~0.1–1 s.
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DEFAULT_BRANCH, isRecord } from '@mirage-ts/protocol';
import {
  isNoSpaceError,
  restoreStoredWorkspace,
  STATE_FORMAT,
  STATE_FORMAT_VERSION,
  WorkspaceStateStore,
  type LastCommit,
  type PersistedSession,
  type TreeFile,
  type Workspace,
  type WorkspaceRegistry,
  type WorkspaceStateRecord,
} from '@mirage-ts/workspace-core';
import { VersioningError, type VersionStore } from '@mirage-ts/versioning';
import type { DaemonSettings } from '../config/daemon-settings.js';
import { MIRAGE_REGISTRY, MIRAGE_SETTINGS } from '../config/tokens.js';
import { DaemonLifecycleService } from '../core/daemon-lifecycle.service.js';
import { MIRAGE_VERSIONS } from '../versioning/versioning.tokens.js';
import { finishedJobs, snapshotSource } from '../versioning/workspace-state.js';

/** Delay before saving after an execute (coalesces bursts of commands into one write). */
const EXECUTE_DEBOUNCE_MS = 100;
/** Background jobs change sessions without a request: a cheap periodic check catches them. */
const SWEEP_INTERVAL_MS = 1000;
const WORKSPACE_PATH = /^\/v1\/workspaces(?:\/([^/]+)(\/.*)?)?$/;

interface Written {
  record: string;
  sessions: string;
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function payloadJson(payload: unknown): Record<string, unknown> | undefined {
  const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined;
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
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
  private running: Promise<void> | null = null;
  private pending: Promise<void> | null = null;
  private debounce: NodeJS.Timeout | undefined;
  private sweep: NodeJS.Timeout | undefined;
  private ready = false;
  private stopped = false;
  /** Logged once per kind until a write succeeds again, so a full disk does not flood the log. */
  private lastWriteError: string | undefined;

  constructor(
    @Inject(MIRAGE_REGISTRY) private readonly registry: WorkspaceRegistry,
    @Inject(MIRAGE_SETTINGS) settings: DaemonSettings,
    @Inject(MIRAGE_VERSIONS) private readonly versions: VersionStore,
    private readonly lifecycle: DaemonLifecycleService,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.store = new WorkspaceStateStore(settings.stateRoot);
  }

  async onModuleInit(): Promise<void> {
    // An unusable state folder (full disk, a file in the way) stops the start with its message.
    await this.store.prepare();
    this.installHook();
    await this.restoreAll();
    this.ready = true;
    this.lifecycle.onBeforeClose(() => this.saveForShutdown());
    this.sweep = setInterval(() => void this.flush(), SWEEP_INTERVAL_MS);
    this.sweep.unref();
  }

  onApplicationShutdown(): void {
    this.stopTimers();
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
    this.stopTimers();
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

  private stopTimers(): void {
    if (this.debounce !== undefined) clearTimeout(this.debounce);
    if (this.sweep !== undefined) clearInterval(this.sweep);
    this.debounce = undefined;
    this.sweep = undefined;
  }

  // ---- request hook --------------------------------------------------------------------------

  private installHook(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // A callback hook, not an async one: it runs on every request, and most need nothing.
    fastify.addHook('onSend', (request, reply, payload, done) => {
      if (request.method === 'GET' || reply.statusCode >= 300) return done(null, payload);
      const match = WORKSPACE_PATH.exec(pathOf(request.url));
      if (match === null) return done(null, payload);
      const id = match[1] === undefined ? undefined : decodeSegment(match[1]);
      const rest = match[2] ?? '';
      if (rest === '/execute') {
        this.scheduleFlush();
        return done(null, payload);
      }
      if (id !== undefined) this.noteRequest(id, rest, request, payload);
      this.flush().then(
        () => done(null, payload),
        (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
      );
    });
  }

  /** What a successful request tells that a Workspace cannot: commits and session ceilings. */
  private noteRequest(id: string, rest: string, request: FastifyRequest, payload: unknown): void {
    const body = isRecord(request.body) ? request.body : {};
    if (rest === '/commit') {
      this.lastCommits.set(id, { branch: typeof body.branch === 'string' ? body.branch : DEFAULT_BRANCH, at: Date.now() });
    } else if (rest === '/sessions' && request.method === 'POST') {
      const answer = payloadJson(payload);
      if (typeof answer?.session_id === 'string' && isRecord(body.mounts)) {
        const ceilings = this.sessionMounts.get(id) ?? new Map<string, Record<string, string>>();
        ceilings.set(answer.session_id, body.mounts as Record<string, string>);
        this.sessionMounts.set(id, ceilings);
      }
    } else if (rest.startsWith('/sessions/') && request.method === 'DELETE') {
      const sessionId = decodeSegment(rest.slice('/sessions/'.length));
      if (sessionId !== undefined) this.sessionMounts.get(id)?.delete(sessionId);
    } else if (rest === '' && request.method === 'DELETE') {
      // A later workspace of the same id starts from nothing.
      this.sessionMounts.delete(id);
      this.lastCommits.delete(id);
    }
  }
}
