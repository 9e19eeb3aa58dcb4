// Auto-spawn: probe the daemon's /v1/health and, for the verbs allowed to, start a
// detached daemon on a loopback URL and wait for it to answer. A lock file in MIRAGE_HOME makes
// concurrent CLIs end up with a single daemon.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DaemonUnreachable,
  ensureTokenFile,
  homePaths,
  isLocalUrl,
  MirageClient,
  readDaemonTable,
  resolveSetting,
  settingDefault,
  type ClientSettings,
} from '@mirage-ts/protocol/client';
import { CliError } from './errors.js';
import { acquireLock } from './lock.js';
import { sleep } from './process.js';

type Environment = Record<string, string | undefined>;

export const FIRST_PROBE_TIMEOUT_MS = 500;
export const POLL_PROBE_TIMEOUT_MS = 300;
export const POLL_INTERVAL_MS = 100;
export const SPAWN_DEADLINE_MS = 5000;

/**
 * Node flags of a spawned daemon, for its idle memory (docs/benchmarks.md). V8 grows the young
 * generation to 16 MB per semi-space under the start-up's allocation burst and keeps it; 4 MB
 * saves ~20 MB of RSS. Smaller is not better: at 1 MB an `execute` pays ~0.3 ms more in
 * scavenges (a shell run allocates more than that). Each of V8's default four worker threads
 * keeps its own malloc arena; a 2-core machine runs one background GC/compile task at a time.
 */
export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--v8-pool-size=1'];

/** True iff GET /v1/health answers 200 within `timeoutMs`. */
export async function probeHealth(url: string, token: string, timeoutMs: number): Promise<boolean> {
  try {
    await new MirageClient({ baseUrl: url, token, timeoutMs }).health(timeoutMs);
    return true;
  } catch {
    return false;
  }
}

/** The daemon's entry script: the workspace package `@mirage-ts/daemon`, found from this file. */
export function daemonEntry(env: Environment = process.env): string {
  if (env.MIRAGE_DAEMON_BIN) return resolve(env.MIRAGE_DAEMON_BIN);
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates: string[] = [];
  for (let dir = here, i = 0; i < 8; i++, dir = dirname(dir)) {
    candidates.push(join(dir, 'node_modules', '@mirage-ts', 'daemon', 'bin', 'daemon.js'));
  }
  // apps/cli/{dist,src}/lib → apps/daemon, for a checkout without node_modules links.
  candidates.push(resolve(here, '..', '..', '..', 'daemon', 'bin', 'daemon.js'));
  const found = candidates.find((path) => existsSync(path));
  if (found === undefined) throw new CliError('daemon binary not found; build apps/daemon (npm run build)', 1);
  return found;
}

/** MIRAGE_DAEMON_PORT from env → config `port` → the URL's port → 8765. */
export function spawnPort(settings: ClientSettings, env: Environment): string {
  if (env.MIRAGE_DAEMON_PORT) return env.MIRAGE_DAEMON_PORT;
  if (settings.table.port) return settings.table.port;
  try {
    const port = new URL(settings.url).port;
    if (port !== '') return port;
  } catch {
    /* fall through to the default */
  }
  return settingDefault('port', settings.home);
}

/** The environment of a spawned daemon: the CLI's own plus its port, idle grace, token and auth mode. */
export function daemonEnvironment(settings: ClientSettings, token: string, env: Environment): Environment {
  return {
    ...env,
    MIRAGE_HOME: settings.home,
    MIRAGE_DAEMON_PORT: spawnPort(settings, env),
    MIRAGE_IDLE_GRACE_SECONDS: env.MIRAGE_IDLE_GRACE_SECONDS || String(settings.idleGraceSeconds),
    MIRAGE_AUTH_TOKEN: token,
    MIRAGE_AUTH_MODE: resolveSetting('auth_mode', settings.table, env, settings.home).value,
  };
}

/** Starts the daemon detached, its output appended to $MIRAGE_HOME/daemon.log. Returns its PID. */
export function spawnDaemon(settings: ClientSettings, token: string, env: Environment): number | undefined {
  const entry = daemonEntry(env);
  const log = homePaths(settings.home).log;
  mkdirSync(dirname(log), { recursive: true, mode: 0o700 });
  const fd = openSync(log, 'a', 0o600);
  try {
    const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, entry], {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: daemonEnvironment(settings, token, env),
    });
    child.on('error', (error) => process.stderr.write(`failed to spawn daemon: ${error.message}\n`));
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

export interface EnsureOptions {
  allowSpawn: boolean;
  env?: Environment;
  deadlineMs?: number;
}

export interface EnsureResult {
  /** The token to talk to the daemon with (minted into the token file when spawning without one). */
  token: string;
  spawned: boolean;
}

/**
 * Makes sure a daemon answers at `settings.url`, spawning one when allowed and the URL is loopback.
 * Throws DaemonUnreachable (exit 1) otherwise.
 */
export async function ensureRunning(settings: ClientSettings, options: EnsureOptions): Promise<EnsureResult> {
  const env = options.env ?? process.env;
  const deadlineMs = options.deadlineMs ?? SPAWN_DEADLINE_MS;
  if (await probeHealth(settings.url, settings.token, FIRST_PROBE_TIMEOUT_MS)) return { token: settings.token, spawned: false };
  if (!options.allowSpawn) throw new DaemonUnreachable(settings.url, 'health probe failed');
  if (!isLocalUrl(settings.url)) throw new CliError(`daemon not reachable at ${settings.url}`, 1);
  readDaemonTable(settings.home); // a bad config.toml stops us here (exit 2), before spawning

  const lock = await acquireLock(join(settings.home, 'daemon.spawn.lock'));
  try {
    // The token file may have been minted by another CLI while we waited: read it (or mint it) now.
    const token = settings.token || ensureTokenFile(homePaths(settings.home).token);
    // Another CLI may have spawned the daemon while we waited for the lock.
    if (await probeHealth(settings.url, token, FIRST_PROBE_TIMEOUT_MS)) return { token, spawned: false };
    spawnDaemon(settings, token, env);
    const deadline = Date.now() + deadlineMs;
    while (Date.now() < deadline) {
      if (await probeHealth(settings.url, token, POLL_PROBE_TIMEOUT_MS)) return { token, spawned: true };
      await sleep(POLL_INTERVAL_MS);
    }
    throw new CliError(`daemon spawned but did not answer /v1/health within ${deadlineMs}ms`, 1);
  } finally {
    lock.release();
  }
}
