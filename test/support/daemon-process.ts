// The real daemon binary (apps/daemon/bin/daemon.js, built dist) as a child process, for tests
// that kill it at a chosen moment and start it again on the same MIRAGE_HOME. The port is a free
// one picked up front (MIRAGE_DAEMON_PORT), so a restarted daemon answers at the same URL.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from './build.js';
import { freePort } from './cli.js';
import { type HttpAnswer, rawRequest } from './daemon.js';

export const DAEMON_BIN = join(REPO_ROOT, 'apps', 'daemon', 'bin', 'daemon.js');
export const TEST_TOKEN = 'reliability-token';

export interface DaemonProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  /** Everything written so far (pino JSON lines on stdout, one-line errors on stderr). */
  output(): { stdout: string; stderr: string };
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** JSON request with the bearer token, answer parsed. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpAnswer>;
  kill9(): Promise<void>;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
}

export interface SpawnOptions {
  home: string;
  port: number;
  env?: Record<string, string>;
}

/** Starts the daemon and resolves once it logs "listening on" (rejects if it exits first). */
export async function spawnDaemon(options: SpawnOptions): Promise<DaemonProcess> {
  const started = launchDaemon(options);
  await started.listening;
  return started.daemon;
}

/** Starts the daemon; `listening` settles when it listens or exits. */
export function launchDaemon(options: SpawnOptions): { daemon: DaemonProcess; listening: Promise<void> } {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    MIRAGE_HOME: options.home,
    MIRAGE_DAEMON_PORT: String(options.port),
    MIRAGE_AUTH_TOKEN: TEST_TOKEN,
    MIRAGE_IDLE_GRACE_SECONDS: '3600',
    ...options.env,
  };
  const child = spawn(process.execPath, [DAEMON_BIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = `http://127.0.0.1:${options.port}`;
  const listening = new Promise<void>((resolve, reject) => {
    const onData = (): void => {
      if (/listening on http/.test(stdout)) resolve();
    };
    child.stdout!.on('data', onData);
    void exited.then(({ code, signal }) => reject(new Error(`daemon exited (${code ?? signal}) before listening: ${stderr.trim()}`)));
  });
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> => {
    const all: Record<string, string> = { authorization: `Bearer ${TEST_TOKEN}`, ...headers };
    let payload: string | Buffer | undefined;
    if (Buffer.isBuffer(body) || typeof body === 'string') payload = body;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      all['content-type'] ??= 'application/json';
    }
    return rawRequest(url, method, path, all, payload);
  };
  const daemon: DaemonProcess = {
    child,
    pid: child.pid ?? -1,
    url,
    output: () => ({ stdout, stderr }),
    exited,
    call,
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      child.kill('SIGTERM');
      return (await exited).code;
    },
  };
  return { daemon, listening };
}

export { freePort };

/** Runs `git fsck --full` on a bare repository; returns its combined output (throws on failure). */
export function gitFsck(repo: string): string {
  return execFileSync('git', ['fsck', '--full', '--no-progress'], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Every path under `root` (relative, sorted), with the size of files: a before/after listing. */
export function listTree(root: string): string[] {
  const out: string[] = [];
  const visit = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const path = join(dir, name);
      const info = statSync(path, { throwIfNoEntry: false });
      if (info === undefined) continue;
      if (info.isDirectory()) {
        out.push(`${relative(root, path)}/`);
        visit(path);
      } else out.push(`${relative(root, path)} ${info.size}`);
    }
  };
  visit(root);
  return out;
}

/** Resolves when `condition` holds (polling), else rejects with `what`. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
  stepMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}
