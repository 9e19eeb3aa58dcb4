// Resolves what the daemon runs with, once, from (highest first) explicit options, the
// environment, `$MIRAGE_HOME/config.toml [daemon]`, and the defaults (docs/protocol.md §12.1).
// Everything downstream receives the resolved settings by injection; nothing reads process.env.
import { accessSync, constants as fsConstants, mkdirSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import {
  DAEMON_KEY_DEFAULTS,
  DaemonConfigError,
  deprecatedSettingWarnings,
  ensureTokenFile,
  homePaths,
  mirageHome,
  readDaemonTable,
  settingDefault,
} from '@mirage-ts/protocol';
import { ENGINE_CHOICES, type EngineChoice, type LimitsPolicy } from '@mirage-ts/workspace-core';
import { readLimitsPolicy } from './limits-policy.js';

export type Environment = Record<string, string | undefined>;

/** `local`: a token from MIRAGE_AUTH_TOKEN or the home's token file; `token`: MIRAGE_AUTH_TOKEN
 * required; `none`: no bearer check (only for embedders that authenticate themselves). */
export type AuthMode = 'local' | 'token' | 'none';
const AUTH_MODES: readonly string[] = ['local', 'token', 'none'];

/** Why the daemon asks its owner to exit. */
export type ExitReason = 'shutdown' | 'idle';

export interface MirageAuthOptions {
  mode?: AuthMode;
  /** The expected bearer token; else MIRAGE_AUTH_TOKEN, config `auth_token`, or (local) the token file. */
  token?: string;
}

/** Options of `MirageModule.forRoot` and `createDaemon`. Every field is optional. */
export interface MirageModuleOptions {
  /** Root of config.toml, auth_token, repos/, snapshots/, state/. Default `$MIRAGE_HOME` or `~/.mirage`. */
  home?: string;
  /** Environment read for settings and `${VAR}` interpolation of workspace configs. Default process.env. */
  env?: Environment;
  versionRoot?: string;
  snapshotRoot?: string;
  stateRoot?: string;
  /** Host header allow-list; `['*']` disables the check. */
  allowedHosts?: readonly string[];
  auth?: MirageAuthOptions;
  /** Seconds between the registry becoming empty (delete/close) and the exit callback. */
  idleGraceSeconds?: number;
  /** Lets workspaces reach the network (`curl`). Default false. */
  allowNetwork?: boolean;
  /** Engine of configs that name none (docs/engines.md); else MIRAGE_ENGINE, config `engine`, `auto`. */
  engine?: EngineChoice;
  /** Per-call stdout/stderr cap handed to the workspace registry. */
  outputLimitBytes?: number;
  /** Largest multipart `stdin` part accepted on execute. Default 256 MiB. */
  maxStdinBytes?: number;
  /** Workspace limit defaults and ceilings; default config.toml `[limits.defaults]`/`[limits.ceilings]`. */
  limits?: LimitsPolicy;
  /**
   * Apply the Host check and bearer auth to every path of the HTTP server (true for the
   * standalone daemon) or only to mirage's own routes, wherever they are mounted (default when
   * embedded, so the host app's own routes keep their own rules).
   */
  guardAllRoutes?: boolean;
  /**
   * Called on POST /v1/shutdown and when the idle grace elapses. Without it (mirage embedded in a
   * host application that owns the process) there is no idle exit and POST /v1/shutdown is a 409.
   */
  onExit?: (reason: ExitReason) => void | Promise<void>;
}

/** The resolved settings every provider receives (token `MIRAGE_SETTINGS`). */
export interface DaemonSettings {
  home: string;
  env: Environment;
  versionRoot: string;
  snapshotRoot: string;
  stateRoot: string;
  pidFile: string;
  /** Daemon port from MIRAGE_DAEMON_PORT → config `port` → 8765 (used by the standalone daemon). */
  port: number;
  /** `null`: check disabled (`*`). */
  allowedHosts: readonly string[] | null;
  authMode: AuthMode;
  /** `null` only in mode `none`. */
  authToken: string | null;
  idleGraceSeconds: number;
  allowNetwork: boolean;
  engine: EngineChoice;
  outputLimitBytes: number | undefined;
  maxStdinBytes: number;
  guardAllRoutes: boolean;
  limits: LimitsPolicy;
  /** Start-up warnings for stderr (deprecated variables in use). */
  warnings: readonly string[];
}

export const DEFAULT_ALLOWED_HOSTS: readonly string[] = parseHostList(DAEMON_KEY_DEFAULTS.allowed_hosts);
export const DEFAULT_MAX_STDIN_BYTES = 256 * 1024 * 1024;

const nonEmpty = (value: string | undefined): string | undefined => (value !== undefined && value.trim() !== '' ? value : undefined);

/** CSV → trimmed non-empty items; an empty result falls back to the default (docs/protocol.md §2.1). */
export function parseHostList(csv: string): string[] {
  return csv
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function resolveAllowedHosts(
  explicit: readonly string[] | undefined,
  env: Environment,
  table: Record<string, string>,
): readonly string[] | null {
  let hosts: readonly string[] = [];
  if (explicit !== undefined) hosts = explicit.map((item) => item.trim()).filter((item) => item !== '');
  if (hosts.length === 0 && nonEmpty(env.MIRAGE_ALLOWED_HOSTS)) hosts = parseHostList(env.MIRAGE_ALLOWED_HOSTS!);
  if (hosts.length === 0 && nonEmpty(table.allowed_hosts)) hosts = parseHostList(table.allowed_hosts);
  if (hosts.length === 0) hosts = DEFAULT_ALLOWED_HOSTS;
  return hosts.includes('*') ? null : hosts;
}

function resolveNumber(name: string, candidates: ReadonlyArray<string | number | undefined>, fallback: number): number {
  for (const candidate of candidates) {
    if (candidate === undefined || (typeof candidate === 'string' && candidate.trim() === '')) continue;
    const value = Number(candidate);
    if (!Number.isFinite(value)) throw new DaemonConfigError(`${name} must be a number, got "${String(candidate)}"`);
    return value;
  }
  return fallback;
}

function resolvePath(explicit: string | undefined, fromEnv: string | undefined, fromTable: string | undefined, fallback: string): string {
  const chosen = explicit ?? nonEmpty(fromEnv) ?? nonEmpty(fromTable);
  if (chosen === undefined) return fallback;
  return isAbsolute(chosen) ? chosen : resolve(chosen);
}

function resolveAuth(
  options: MirageAuthOptions | undefined,
  env: Environment,
  table: Record<string, string>,
  tokenPath: string,
): { mode: AuthMode; token: string | null } {
  const rawMode = options?.mode ?? nonEmpty(env.MIRAGE_AUTH_MODE) ?? nonEmpty(table.auth_mode) ?? 'local';
  const mode = rawMode.trim().toLowerCase();
  if (mode === 'jwt') throw new DaemonConfigError('MIRAGE_AUTH_MODE jwt is not supported by mirage-ts; use local or token');
  if (!AUTH_MODES.includes(mode) || (mode === 'none' && options?.mode !== 'none')) {
    throw new DaemonConfigError(`MIRAGE_AUTH_MODE must be one of local|token, got "${rawMode}"`);
  }
  if (mode === 'none') return { mode, token: null };
  const given = nonEmpty(options?.token)?.trim() ?? nonEmpty(env.MIRAGE_AUTH_TOKEN)?.trim();
  if (mode === 'token') {
    if (given === undefined) throw new DaemonConfigError('mode=token requires MIRAGE_AUTH_TOKEN to be set');
    return { mode, token: given };
  }
  return { mode: 'local', token: given ?? nonEmpty(table.auth_token)?.trim() ?? ensureTokenFile(tokenPath) };
}

function resolveEngine(raw: string): EngineChoice {
  const engine = raw.trim().toLowerCase();
  if (!(ENGINE_CHOICES as readonly string[]).includes(engine))
    throw new DaemonConfigError(`MIRAGE_ENGINE must be one of ${ENGINE_CHOICES.join('|')}, got "${raw}"`);
  return engine as EngineChoice;
}

/**
 * Resolves the daemon's settings. Throws DaemonConfigError (spec messages) for a bad config.toml,
 * an unknown auth mode, or token mode without a token. Local mode creates the token file if absent.
 */
/**
 * Creates the home directory if needed and checks that it is writable: a daemon started where
 * $HOME is unset or read-only stops here with one line, unless MIRAGE_HOME names a usable place.
 */
function ensureUsableHome(home: string, origin: string): void {
  try {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    accessSync(home, fsConstants.W_OK);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
    throw new DaemonConfigError(`cannot use ${home} (${origin}) as the mirage home: ${reason}; set MIRAGE_HOME to a writable directory`);
  }
}

function homeOrigin(options: MirageModuleOptions, env: Environment): string {
  if (options.home !== undefined) return 'the home option';
  return nonEmpty(env.MIRAGE_HOME) !== undefined ? 'MIRAGE_HOME' : 'the default, ~/.mirage';
}

export function resolveDaemonSettings(options: MirageModuleOptions = {}): DaemonSettings {
  const env = options.env ?? process.env;
  const home = options.home !== undefined ? resolve(options.home) : mirageHome(env);
  ensureUsableHome(home, homeOrigin(options, env));
  const table = readDaemonTable(home);
  const paths = homePaths(home);
  const auth = resolveAuth(options.auth, env, table, paths.token);
  return {
    home,
    env,
    versionRoot: resolvePath(options.versionRoot, env.MIRAGE_VERSION_ROOT, table.version_root, settingDefault('version_root', home)),
    snapshotRoot: resolvePath(options.snapshotRoot, env.MIRAGE_SNAPSHOT_ROOT, table.snapshot_root, settingDefault('snapshot_root', home)),
    stateRoot: resolvePath(options.stateRoot, env.MIRAGE_STATE_ROOT, table.state_root, settingDefault('state_root', home)),
    pidFile: resolvePath(undefined, env.MIRAGE_PID_FILE, table.pid_file, settingDefault('pid_file', home)),
    port: resolveNumber('MIRAGE_DAEMON_PORT', [env.MIRAGE_DAEMON_PORT, table.port], Number(DAEMON_KEY_DEFAULTS.port)),
    allowedHosts: resolveAllowedHosts(options.allowedHosts, env, table),
    authMode: auth.mode,
    authToken: auth.token,
    idleGraceSeconds: resolveNumber(
      'MIRAGE_IDLE_GRACE_SECONDS',
      [options.idleGraceSeconds, env.MIRAGE_IDLE_GRACE_SECONDS, table.idle_grace_seconds],
      Number(DAEMON_KEY_DEFAULTS.idle_grace_seconds),
    ),
    allowNetwork: options.allowNetwork ?? false,
    engine: resolveEngine(options.engine ?? nonEmpty(env.MIRAGE_ENGINE) ?? nonEmpty(table.engine) ?? DAEMON_KEY_DEFAULTS.engine),
    outputLimitBytes: options.outputLimitBytes,
    maxStdinBytes: options.maxStdinBytes ?? DEFAULT_MAX_STDIN_BYTES,
    guardAllRoutes: options.guardAllRoutes ?? false,
    limits: options.limits ?? readLimitsPolicy(home),
    warnings: deprecatedSettingWarnings(env),
  };
}
