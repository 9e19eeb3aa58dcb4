// Runs the real `mirage` binary (apps/cli/bin/run.js, built) as a child process, with an
// environment isolated from the test runner's: its own MIRAGE_HOME, HOME and XDG dirs.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest directory up from here whose package.json is `mirage-ts`. */
function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++, dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'mirage-ts') return dir;
  }
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

export const REPO_ROOT = findRepoRoot();
export const CLI_BIN = join(REPO_ROOT, 'apps', 'cli', 'bin', 'run.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON. */
  // Tests read answers field by field; typing each one would only restate the assertions.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** Bytes for stdin; '' by default so that nothing ever waits on a terminal. */
  input?: string | Buffer;
  cwd?: string;
  timeoutMs?: number;
}

/** A temp dir holding MIRAGE_HOME (`home`), plus HOME and XDG dirs for oclif. */
export interface Sandbox {
  root: string;
  home: string;
  env: Record<string, string>;
  cleanup(): void;
}

export function makeSandbox(extra: Record<string, string> = {}): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'mirage-cli-test-'));
  const home = join(root, 'mirage-home');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: join(root, 'user'),
    XDG_DATA_HOME: join(root, 'xdg-data'),
    XDG_CACHE_HOME: join(root, 'xdg-cache'),
    XDG_CONFIG_HOME: join(root, 'xdg-config'),
    MIRAGE_HOME: home,
    ...extra,
  };
  return { root, home, env, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export function runCli(args: string[], options: RunOptions = {}): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    // Only the given environment: no MIRAGE_* or NODE_ENV leaks in from the runner.
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(options.env ?? {})) if (value !== undefined) env[key] = value;
    if (env.PATH === undefined) env.PATH = process.env.PATH ?? '/usr/bin:/bin';
    const child = spawn(process.execPath, [CLI_BIN, ...args], { env, cwd: options.cwd ?? REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolvePromise({ code: code ?? (signal ? 128 : -1), stdout, stderr, json });
    });
    child.stdin.on('error', () => undefined); // the CLI may exit before reading stdin
    child.stdin.end(options.input ?? '');
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePromise(port));
    });
  });
}

/** True when GET /v1/health answers (any status) within 500 ms. */
export function answers(url: string): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const req = request(`${url}/v1/health`, { timeout: 500 }, (res) => {
      res.resume();
      resolvePromise(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolvePromise(false));
    req.end();
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function readPid(home: string): number | undefined {
  const path = join(home, 'daemon.pid');
  if (!existsSync(path)) return undefined;
  const pid = Number(readFileSync(path, 'utf8').trim());
  return pid > 0 ? pid : undefined;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await sleep(stepMs);
  }
  return condition();
}

/** Stops the daemon of `home` (SIGTERM, then SIGKILL) and waits for it to be gone. */
export async function stopDaemon(home: string): Promise<void> {
  const pid = readPid(home);
  if (pid === undefined || !isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  if (!(await waitFor(() => !isAlive(pid), 5000))) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}
