// The daemon's state files follow the registry's change events (apps/daemon/src/state): every
// structural change is on disk the moment its answer arrives (read here right after each answer,
// without waiting), a refused request writes nothing, a background job's cwd/env is saved when it
// finishes, and changes made by code that embeds mirage and calls the registry directly (no HTTP
// request at all) are saved too.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIRAGE_REGISTRY } from '@mirage-ts/daemon';
import type { PersistedSession, WorkspaceRegistry, WorkspaceStateRecord } from '@mirage-ts/workspace-core';
import { eventually } from './support/daemon-process.js';
import { startTestDaemon, type TestDaemon } from './support/daemon.js';

const RAM = { mounts: { '/': { resource: 'ram', mode: 'write' }, '/ro': { resource: 'ram', mode: 'read' } } };

describe('workspace state written from change events (real daemon, real files)', () => {
  let d: TestDaemon;
  const dir = (id: string): string => join(d.daemon.settings.stateRoot, 'workspaces', id);
  const record = (id: string): WorkspaceStateRecord => JSON.parse(readFileSync(join(dir(id), 'workspace.json'), 'utf8'));
  const sessions = (id: string): PersistedSession[] => JSON.parse(readFileSync(join(dir(id), 'sessions.json'), 'utf8')).sessions;
  const session = (id: string, sessionId: string): PersistedSession | undefined => sessions(id).find((s) => s.session_id === sessionId);
  const run = async (id: string, command: string, extra: Record<string, unknown> = {}) => {
    const answer = await d.call('POST', `/v1/workspaces/${id}/execute`, { body: { command, ...extra } });
    expect(answer.status).toBe(200);
    return answer.json as { exit_code: number; stdout: string };
  };

  beforeEach(async () => {
    d = await startTestDaemon();
  });
  afterEach(() => d.close());

  it('create, session create/delete, commit, checkout, delete: each is on disk when answered', async () => {
    expect((await d.call('POST', '/v1/workspaces', { body: { id: 'w', config: RAM } })).status).toBe(201);
    expect(record('w')).toMatchObject({ id: 'w', last_commit: null, config: RAM });
    expect(sessions('w').map((s) => s.session_id)).toEqual(['default']);

    const reader = await d.call('POST', '/v1/workspaces/w/sessions', { body: { session_id: 'reader', mounts: { '/ro/': 'read' } } });
    expect(reader.status).toBe(201);
    expect(session('w', 'reader')).toMatchObject({ cwd: '/', mounts: { '/ro/': 'read' } });
    expect((await d.call('POST', '/v1/workspaces/w/sessions', { body: { session_id: 'temp' } })).status).toBe(201);
    expect(session('w', 'temp')).toMatchObject({ mounts: null });
    expect((await d.call('DELETE', '/v1/workspaces/w/sessions/temp')).status).toBe(200);
    expect(session('w', 'temp')).toBeUndefined();
    expect(session('w', 'reader')?.mounts).toEqual({ '/ro/': 'read' });

    await run('w', 'mkdir /a && cd /a && export AT=commit');
    const before = Date.now();
    const commit = await d.call('POST', '/v1/workspaces/w/commit', { body: { message: 'one' } });
    expect(commit.status).toBe(200);
    const committed = record('w').last_commit;
    expect(committed?.branch).toBe('main');
    expect(committed?.at).toBeGreaterThanOrEqual(before);

    await run('w', 'mkdir /b && cd /b && export AT=later');
    const checkout = await d.call('POST', '/v1/workspaces/w/checkout', { body: { ref: commit.json.version } });
    expect(checkout.status).toBe(200);
    expect(session('w', 'default')).toMatchObject({ cwd: '/a', env: expect.objectContaining({ AT: 'commit' }) });

    expect((await d.call('DELETE', '/v1/workspaces/w')).status).toBe(200);
    expect(existsSync(dir('w'))).toBe(false);
    // A new workspace of the same id starts from nothing: no ceilings, no commit of the old one.
    expect((await d.call('POST', '/v1/workspaces', { body: { id: 'w', config: RAM } })).status).toBe(201);
    expect(record('w').last_commit).toBeNull();
    expect(sessions('w').map((s) => s.session_id)).toEqual(['default']);
  });

  it('clone (live and of a version), load, close: on disk when answered', async () => {
    await d.call('POST', '/v1/workspaces', { body: { id: 'src', config: RAM } });
    await d.call('POST', '/v1/workspaces/src/sessions', { body: { session_id: 'reader', mounts: { '/ro/': 'read' } } });
    await run('src', 'printf x > /f && cd /ro');
    const live = await d.call('POST', '/v1/workspaces/src/clone', { body: { id: 'copy' } });
    expect(live.status).toBe(201);
    expect(record('copy').id).toBe('copy');
    expect(session('copy', 'default')?.cwd).toBe('/ro');

    const version = (await d.call('POST', '/v1/workspaces/src/commit', { body: { message: 'v' } })).json.version;
    expect((await d.call('POST', '/v1/workspaces/clone', { body: { source_id: 'src', at: version, id: 'old' } })).status).toBe(201);
    expect(record('old').id).toBe('old');

    mkdirSync(d.daemon.settings.snapshotRoot, { recursive: true });
    expect((await d.call('POST', '/v1/workspaces/src/snapshot', { body: { path: 'src.tar' } })).status).toBe(200);
    expect((await d.call('POST', '/v1/workspaces/load', { body: { path: 'src.tar', id: 'loaded' } })).status).toBe(201);
    expect(record('loaded').id).toBe('loaded');
    expect(session('loaded', 'default')?.cwd).toBe('/ro');

    expect((await d.call('POST', '/v1/workspaces/copy/close')).status).toBe(200);
    expect(existsSync(dir('copy'))).toBe(false);
  });

  it('a refused request writes nothing', async () => {
    await d.call('POST', '/v1/workspaces', { body: { id: 'w', config: RAM } });
    const written = readFileSync(join(dir('w'), 'sessions.json'), 'utf8');
    expect((await d.call('POST', '/v1/workspaces/w/sessions', { body: { session_id: 'x', mounts: { '/nowhere': 'read' } } })).status).toBe(
      422,
    );
    expect((await d.call('DELETE', '/v1/workspaces/w/sessions/missing')).status).toBe(404);
    const clientError = (status: number): boolean => status >= 400 && status < 500;
    expect(clientError((await d.call('POST', '/v1/workspaces', { body: { id: 'bad', config: { mounts: 'nope' } } })).status)).toBe(true);
    expect(clientError((await d.call('POST', '/v1/workspaces/w/checkout', { body: { ref: 'no-such-version' } })).status)).toBe(true);
    expect(clientError((await d.call('POST', '/v1/workspaces/clone', { body: { source_id: 'missing', id: 'bad' } })).status)).toBe(true);
    expect(readFileSync(join(dir('w'), 'sessions.json'), 'utf8')).toBe(written);
    expect(existsSync(dir('bad'))).toBe(false);
  });

  it("a background job's cwd/env is saved soon after it finishes, with no request to trigger it", async () => {
    await d.call('POST', '/v1/workspaces', { body: { id: 'w', config: RAM } });
    const job = await d.call('POST', '/v1/workspaces/w/execute?background=true', {
      body: { command: 'sleep 0.3; mkdir -p /bg && cd /bg && export BG=done' },
    });
    expect(job.status).toBe(202);
    const started = Date.now();
    await eventually(() => session('w', 'default')?.env.BG === 'done', 'sessions.json to hold the background job env', 5000);
    expect(session('w', 'default')?.cwd).toBe('/bg');
    // Finished at ~0.3 s; saved ~0.1 s later (debounced), well within a second.
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('changes made through the registry by embedding code (no HTTP request) are on disk when the call returns', async () => {
    const registry = d.daemon.app.get<WorkspaceRegistry>(MIRAGE_REGISTRY);
    const workspace = await registry.create({ config: RAM, id: 'direct' });
    expect(record('direct').id).toBe('direct');
    workspace.createSession({ session_id: 'side', mounts: { '/ro/': 'read' } });
    await registry.events.settled();
    expect(session('direct', 'side')?.mounts).toEqual({ '/ro/': 'read' });
    await workspace.execute({ command: 'cd /ro && export VIA=registry' });
    await eventually(() => session('direct', 'default')?.env.VIA === 'registry', 'the direct execute to be saved', 3000);
    await registry.delete('direct');
    expect(existsSync(dir('direct'))).toBe(false);
  });
});
