// Processes and temp dirs for the benchmarks. Every child and temp dir is tracked and removed on
// exit (also on Ctrl-C); every daemon listens on 127.0.0.1 with a free port and its own MIRAGE_HOME.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DAEMON_NODE_FLAGS } from '../../apps/cli/dist/lib/spawner.js';
import { request } from './http.js';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI_BIN = join(REPO, 'apps', 'cli', 'bin', 'run.js');
export const DAEMON_BIN = join(REPO, 'apps', 'daemon', 'bin', 'daemon.js');
export const FIXTURES = join(REPO, 'bench', 'fixtures');

const children = new Set();
const tempDirs = new Set();
const extraPids = new Set();

export function cleanupAll() {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  for (const pid of extraPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  extraPids.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}
process.on('exit', cleanupAll);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    cleanupAll();
    process.exit(130);
  });
}

export function tempDir(label) {
  const dir = mkdtempSync(join(tmpdir(), `mirage-bench-${label}-`));
  tempDirs.add(dir);
  return dir;
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** A pid started by someone else (the CLI's spawned daemon) that we must not leave behind. */
export function trackPid(pid) {
  extraPids.add(pid);
}

export async function killPid(pid, timeoutMs = 5000) {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    extraPids.delete(pid);
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      extraPids.delete(pid);
      return;
    }
    await sleep(20);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
  extraPids.delete(pid);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The caller's environment without MIRAGE_* or NODE_OPTIONS, plus `extra`. */
export function cleanEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('MIRAGE_') && key !== 'NODE_OPTIONS' && value !== undefined) env[key] = value;
  }
  return { ...env, ...extra };
}

/** Environment for a CLI (or daemon) bound to `home` and `port`. */
export function mirageEnv(home, port, extra = {}) {
  return cleanEnv({
    MIRAGE_HOME: home,
    MIRAGE_DAEMON_PORT: String(port),
    MIRAGE_DAEMON_URL: `http://127.0.0.1:${port}`,
    MIRAGE_IDLE_GRACE_SECONDS: '3600',
    ...extra,
  });
}

export function trackChild(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Starts `node <script>` and resolves once it prints a line matching `ready` on stdout. */
export function startNodeScript(args, { env = cleanEnv(), ready = /ready/, timeoutMs = 15000 } = {}) {
  const child = trackChild(spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] }));
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not get ready in ${timeoutMs} ms`)), timeoutMs);
    child.stdout.on('data', (chunk) => {
      buffered += chunk.toString();
      const match = ready.exec(buffered);
      if (match) {
        clearTimeout(timer);
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        resolve({ child, match });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with ${code} before it was ready`));
    });
  });
}

/**
 * Starts the real daemon (apps/daemon/bin/daemon.js) as its own process, as the CLI does: logs
 * appended to $MIRAGE_HOME/daemon.log. Resolves once /v1/health answers.
 */
export async function startDaemon(label = 'daemon') {
  const home = tempDir(label);
  const port = await freePort();
  const log = openSync(join(home, 'daemon.log'), 'a');
  // BENCH_PROFILE_DIR: every daemon writes a CPU profile there when it stops (node --cpu-prof).
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const child = trackChild(
    spawn(process.execPath, [...profile, ...DAEMON_NODE_FLAGS, DAEMON_BIN], { env: mirageEnv(home, port), stdio: ['ignore', log, log] }),
  );
  closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20000;
  let token = '';
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`daemon exited with ${child.exitCode}: ${readFileSync(join(home, 'daemon.log'), 'utf8').slice(-2000)}`);
    if (token === '' && existsSync(join(home, 'auth_token'))) token = readFileSync(join(home, 'auth_token'), 'utf8').trim();
    if (token !== '') {
      try {
        const answer = await request(url, 'GET', '/v1/health', { token, timeoutMs: 1000 });
        if (answer.status === 200) break;
      } catch {
        // not listening yet
      }
    }
    if (Date.now() > deadline) throw new Error('daemon did not answer /v1/health within 20 s');
    await sleep(25);
  }
  return {
    home,
    port,
    url,
    token,
    pid: child.pid,
    child,
    call: (method, path, options = {}) => request(url, method, path, { token, ...options }),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      removeDir(home);
    },
  };
}

/** Wall time of one synchronous run of `command args`, in ms; throws when it fails. */
export function timeRun(command, args, options = {}) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${String(result.stderr).slice(0, 500)}`);
  }
  return { ms, stdout: String(result.stdout) };
}

/** Resident set size of a process, in bytes (Linux /proc). */
export function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}
