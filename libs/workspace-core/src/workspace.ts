// A workspace: mounts on one namespace, sessions that keep cwd and env between calls, a command
// history. Command lines run through the workspace's shell engine (engines/engine.ts): `builtin`
// (just-bash) or `sandbox` (real bash in bubblewrap); see docs/engines.md.
import type {
  CreateSessionRequest,
  IoResult,
  MountMode,
  MountSummary,
  ProvisionResult,
  SessionDeleted,
  SessionSummary,
  WorkspaceBrief,
  WorkspaceConfig,
  WorkspaceDetail,
} from '@mirage-ts/protocol';
import { isRecord } from '@mirage-ts/protocol';
import { InMemoryFs, MountableFs } from './engine.js';
import type { IFileSystem } from './engine.js';
import { DEFAULT_LIMITS } from './limits.js';
import type { WorkspaceLimits } from './limits.js';
import { parseMode, SESSION_ID_PATTERN } from './config.js';
import type { MountSpec, ValidatedConfig } from './config.js';
import { WorkspaceError } from './errors.js';
import { WorkspaceEvents } from './events.js';
import { CommandHistory, type HistoryEntry } from './history.js';
import { newSessionId } from './ids.js';
import { normalizePrefix, owningMount, summaryPrefix, treePrefix } from './mount-paths.js';
import type { JobTable } from './jobs.js';
import { describeMount, ModeGuardFs, truncateDescription } from './mounts/index.js';
import { carryEnv } from './engines/builtin/index.js';
import type { EngineName, EngineRunOutput, ShellEngine } from './engines/engine.js';
import { buildNamespace } from './engines/namespace.js';
import type { OutputSink } from './output/output-log.js';
import { redactS3Config } from './mounts/s3/config.js';
import type { S3Fingerprint } from './mounts/s3/fingerprint.js';
import { provisionCommand } from './provision/index.js';
import { expandGlob } from './glob.js';
import type { LiveTreeEntry, SessionState, TreeFile } from './tree.js';
import type { FileView } from './file-tools/view.js';
import { applyTree, clearBackend, walkBackend } from './tree-io.js';

export const DEFAULT_OUTPUT_LIMIT_BYTES = 16 * 1024 * 1024;

export interface ExecuteRequest {
  command: string;
  session_id?: string;
  cwd?: string;
  env?: Record<string, string>;
  stdin?: Uint8Array;
  record?: boolean;
  /** Ends the call with exit 124 after this many seconds (library callers; not on the wire yet). */
  timeout_s?: number;
}

export type { HistoryEntry } from './history.js';

/** A mount as the workspace holds it: spec, backend and (for the implicit root) a flag. */
export interface LiveMount {
  prefix: string;
  resource: string;
  mode: MountMode;
  config: Record<string, unknown>;
  backend: IFileSystem;
  implicit: boolean;
}

interface Session {
  id: string;
  cwd: string;
  env: Record<string, string>;
  /** Engine-private shell state (sandbox: functions, aliases, options, unexported variables). */
  shell?: string;
  /** Per-mount mode ceilings (`/data` → read), or null for none. */
  ceilings: Map<string, MountMode> | null;
  /** Tail of this session's call chain: calls of one session run one at a time. */
  tail: Promise<unknown>;
}

export interface WorkspaceInit {
  id: string;
  validated: ValidatedConfig;
  backends: IFileSystem[];
  jobs: JobTable;
  outputLimitBytes: number;
  /** Resolved limits (limits.ts); max_output_bytes, when given, wins over outputLimitBytes. */
  limits?: WorkspaceLimits;
  /** Builds the workspace's engine over its live mounts (the implicit root included). */
  engine: (mounts: readonly LiveMount[]) => ShellEngine;
  /** Why this engine was chosen (shown by `workspace get`), e.g. why `auto` fell back. */
  engineReason?: string;
  /** Limits the engine cannot enforce here (shown by `workspace get` as `limits_notes`). */
  limitsNotes?: string[];
  now?: number;
  /** The registry's change events; a workspace built on its own gets a channel nobody listens to. */
  events?: WorkspaceEvents;
}

const MODE_RANK: Record<MountMode, number> = { read: 0, write: 1, exec: 2 };

export class Workspace {
  readonly id: string;
  readonly createdAt: number;
  readonly config: WorkspaceConfig;
  readonly defaultSessionId: string;
  /** User mounts in config order, then the implicit root when the user has no `/` mount. */
  readonly mounts: readonly LiveMount[];
  private readonly jobs: JobTable;
  private readonly outputLimitBytes: number;
  private readonly engine: ShellEngine;
  readonly engineReason: string | undefined;
  readonly limitsNotes: readonly string[];
  private readonly sessions = new Map<string, Session>();
  readonly limits: WorkspaceLimits;
  private readonly history = new CommandHistory();
  private readonly events: WorkspaceEvents;
  /** `labels:` of the config (docs/protocol.md §6.8). */
  readonly labels: Readonly<Record<string, string>>;
  /** `idle_timeout_s:` of the config; the registry closes the workspace after that long without a job. */
  readonly idleTimeoutS: number | undefined;
  /** `env:` of the config: what every new session starts with. */
  private readonly configEnv: Readonly<Record<string, string>>;
  /** The `readonly: true` entries of `env:`, laid over every line's env and over what it leaves. */
  private readonly readonlyEnv: Readonly<Record<string, string>>;
  private closed = false;

  constructor(init: WorkspaceInit) {
    this.id = init.id;
    this.createdAt = (init.now ?? Date.now()) / 1000;
    this.config = init.validated.config;
    this.defaultSessionId = init.validated.defaultSessionId;
    this.jobs = init.jobs;
    this.limits = init.limits ?? { ...DEFAULT_LIMITS, max_output_bytes: init.outputLimitBytes };
    this.outputLimitBytes = this.limits.max_output_bytes;
    this.events = init.events ?? new WorkspaceEvents();
    this.labels = init.validated.labels;
    this.idleTimeoutS = init.validated.idleTimeoutS;
    this.configEnv = init.validated.env;
    this.readonlyEnv = Object.fromEntries(init.validated.readonlyEnv.map((name) => [name, init.validated.env[name]]));
    const mounts: LiveMount[] = init.validated.mounts.map((spec: MountSpec, index) => ({
      prefix: spec.prefix,
      resource: spec.resource,
      mode: spec.mode,
      config: spec.config,
      backend: init.backends[index],
      implicit: false,
    }));
    if (!mounts.some((mount) => mount.prefix === '/')) {
      // The namespace needs a root; without a user `/` mount it only holds the mount points.
      mounts.push({ prefix: '/', resource: 'ram', mode: 'read', config: {}, backend: new InMemoryFs(), implicit: true });
    }
    this.mounts = mounts;
    this.engine = init.engine(mounts);
    this.engineReason = init.engineReason;
    this.limitsNotes = init.limitsNotes ?? [];
    this.sessions.set(this.defaultSessionId, this.freshSession(this.defaultSessionId, null));
  }

  // ---- descriptions ------------------------------------------------------------------------

  get userMounts(): LiveMount[] {
    return this.mounts.filter((mount) => !mount.implicit);
  }

  /** Commands recorded since the workspace was created (the history keeps only the newest). */
  get historyLength(): number {
    return this.history.total;
  }

  /** The newest HISTORY_LIMIT commands, oldest first; `record: false` calls are not in it. */
  commandHistory(): readonly HistoryEntry[] {
    return this.history.entries();
  }

  brief(): WorkspaceBrief {
    return {
      id: this.id,
      mode: this.mode(),
      mount_count: this.mountSummaries().length,
      session_count: this.sessions.size,
      created_at: this.createdAt,
      ...(Object.keys(this.labels).length > 0 ? { labels: { ...this.labels } } : {}),
    };
  }

  get engineName(): EngineName {
    return this.engine.name;
  }

  detail(verbose = false): WorkspaceDetail {
    return {
      id: this.id,
      mode: this.mode(),
      engine: this.engine.name,
      ...(this.engineReason !== undefined ? { engine_reason: this.engineReason } : {}),
      ...(this.limitsNotes.length > 0 ? { limits_notes: [...this.limitsNotes] } : {}),
      created_at: this.createdAt,
      fuse_mountpoints: {},
      mounts: this.mountSummaries(),
      sessions: this.listSessions(),
      internals: verbose
        ? { cache_bytes: null, cache_entries: null, history_length: this.history.total, in_flight_jobs: this.jobs.inFlight(this.id) }
        : null,
    };
  }

  redactedConfig(): WorkspaceConfig {
    const copy = structuredClone(this.config);
    for (const block of Object.values(copy.mounts)) {
      if (block.resource === 's3' && isRecord(block.config)) block.config = redact(block.config);
    }
    return copy;
  }

  /**
   * Each mount's backend and options, for snapshots and clones. `prefix` carries a trailing
   * slash (`/`, `/data/`); `config` is redacted (s3 credentials replaced). The implicit root is
   * not listed.
   */
  mountResources(): { prefix: string; resource: string; mode: MountMode; config: Record<string, unknown> }[] {
    return this.userMounts.map((mount) => ({
      prefix: summaryPrefix(mount.prefix),
      resource: mount.resource,
      mode: mount.mode,
      config: mount.resource === 's3' ? redact(mount.config) : structuredClone(mount.config),
    }));
  }

  private mode(): MountMode {
    return this.userMounts[0]?.mode ?? 'read';
  }

  private mountSummaries(): MountSummary[] {
    const ordered = [...this.mounts.filter((mount) => mount.implicit), ...this.userMounts];
    return ordered.map((mount) => {
      const description = mount.implicit
        ? 'Workspace root (read-only); holds the mount points.'
        : describeMount({ resource: mount.resource as MountSpec['resource'], mode: mount.mode, config: mount.config });
      return {
        prefix: summaryPrefix(mount.prefix),
        resource: mount.resource,
        vfs: mount.resource,
        mode: mount.mode,
        description: truncateDescription(description),
      };
    });
  }

  // ---- sessions ----------------------------------------------------------------------------

  createSession(request: CreateSessionRequest): SessionSummary {
    this.assertOpen();
    const id = request.session_id ?? newSessionId();
    if (typeof id !== 'string' || !SESSION_ID_PATTERN.test(id))
      throw new WorkspaceError('unprocessable', `invalid session id: ${String(id)}`);
    if (this.sessions.has(id)) throw new WorkspaceError('already_exists', `session id already exists: ${id}`);
    const ceilings = this.parseCeilings(request.mounts);
    const session = this.freshSession(id, ceilings);
    this.sessions.set(id, session);
    const mounts = isRecord(request.mounts) ? ({ ...request.mounts } as Record<string, string>) : null;
    this.events.post({ type: 'sessions', change: 'created', workspaceId: this.id, sessionId: id, mounts });
    return summary(session);
  }

  listSessions(): SessionSummary[] {
    return [...this.sessions.values()].map(summary);
  }

  getSession(id: string): SessionSummary {
    return summary(this.requireSession(id));
  }

  /** Cancels the session's jobs and forgets it; the default session is reset instead. */
  async deleteSession(id: string): Promise<SessionDeleted> {
    const session = this.requireSession(id);
    this.jobs.cancelSession(this.id, id);
    await session.tail.catch(() => undefined);
    await this.engine.dropSession(id);
    if (id === this.defaultSessionId) this.sessions.set(id, this.freshSession(id, null));
    else this.sessions.delete(id);
    await this.events.emit({ type: 'sessions', change: 'deleted', workspaceId: this.id, sessionId: id });
    return { session_id: id };
  }

  sessionStates(): SessionState[] {
    return [...this.sessions.values()].map((session) => ({ session_id: session.id, cwd: session.cwd, env: { ...session.env } }));
  }

  /** Replaces the cwd/env of the named sessions, creating the ones that do not exist. */
  restoreSessions(states: SessionState[]): void {
    const restored: string[] = [];
    for (const state of states) {
      if (typeof state.session_id !== 'string' || !SESSION_ID_PATTERN.test(state.session_id)) continue;
      const existing = this.sessions.get(state.session_id);
      const session = existing ?? this.freshSession(state.session_id, null);
      session.cwd = typeof state.cwd === 'string' && state.cwd.startsWith('/') ? state.cwd : '/';
      session.env = isRecord(state.env) ? { ...carryEnv(state.env as Record<string, string>), ...this.readonlyEnv } : session.env;
      session.env.PWD = session.cwd;
      session.shell = undefined;
      this.sessions.set(session.id, session);
      restored.push(session.id);
    }
    this.events.post({ type: 'sessions', change: 'restored', workspaceId: this.id, sessionIds: restored });
  }

  private requireSession(id: string): Session {
    const session = this.sessions.get(id);
    if (session === undefined) throw new WorkspaceError('not_found', 'session not found');
    return session;
  }

  private freshSession(id: string, ceilings: Map<string, MountMode> | null): Session {
    const initial = this.engine.initialState();
    return { id, cwd: initial.cwd, env: { ...initial.env, ...this.configEnv }, ceilings, tail: Promise.resolve() };
  }

  private parseCeilings(mounts: CreateSessionRequest['mounts'] | unknown): Map<string, MountMode> | null {
    if (mounts === undefined || mounts === null) return null;
    if (!isRecord(mounts)) throw new WorkspaceError('unprocessable', 'session mounts must be a mapping of mount prefix to mode');
    const ceilings = new Map<string, MountMode>();
    for (const [rawPrefix, rawMode] of Object.entries(mounts)) {
      const prefix = normalizePrefix(rawPrefix);
      if (prefix === undefined || !this.mounts.some((mount) => mount.prefix === prefix)) {
        throw new WorkspaceError('unprocessable', `unknown mount: ${rawPrefix}`);
      }
      const mode = parseMode(rawMode);
      if (mode === undefined) throw new WorkspaceError('unprocessable', `invalid mode for mount ${rawPrefix}: ${String(rawMode)}`);
      ceilings.set(prefix, mode);
    }
    return ceilings;
  }

  // ---- execution ---------------------------------------------------------------------------

  /**
   * Runs one command line in a session. Non-zero exits are results, not errors. `onOutput` gets
   * the command's stdout and stderr bytes (the builtin engine hands them over when the command
   * ends, one chunk per stream; an engine with pipes calls it as they come).
   */
  async execute(request: ExecuteRequest, signal?: AbortSignal, onOutput?: OutputSink): Promise<IoResult> {
    this.assertOpen();
    const session = this.requireSession(request.session_id ?? this.defaultSessionId);
    try {
      return await this.inSession(session, () => this.run(session, request, signal, onOutput));
    } finally {
      this.events.post({ type: 'executed', workspaceId: this.id, sessionId: session.id });
    }
  }

  /** Dry run: what the command would read and write (the provision module walks the parse). */
  async provision(request: { command: string; session_id?: string }): Promise<ProvisionResult> {
    this.assertOpen();
    const session = this.requireSession(request.session_id ?? this.defaultSessionId);
    const namespace = buildNamespace(this.mounts, this.modesOf(session));
    // A `/` mount always exists (the user's or the implicit one): every path has an owner.
    const mountOf = (path: string): LiveMount => owningMount(this.mounts, path, prefixOf) as LiveMount;
    const sizeOf = async (path: string): Promise<number | undefined> => {
      const mount = mountOf(path);
      const sized = mount.backend as IFileSystem & { sizeOf?: (inner: string) => Promise<number | undefined> };
      if (mount.resource === 's3' && typeof sized.sizeOf === 'function') {
        return sized.sizeOf(mount.prefix === '/' ? path : path.slice(mount.prefix.length) || '/');
      }
      let stat;
      try {
        stat = await namespace.stat(path);
      } catch {
        return undefined;
      }
      if (!stat.isDirectory) return stat.size;
      let total = 0;
      for (const name of await namespace.readdir(path)) total += (await sizeOf(path === '/' ? `/${name}` : `${path}/${name}`)) ?? 0;
      return total;
    };
    return provisionCommand(request.command, {
      cwd: session.cwd,
      env: { ...session.env },
      sizeOf,
      resourceOf: (path) => mountOf(path).resource,
      glob: (pattern) => expandGlob(namespace, session.cwd, pattern),
    });
  }

  private inSession<T>(session: Session, work: () => Promise<T>): Promise<T> {
    const result = session.tail.then(work, work);
    session.tail = result.catch(() => undefined);
    return result;
  }

  private async run(session: Session, request: ExecuteRequest, signal?: AbortSignal, onOutput?: OutputSink): Promise<IoResult> {
    const isolated = request.cwd !== undefined || request.env !== undefined;
    if (request.record !== false) this.history.record({ session_id: session.id, command: request.command, at: Date.now() / 1000 });
    const output = await this.engine.run({
      command: request.command,
      sessionId: session.id,
      // `readonly` entries of the config's env: block win over the session's and the call's own values.
      state: {
        cwd: session.cwd,
        env: { ...session.env, ...this.readonlyEnv },
        ...(session.shell !== undefined ? { shell: session.shell } : {}),
      },
      requestedCwd: request.cwd,
      extraEnv: request.env === undefined ? undefined : { ...request.env, ...this.readonlyEnv },
      stdin: request.stdin,
      modes: this.modesOf(session),
      signal,
      timeoutMs: request.timeout_s !== undefined && Number.isFinite(request.timeout_s) ? Math.max(0, request.timeout_s) * 1000 : undefined,
      limits: this.limits,
      outputLimitBytes: this.outputLimitBytes,
      onOutput,
    });
    if (!isolated && output.state !== undefined) {
      session.cwd = output.state.cwd;
      session.env = { ...output.state.env, ...this.readonlyEnv };
      session.shell = output.state.shell;
    }
    return this.toIoResult(output);
  }

  private toIoResult(result: EngineRunOutput): IoResult {
    let stdout = typeof result.stdout === 'string' ? result.stdout : Buffer.from(result.stdout).toString('utf8');
    let stderr = typeof result.stderr === 'string' ? result.stderr : Buffer.from(result.stderr).toString('utf8');
    const notes: string[] = [];
    let truncated = false;
    const cutStdout = cut(stdout, this.outputLimitBytes);
    if (cutStdout !== undefined || result.overLimit?.stdout === true) {
      stdout = cutStdout ?? stdout;
      truncated = true;
      notes.push(`mirage: stdout truncated at ${this.outputLimitBytes} bytes (limits.max_output_bytes)\n`);
    }
    const cutStderr = cut(stderr, this.outputLimitBytes);
    if (cutStderr !== undefined || result.overLimit?.stderr === true) {
      stderr = cutStderr ?? stderr;
      truncated = true;
      notes.push(`mirage: stderr truncated at ${this.outputLimitBytes} bytes (limits.max_output_bytes)\n`);
    }
    if (truncated) {
      if (stderr !== '' && !stderr.endsWith('\n')) stderr += '\n';
      stderr += notes.join('');
    }
    const io = ioResult(result.exitCode, stdout, stderr);
    if (truncated) io.truncated = true;
    return io;
  }

  /** Each mount's effective mode for a session (its ceilings applied), in mount order. */
  private modesOf(session: Session): MountMode[] {
    return this.mounts.map((mount) => {
      const ceiling = session.ceilings?.get(mount.prefix);
      return ceiling !== undefined && MODE_RANK[ceiling] < MODE_RANK[mount.mode] ? ceiling : mount.mode;
    });
  }

  /**
   * The namespace a session sees, for the file tools (file-tools/): every mount behind a
   * ModeGuardFs at the session's effective mode, the session's cwd, and the mounts longest
   * prefix first (with each one's effective mode) so a tool can reach a backend directly.
   */
  fileView(sessionId?: string): FileView {
    this.assertOpen();
    const session = this.requireSession(sessionId ?? this.defaultSessionId);
    const mounts = this.mounts.map((mount) => {
      const ceiling = session.ceilings?.get(mount.prefix);
      const mode = ceiling !== undefined && MODE_RANK[ceiling] < MODE_RANK[mount.mode] ? ceiling : mount.mode;
      return {
        prefix: mount.prefix,
        resource: mount.resource,
        mode,
        backend: mount.backend,
        config: mount.config,
        guarded: new ModeGuardFs(mount.backend, mode, summaryPrefix(mount.prefix)),
      };
    });
    const root = mounts.find((mount) => mount.prefix === '/') as (typeof mounts)[number];
    const namespace = new MountableFs({ base: root.guarded });
    for (const mount of mounts) if (mount !== root) namespace.mount(mount.prefix, mount.guarded);
    return {
      fs: namespace,
      cwd: session.cwd,
      mounts: mounts
        .map(({ prefix, resource, mode, backend, config }) => ({ prefix, resource, mode, backend, config }))
        .sort((a, b) => b.prefix.length - a.prefix.length),
    };
  }

  // ---- file trees --------------------------------------------------------------------------

  /** Fingerprints (ETag, VersionId) of every file of each s3 mount, by mount prefix: what a snapshot records for drift. */
  async s3Fingerprints(): Promise<Record<string, S3Fingerprint[]>> {
    const result: Record<string, S3Fingerprint[]> = {};
    for (const mount of this.userMounts) {
      const backend = mount.backend as IFileSystem & { fingerprints?: () => Promise<S3Fingerprint[]> };
      if (mount.resource === 's3' && typeof backend.fingerprints === 'function') result[mount.prefix] = await backend.fingerprints();
    }
    return result;
  }

  /** Every file, directory and symlink of the ram and disk mounts (s3 keeps its own state). */
  async listTree(): Promise<LiveTreeEntry[]> {
    const entries: LiveTreeEntry[] = [];
    for (const mount of this.treeMounts()) entries.push(...(await walkBackend(mount.backend, treePrefix(mount.prefix))));
    return entries;
  }

  /**
   * Makes the writable ram and disk mounts hold exactly `files` (entries of other mounts are
   * ignored). With `seeding` (a workspace being built from saved parts) read-only ram mounts are
   * filled too: nothing else could ever give them content, while a read-only disk mount keeps
   * its host directory untouched.
   */
  async replaceTree(files: TreeFile[], options: { seeding?: boolean; seedRoots?: readonly string[] } = {}): Promise<void> {
    this.assertOpen();
    // A read-only disk mount is seeded only in a directory made for it (seedRoots), never the user's.
    const seedRoots = new Set(options.seedRoots ?? []);
    const freshDisk = (mount: LiveMount): boolean =>
      mount.resource === 'disk' && typeof mount.config.root === 'string' && seedRoots.has(mount.config.root);
    const targets = this.treeMounts()
      .filter((mount) => mount.mode !== 'read' || (options.seeding === true && (mount.resource === 'ram' || freshDisk(mount))))
      .sort((a, b) => b.prefix.length - a.prefix.length);
    const byMount = new Map<LiveMount, TreeFile[]>(targets.map((mount) => [mount, []]));
    const owners = this.treeMounts();
    for (const file of files) {
      const path = file.path.replace(/^\/+/, '');
      const owner = owningMount(owners, `/${path}`, prefixOf);
      if (owner === undefined || !byMount.has(owner)) continue;
      const relative = path.slice(treePrefix(owner.prefix).length);
      if (relative === '') continue;
      byMount.get(owner)?.push({ ...file, path: relative });
    }
    for (const [mount, entries] of byMount) {
      await clearBackend(mount.backend);
      await applyTree(mount.backend, entries);
    }
  }

  private treeMounts(): LiveMount[] {
    return this.userMounts.filter((mount) => mount.resource === 'ram' || mount.resource === 'disk');
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  get isClosed(): boolean {
    return this.closed;
  }

  /** Cancels the workspace's jobs, waits for them, and releases backends that hold resources. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.jobs.cancelWorkspace(this.id);
    await this.jobs.drain(this.id);
    try {
      await this.engine.close();
    } catch {
      // An engine that fails to release is not worth failing the delete for.
    }
    for (const mount of this.mounts) {
      const closable = mount.backend as IFileSystem & { close?: () => unknown; destroy?: () => unknown };
      try {
        await (closable.close?.() ?? closable.destroy?.());
      } catch {
        // A backend that fails to release is not worth failing the delete for.
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new WorkspaceError('not_found', 'workspace not found');
  }
}

function summary(session: Session): SessionSummary {
  return { session_id: session.id, cwd: session.cwd };
}

const prefixOf = (mount: LiveMount): string => mount.prefix;

function redact(config: Record<string, unknown>): Record<string, unknown> {
  return redactS3Config(structuredClone(config));
}

function ioResult(exitCode: number, stdout: string, stderr: string): IoResult {
  return { kind: 'io', exit_code: exitCode, stdout, stderr, refusal: null };
}

/** The text cut to `limit` UTF-8 bytes (never splitting a character), or undefined if it fits. */
function cut(text: string, limit: number): string | undefined {
  if (text.length <= limit / 3) return undefined;
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= limit) return undefined;
  let end = limit;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8');
}
