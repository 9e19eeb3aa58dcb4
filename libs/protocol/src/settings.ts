// Daemon settings shared by the CLI and the daemon: the MIRAGE_HOME layout, the `[daemon]` table
// of config.toml, and how the client resolves its URL and token.
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { DEFAULT_DAEMON_URL } from './client.js';
import { isLoopbackAddress } from './loopback.js';

type Environment = Record<string, string | undefined>;

/** A config.toml that cannot be used. The CLI exits 2 on it; the daemon refuses to start. */
export class DaemonConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DaemonConfigError';
  }
}

/** How a setting's text is read: `path` values are made absolute, `list` values are CSV. */
export type SettingType = 'string' | 'number' | 'path' | 'list';

/** Who acts on a setting. `none`: accepted in config.toml for compatibility, read by nobody. */
export type SettingReader = 'client' | 'daemon' | 'both' | 'none';

export interface HomePaths {
  config: string;
  token: string;
  pid: string;
  log: string;
  repos: string;
  snapshots: string;
  state: string;
}

/** One row of the settings table: a `[daemon]` key of config.toml and everything about it. */
export interface SettingSpec {
  readonly key: string;
  /** The environment variable that overrides the file (the one `config list --resolved` names). */
  readonly env?: string;
  /** The daemon's own variable, where it differs from `env` (the token it accepts). */
  readonly daemonEnv?: string;
  readonly type: SettingType;
  /** The value used when neither the environment nor the file sets one; '' for none. */
  readonly default: string | ((paths: HomePaths) => string);
  readonly readBy: SettingReader;
  readonly description: string;
  /** Set for an environment variable kept one more release: where its value belongs now. */
  readonly deprecatedEnv?: string;
}

/**
 * The settings table, sorted by key. The CLI's `config` verbs and the client's resolution read it;
 * the daemon (apps/daemon/src/config/daemon-settings.ts) takes its defaults from it, and
 * apps/cli/src/lib/config-file.spec.ts checks that both sides resolve every setting alike.
 */
export const SETTINGS: readonly SettingSpec[] = [
  {
    key: 'allowed_hosts',
    env: 'MIRAGE_ALLOWED_HOSTS',
    type: 'list',
    default: '127.0.0.1,localhost,::1',
    readBy: 'daemon',
    description: 'Host headers the daemon accepts (CSV; * disables the check).',
  },
  {
    key: 'auth_mode',
    env: 'MIRAGE_AUTH_MODE',
    type: 'string',
    default: 'local',
    readBy: 'daemon',
    description: 'Bearer auth: local (token file) or token (MIRAGE_AUTH_TOKEN required).',
  },
  {
    key: 'auth_token',
    env: 'MIRAGE_TOKEN',
    daemonEnv: 'MIRAGE_AUTH_TOKEN',
    type: 'string',
    default: '',
    readBy: 'both',
    description: 'Bearer token the client sends and the daemon accepts (else the auth_token file).',
  },
  {
    key: 'engine',
    env: 'MIRAGE_ENGINE',
    type: 'string',
    default: 'auto',
    readBy: 'daemon',
    description: 'Shell engine of workspaces whose config names none: auto (sandbox where bubblewrap works), sandbox or builtin.',
  },
  {
    key: 'idle_grace_seconds',
    env: 'MIRAGE_IDLE_GRACE_SECONDS',
    type: 'number',
    default: '30',
    readBy: 'both',
    description: 'Seconds the daemon stays up once its last workspace is gone.',
  },
  {
    key: 'jwt_alg',
    env: 'MIRAGE_JWT_ALG',
    type: 'string',
    default: '',
    readBy: 'none',
    description: 'JWT mode (not supported by mirage-ts): the accepted algorithm.',
  },
  {
    key: 'jwt_audience',
    env: 'MIRAGE_JWT_AUDIENCE',
    type: 'list',
    default: '',
    readBy: 'none',
    description: 'JWT mode (not supported by mirage-ts): accepted audiences.',
  },
  {
    key: 'jwt_authorized_parties',
    env: 'MIRAGE_JWT_AUTHORIZED_PARTIES',
    type: 'list',
    default: '',
    readBy: 'none',
    description: 'JWT mode (not supported by mirage-ts): accepted azp values.',
  },
  {
    key: 'jwt_clock_skew',
    env: 'MIRAGE_JWT_CLOCK_SKEW_SECONDS',
    type: 'number',
    default: '5',
    readBy: 'none',
    description: 'JWT mode (not supported by mirage-ts): leeway on exp, seconds.',
  },
  {
    key: 'jwt_issuer',
    env: 'MIRAGE_JWT_ISSUER',
    type: 'string',
    default: '',
    readBy: 'none',
    description: 'JWT mode (not supported by mirage-ts): required iss.',
  },
  {
    key: 'jwt_pubkey_file',
    env: 'MIRAGE_JWT_PUBKEY_FILE',
    type: 'path',
    default: '',
    readBy: 'none',
    description: 'JWT mode (not supported by mirage-ts): PEM public key file.',
  },
  {
    key: 'pid_file',
    env: 'MIRAGE_PID_FILE',
    type: 'path',
    default: (paths) => paths.pid,
    readBy: 'both',
    description: 'Where the daemon writes its PID (the daemon verbs read it).',
  },
  {
    key: 'port',
    env: 'MIRAGE_DAEMON_PORT',
    type: 'number',
    default: '8765',
    readBy: 'both',
    description: 'Port the daemon listens on (127.0.0.1).',
  },
  {
    key: 'snapshot_root',
    env: 'MIRAGE_SNAPSHOT_ROOT',
    type: 'path',
    default: (paths) => paths.snapshots,
    readBy: 'daemon',
    description: 'Directory that snapshot and load paths are confined to.',
    deprecatedEnv: '$MIRAGE_HOME/snapshots',
  },
  { key: 'socket', type: 'string', default: '', readBy: 'none', description: 'Unix socket of the Python daemon (accepted, not used).' },
  {
    key: 'state_root',
    env: 'MIRAGE_STATE_ROOT',
    type: 'path',
    default: (paths) => paths.state,
    readBy: 'daemon',
    description: 'Root of the disk state store.',
  },
  {
    key: 'url',
    env: 'MIRAGE_DAEMON_URL',
    type: 'string',
    default: DEFAULT_DAEMON_URL,
    readBy: 'client',
    description: 'Where the CLI reaches the daemon.',
  },
  {
    key: 'version_root',
    env: 'MIRAGE_VERSION_ROOT',
    type: 'path',
    default: (paths) => paths.repos,
    readBy: 'daemon',
    description: 'Root of the bare git repositories of workspace versions.',
    deprecatedEnv: '$MIRAGE_HOME/repos',
  },
];

const SETTING_BY_KEY: ReadonlyMap<string, SettingSpec> = new Map(SETTINGS.map((spec) => [spec.key, spec]));

/** The table row of `key`, or undefined for a key no daemon accepts. */
export const settingSpec = (key: string): SettingSpec | undefined => SETTING_BY_KEY.get(key);

/** Keys of the `[daemon]` table, and the environment variable that overrides each. */
export const DAEMON_KEY_ENV: Readonly<Record<string, string | undefined>> = Object.fromEntries(
  SETTINGS.map((spec) => [spec.key, spec.env]),
);
export const DAEMON_KEYS: readonly string[] = SETTINGS.map((spec) => spec.key);
export const NUMERIC_DAEMON_KEYS: readonly string[] = SETTINGS.filter((spec) => spec.type === 'number').map((spec) => spec.key);
/** The defaults that do not depend on MIRAGE_HOME (see settingDefault for all of them). */
export const DAEMON_KEY_DEFAULTS: Readonly<Record<string, string>> = Object.fromEntries(
  SETTINGS.flatMap((spec) => (typeof spec.default === 'string' && spec.default !== '' ? [[spec.key, spec.default]] : [])),
);

export type DaemonTable = Record<string, string>;

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * One warning line for each deprecated location variable set in `env` (MIRAGE_VERSION_ROOT,
 * MIRAGE_SNAPSHOT_ROOT): they still work this release, MIRAGE_HOME is the one location setting.
 */
export function deprecatedSettingWarnings(env: Environment): string[] {
  return SETTINGS.flatMap((spec) =>
    spec.deprecatedEnv !== undefined && spec.env !== undefined && isSet(env[spec.env])
      ? [
          `${spec.env} is deprecated and will be removed in the next release; set MIRAGE_HOME instead (this directory is ${spec.deprecatedEnv})`,
        ]
      : [],
  );
}

/** `$MIRAGE_HOME` made absolute, or `~/.mirage`. */
export function mirageHome(env: Environment = process.env): string {
  const home = env.MIRAGE_HOME;
  return home !== undefined && home !== '' ? resolve(home) : join(homedir(), '.mirage');
}

export const homePaths = (home: string): HomePaths => ({
  config: join(home, 'config.toml'),
  token: join(home, 'auth_token'),
  pid: join(home, 'daemon.pid'),
  log: join(home, 'daemon.log'),
  repos: join(home, 'repos'),
  snapshots: join(home, 'snapshots'),
  state: join(home, 'state'),
});

/** Where a resolved value came from, as `config list --resolved` prints it. */
export type SettingOrigin = `env ${string}` | 'file' | 'default';

export interface ResolvedSetting {
  value: string;
  origin: SettingOrigin;
}

const isSet = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

function specOf(key: string): SettingSpec {
  const spec = settingSpec(key);
  if (spec === undefined) throw new Error(`no such setting: ${key}`);
  return spec;
}

/** The default of a setting for this MIRAGE_HOME (path defaults live under it). */
export function settingDefault(key: string, home: string): string {
  const spec = specOf(key);
  return typeof spec.default === 'string' ? spec.default : spec.default(homePaths(home));
}

/**
 * A setting's effective value: a non-blank environment variable > a non-blank config.toml value
 * > the default. `path` values are made absolute against the cwd, as the daemon does. `envName`
 * picks the daemon's variable where it has its own (`daemonEnv`).
 */
export function resolveSetting(
  key: string,
  table: DaemonTable,
  env: Environment,
  home: string,
  envName = specOf(key).env,
): ResolvedSetting {
  const spec = specOf(key);
  const fromEnv = envName === undefined ? undefined : env[envName];
  const fromFile = Object.hasOwn(table, key) ? table[key] : undefined;
  let resolved: ResolvedSetting;
  if (isSet(fromEnv)) resolved = { value: fromEnv, origin: `env ${envName}` };
  else if (isSet(fromFile)) resolved = { value: fromFile, origin: 'file' };
  else return { value: settingDefault(key, home), origin: 'default' };
  return spec.type === 'path' ? { ...resolved, value: resolve(resolved.value) } : resolved;
}

/** Every setting, in key order, resolved for the client's environment (`config list --resolved`). */
export function resolveAllSettings(table: DaemonTable, env: Environment, home: string): Record<string, ResolvedSetting> {
  return Object.fromEntries(SETTINGS.map((spec) => [spec.key, resolveSetting(spec.key, table, env, home)]));
}

/** Parses config.toml text and returns its `[daemon]` table with every value as a string. */
export function parseDaemonTable(text: string): DaemonTable {
  let document: Record<string, unknown>;
  try {
    document = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new DaemonConfigError(`config.toml is not valid TOML: ${reason}`);
  }
  const table = document.daemon;
  if (table === undefined) return {};
  if (typeof table !== 'object' || table === null || Array.isArray(table)) {
    throw new DaemonConfigError('config.toml: [daemon] must be a table');
  }
  const out: DaemonTable = {};
  const nested: string[] = [];
  for (const [key, value] of Object.entries(table as Record<string, unknown>)) {
    // defineProperty, not assignment: a `__proto__` key must stay a key (and be refused as unknown).
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      Object.defineProperty(out, key, { value: String(value), enumerable: true, writable: true, configurable: true });
    else nested.push(key);
  }
  if (nested.length > 0)
    throw new DaemonConfigError(`config.toml: the following [daemon] keys have the wrong type: ${nested.sort(byCodePoint).join(', ')}`);
  return out;
}

/** Refuses unknown keys and non-numeric numeric keys, with the spec's messages. */
export function validateDaemonTable(table: DaemonTable): void {
  const unknown = Object.keys(table)
    .filter((key) => !Object.hasOwn(DAEMON_KEY_ENV, key))
    .sort(byCodePoint);
  if (unknown.length > 0) {
    throw new DaemonConfigError(`config.toml: the following [daemon] keys don't match any configuration option: ${unknown.join(', ')}`);
  }
  const wrong = NUMERIC_DAEMON_KEYS.filter(
    (key) => Object.hasOwn(table, key) && (table[key].trim() === '' || !Number.isFinite(Number(table[key]))),
  );
  if (wrong.length > 0) throw new DaemonConfigError(`config.toml: the following [daemon] keys have the wrong type: ${wrong.join(', ')}`);
}

/** Reads and validates `$home/config.toml`; a missing file is an empty table. */
export function readDaemonTable(home: string): DaemonTable {
  const path = homePaths(home).config;
  if (!existsSync(path)) return {};
  const table = parseDaemonTable(readFileSync(path, 'utf8'));
  validateDaemonTable(table);
  return table;
}

/** True for loopback hosts, where auto-spawn and the token file are allowed. */
export function isLocalUrl(url: string): boolean {
  try {
    return isLoopbackAddress(new URL(url).hostname);
  } catch {
    return false;
  }
}

function readTokenFile(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

/** The trimmed token in `path`, or undefined when there is no file; other read errors propagate. */
function readTokenIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

const uniqueSibling = (path: string, tag: string): string => `${path}.${tag}.${process.pid}.${randomBytes(4).toString('hex')}`;

/** Links a fresh full token file into place; loses quietly to a racer who linked first. */
function linkNewToken(path: string): void {
  const temporary = uniqueSibling(path, 'new');
  writeFileSync(temporary, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temporary);
  }
}

/**
 * Moves an empty token file out of the way. The rename is atomic, so of several racers only one
 * takes the file; should it have been a racer's full token by then, it is linked back.
 */
function dropEmptyTokenFile(path: string): void {
  const aside = uniqueSibling(path, 'empty');
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    if ((readTokenIfPresent(aside) ?? '') !== '') linkSync(aside, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(aside);
  }
}

/**
 * Returns the token in `path`, creating it (32 random bytes, base64url, mode 0600) when absent or
 * empty. A full file is linked into place (link fails if the name exists), so racing callers never
 * see a partial token, never overwrite each other's, and all return the first one linked.
 */
export function ensureTokenFile(path: string): string {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const existing = readTokenIfPresent(path);
    if (existing === undefined) linkNewToken(path);
    else if (existing === '') dropEmptyTokenFile(path);
    else return existing;
  }
  throw new DaemonConfigError(`could not create the token file ${path}`);
}

export interface ClientSettings {
  home: string;
  url: string;
  /** '' when none. */
  token: string;
  /** Where the token came from, for `config list --resolved`. */
  tokenOrigin: 'env' | 'file' | 'token_file' | 'none';
  idleGraceSeconds: number;
  table: DaemonTable;
}

/**
 * Client settings: MIRAGE_DAEMON_URL > config `url` > default; token: MIRAGE_TOKEN > config
 * `auth_token` > `$MIRAGE_HOME/auth_token` (sent to loopback URLs only) > none.
 */
export function resolveClientSettings(env: Environment = process.env): ClientSettings {
  const home = mirageHome(env);
  const table = readDaemonTable(home);
  const url = resolveSetting('url', table, env, home).value;
  const configured = resolveSetting('auth_token', table, env, home);
  let token = configured.value;
  let tokenOrigin: ClientSettings['tokenOrigin'] = configured.origin === 'default' ? 'none' : configured.origin === 'file' ? 'file' : 'env';
  if (tokenOrigin === 'none' && isLocalUrl(url)) {
    token = readTokenFile(homePaths(home).token);
    if (token !== '') tokenOrigin = 'token_file';
  }
  const idleGraceSeconds = Number(resolveSetting('idle_grace_seconds', table, env, home).value);
  return { home, url, token, tokenOrigin, idleGraceSeconds, table };
}
