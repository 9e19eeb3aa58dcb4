// Daemon settings shared by the CLI and the daemon: the MIRAGE_HOME layout, the `[daemon]` table
// of config.toml, and how the client resolves its URL and token (cli.md §2, protocol.md §1.4).
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { DEFAULT_DAEMON_URL } from './client.js';

type Environment = Record<string, string | undefined>;

/** A config.toml that cannot be used. The CLI exits 2 on it; the daemon refuses to start. */
export class DaemonConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DaemonConfigError';
  }
}

/** Keys of the `[daemon]` table (era B), and the environment variable that overrides each. */
export const DAEMON_KEY_ENV: Readonly<Record<string, string | undefined>> = {
  url: 'MIRAGE_DAEMON_URL',
  socket: undefined,
  auth_token: 'MIRAGE_TOKEN',
  auth_mode: 'MIRAGE_AUTH_MODE',
  allowed_hosts: 'MIRAGE_ALLOWED_HOSTS',
  jwt_alg: 'MIRAGE_JWT_ALG',
  jwt_issuer: 'MIRAGE_JWT_ISSUER',
  jwt_audience: 'MIRAGE_JWT_AUDIENCE',
  jwt_pubkey_file: 'MIRAGE_JWT_PUBKEY_FILE',
  jwt_clock_skew: 'MIRAGE_JWT_CLOCK_SKEW_SECONDS',
  jwt_authorized_parties: 'MIRAGE_JWT_AUTHORIZED_PARTIES',
  idle_grace_seconds: 'MIRAGE_IDLE_GRACE_SECONDS',
  port: 'MIRAGE_DAEMON_PORT',
  pid_file: 'MIRAGE_PID_FILE',
  version_root: 'MIRAGE_VERSION_ROOT',
  snapshot_root: 'MIRAGE_SNAPSHOT_ROOT',
  state_root: 'MIRAGE_STATE_ROOT',
  engine: 'MIRAGE_ENGINE',
};
export const DAEMON_KEYS: readonly string[] = Object.keys(DAEMON_KEY_ENV).sort();
export const NUMERIC_DAEMON_KEYS: readonly string[] = ['idle_grace_seconds', 'jwt_clock_skew', 'port'];
export const DAEMON_KEY_DEFAULTS: Readonly<Record<string, string>> = {
  url: DEFAULT_DAEMON_URL,
  allowed_hosts: '127.0.0.1,localhost,::1',
  auth_mode: 'local',
  jwt_clock_skew: '5',
  idle_grace_seconds: '30',
  port: '8765',
  engine: 'auto',
};

export type DaemonTable = Record<string, string>;

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** `$MIRAGE_HOME` made absolute, or `~/.mirage`. */
export function mirageHome(env: Environment = process.env): string {
  const home = env.MIRAGE_HOME;
  return home !== undefined && home !== '' ? resolve(home) : join(homedir(), '.mirage');
}

export const homePaths = (home: string) => ({
  config: join(home, 'config.toml'),
  token: join(home, 'auth_token'),
  pid: join(home, 'daemon.pid'),
  log: join(home, 'daemon.log'),
  repos: join(home, 'repos'),
  snapshots: join(home, 'snapshots'),
  state: join(home, 'state'),
});

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
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') Object.defineProperty(out, key, { value: String(value), enumerable: true, writable: true, configurable: true });
    else nested.push(key);
  }
  if (nested.length > 0) throw new DaemonConfigError(`config.toml: the following [daemon] keys have the wrong type: ${nested.sort(byCodePoint).join(', ')}`);
  return out;
}

/** Refuses unknown keys and non-numeric numeric keys, with the spec's messages. */
export function validateDaemonTable(table: DaemonTable): void {
  const unknown = Object.keys(table).filter((key) => !Object.hasOwn(DAEMON_KEY_ENV, key)).sort(byCodePoint);
  if (unknown.length > 0) {
    throw new DaemonConfigError(`config.toml: the following [daemon] keys don't match any configuration option: ${unknown.join(', ')}`);
  }
  const wrong = NUMERIC_DAEMON_KEYS.filter((key) => Object.hasOwn(table, key) && (table[key].trim() === '' || !Number.isFinite(Number(table[key]))));
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
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
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
  const url = env.MIRAGE_DAEMON_URL || table.url || DEFAULT_DAEMON_URL;
  let token = '';
  let tokenOrigin: ClientSettings['tokenOrigin'] = 'none';
  if (env.MIRAGE_TOKEN) {
    token = env.MIRAGE_TOKEN;
    tokenOrigin = 'env';
  } else if (table.auth_token) {
    token = table.auth_token;
    tokenOrigin = 'file';
  } else if (isLocalUrl(url)) {
    token = readTokenFile(homePaths(home).token);
    if (token !== '') tokenOrigin = 'token_file';
  }
  const idle = Number(env.MIRAGE_IDLE_GRACE_SECONDS || table.idle_grace_seconds || DAEMON_KEY_DEFAULTS.idle_grace_seconds);
  return { home, url, token, tokenOrigin, idleGraceSeconds: idle, table };
}

