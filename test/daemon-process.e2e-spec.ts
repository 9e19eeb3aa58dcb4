// apps/daemon/bin/daemon.js as a real child process: pid file written after listen and removed
// on exit, SIGTERM and POST /v1/shutdown stop it with code 0, a bad config.toml stops start-up.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, REPO_ROOT } from './support/build.js';
import { rawRequest } from './support/daemon.js';

const BIN = join(REPO_ROOT, 'apps', 'daemon', 'bin', 'daemon.js');

interface Running {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; stderr: string; stdout: string }>;
}

function start(
  home: string,
  extraEnv: Record<string, string> = {},
): { child: ChildProcess; listening: Promise<string>; exited: Running['exited'] } {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', MIRAGE_HOME: home, MIRAGE_DAEMON_PORT: '0', ...extraEnv };
  const child = spawn(process.execPath, [BIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const match = /listening on (http:\/\/[^\s"]+)/.exec(stdout);
      if (match) resolve(match[1]);
    });
    child.once('exit', () => reject(new Error(`daemon exited before listening: ${stderr}`)));
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stderr, stdout })),
  );
  return { child, listening, exited };
}

async function startListening(home: string, extraEnv: Record<string, string> = {}): Promise<Running> {
  const started = start(home, extraEnv);
  const url = await started.listening;
  return { child: started.child, url, exited: started.exited };
}

describe('bin/daemon.js', () => {
  let home: string;
  beforeAll(
    () =>
      ensureBuilt(
        ['libs/protocol', 'libs/workspace-core', 'apps/daemon'],
        ['apps/daemon/dist/main.js', 'libs/workspace-core/dist/index.js'],
      ),
    120_000,
  );
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'mirage-bin-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('writes its pid file after listening and removes it on SIGTERM', async () => {
    const daemon = await startListening(home);
    const pidFile = join(home, 'daemon.pid');
    expect(readFileSync(pidFile, 'utf8')).toBe(String(daemon.child.pid));
    const health = await rawRequest(daemon.url, 'GET', '/v1/health', {});
    expect(health.json).toMatchObject({ status: 'ok', workspaces: 0 });
    daemon.child.kill('SIGTERM');
    const { code, stdout } = await daemon.exited;
    expect(code).toBe(0);
    expect(existsSync(pidFile)).toBe(false);
    // The log is pino JSON lines on stdout.
    expect(
      stdout
        .split('\n')
        .filter(Boolean)
        .every((line) => line.startsWith('{')),
    ).toBe(true);
  });

  it('stops on POST /v1/shutdown with the token of $MIRAGE_HOME/auth_token', async () => {
    const daemon = await startListening(home);
    const token = readFileSync(join(home, 'auth_token'), 'utf8').trim();
    expect((await rawRequest(daemon.url, 'POST', '/v1/shutdown', {})).status).toBe(401);
    const answer = await rawRequest(daemon.url, 'POST', '/v1/shutdown', { authorization: `Bearer ${token}` });
    expect(answer.json).toEqual({ status: 'shutting_down', pid: daemon.child.pid });
    expect((await daemon.exited).code).toBe(0);
    expect(existsSync(join(home, 'daemon.pid'))).toBe(false);
  });

  it('refuses to start on an unknown config.toml key, with the spec message and no pid file', async () => {
    writeFileSync(join(home, 'config.toml'), '[daemon]\nbogus_key = 1\n');
    const { exited, listening } = start(home);
    listening.catch(() => undefined); // it never listens
    const { code, stderr } = await exited;
    expect(code).toBe(1);
    expect(stderr).toContain("config.toml: the following [daemon] keys don't match any configuration option: bogus_key");
    expect(existsSync(join(home, 'daemon.pid'))).toBe(false);
  });

  it('honours MIRAGE_AUTH_TOKEN and the idle grace after the last workspace is deleted', async () => {
    const daemon = await startListening(home, { MIRAGE_AUTH_TOKEN: 'proc-token', MIRAGE_IDLE_GRACE_SECONDS: '0.2' });
    const auth = { authorization: 'Bearer proc-token', 'content-type': 'application/json' };
    const created = await rawRequest(
      daemon.url,
      'POST',
      '/v1/workspaces',
      auth,
      JSON.stringify({ config: { mounts: { '/': { resource: 'ram' } } }, id: 'w' }),
    );
    expect(created.status).toBe(201);
    expect((await rawRequest(daemon.url, 'DELETE', '/v1/workspaces/w', { authorization: 'Bearer proc-token' })).status).toBe(200);
    expect((await daemon.exited).code).toBe(0);
    expect(existsSync(join(home, 'daemon.pid'))).toBe(false);
  });
});
