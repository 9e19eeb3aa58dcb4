// The example host service (examples/host-service) run end to end as its own process, from its
// built dist: its own route, and mirage under its global prefix `api` with the token, through
// the host's ConfigModule. Stopped with SIGTERM (the host's own shutdown hooks close mirage).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, REPO_ROOT } from './support/build.js';
import { rawRequest } from './support/daemon.js';

const MAIN = join(REPO_ROOT, 'examples', 'host-service', 'dist', 'main.js');
const TOKEN = 'host-service-token';

interface Started {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

function startService(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`host service did not start within 20 s: ${output}`));
    }, 20_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve({ child, url: match[1], exited, output: () => output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`host service exited (${code ?? signal}) before listening: ${output}`));
    });
  });
}

describe('examples/host-service', () => {
  let home: string;
  let service: Started;

  beforeAll(async () => {
    ensureBuilt(
      ['libs/protocol', 'libs/workspace-core', 'libs/versioning', 'apps/daemon', 'examples/host-service'],
      ['apps/daemon/dist/index.js', 'examples/host-service/dist/main.js'],
    );
    home = mkdtempSync(join(tmpdir(), 'mirage-host-service-'));
    service = await startService({ HOST_SERVICE_PORT: '0', HOST_SERVICE_MIRAGE_TOKEN: TOKEN, HOST_SERVICE_MIRAGE_HOME: home });
  }, 120_000);
  afterAll(async () => {
    if (service !== undefined && service.child.exitCode === null) {
      service.child.kill('SIGKILL');
      await service.exited;
    }
    rmSync(home, { recursive: true, force: true });
  });

  const auth = { authorization: `Bearer ${TOKEN}` };
  const json = { 'content-type': 'application/json' };

  it('serves its own route without the mirage token', async () => {
    const hello = await rawRequest(service.url, 'GET', '/api/hello', {});
    expect(hello.status).toBe(200);
    expect(hello.json).toEqual({ hello: 'from the host service', workspaces: 0 });
  });

  it('guards mirage under the prefix: 401 without the token, 400 for a foreign Host', async () => {
    const create = JSON.stringify({ config: { mounts: { '/': { resource: 'disk', source: '/' } } }, id: 'escape' });
    const refused = await rawRequest(service.url, 'POST', '/api/v1/workspaces', json, create);
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toBe('Bearer');
    expect((await rawRequest(service.url, 'GET', '/api/v1/workspaces', { ...auth, host: 'evil.example' })).status).toBe(400);
    expect((await rawRequest(service.url, 'GET', '/api/v1/health', {})).json).toMatchObject({ status: 'ok', workspaces: 0 });
  });

  it('creates a workspace and executes in it through the prefix with the token; the host sees it', async () => {
    const created = await rawRequest(
      service.url,
      'POST',
      '/api/v1/workspaces',
      { ...auth, ...json },
      JSON.stringify({ config: { mounts: { '/': { resource: 'ram' } } }, id: 'hs' }),
    );
    expect(created.status).toBe(201);
    const ran = await rawRequest(
      service.url,
      'POST',
      '/api/v1/workspaces/hs/execute',
      { ...auth, ...json },
      JSON.stringify({ command: 'echo hello > /f.txt && cat /f.txt' }),
    );
    expect(ran.status).toBe(200);
    expect(ran.json).toMatchObject({ exit_code: 0, stdout: 'hello\n' });
    const commit = await rawRequest(
      service.url,
      'POST',
      '/api/v1/workspaces/hs/commit',
      { ...auth, ...json },
      JSON.stringify({ message: 'first' }),
    );
    expect(commit.status).toBe(200);
    // The version store lives in the home the host configured.
    expect(readdirSync(home)).toContain('repos');
    expect((await rawRequest(service.url, 'GET', '/api/hello', {})).json).toEqual({ hello: 'from the host service', workspaces: 1 });
  });

  it('refuses shutdown (the host owns the process) and stops on SIGTERM', async () => {
    const shutdown = await rawRequest(service.url, 'POST', '/api/v1/shutdown', auth);
    expect(shutdown.status).toBe(409);
    expect(service.child.exitCode).toBeNull();
    service.child.kill('SIGTERM');
    // Nest's shutdown hooks close the app (mirage included), then re-raise the signal.
    expect(await service.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(service.output()).not.toMatch(/error/i);
  });
});
