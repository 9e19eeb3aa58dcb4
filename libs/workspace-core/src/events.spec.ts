// The typed change events: the channel itself (order, unsubscribe, awaited async listeners,
// failing listeners) and what the registry and its workspaces emit, and when.
import { WorkspaceEvents, WorkspaceRegistry } from './index.js';
import type { WorkspaceEvent } from './index.js';

const RAM = { mounts: { '/': { resource: 'ram', mode: 'write' }, '/ro': { resource: 'ram', mode: 'read' } } };

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Records every event of the registry (all types), in order. */
function recorder(registry: WorkspaceRegistry): WorkspaceEvent[] {
  const seen: WorkspaceEvent[] = [];
  for (const type of ['created', 'deleted', 'sessions', 'executed', 'committed', 'checked_out'] as const) {
    registry.events.on(type, (event) => {
      seen.push(event);
    });
  }
  return seen;
}

describe('WorkspaceEvents', () => {
  it('calls the listeners of the type only, in the order added; the returned function unsubscribes', async () => {
    const events = new WorkspaceEvents();
    const calls: string[] = [];
    const offFirst = events.on('created', (event) => {
      calls.push(`first ${event.workspaceId}`);
    });
    events.on('created', (event) => {
      calls.push(`second ${event.workspaceId}`);
    });
    events.on('deleted', () => {
      calls.push('deleted');
    });
    await events.emit({ type: 'created', workspaceId: 'a' });
    offFirst();
    offFirst(); // twice is harmless
    await events.emit({ type: 'created', workspaceId: 'b' });
    expect(calls).toEqual(['first a', 'second a', 'second b']);
  });

  it('emit resolves only after every async listener has finished', async () => {
    const events = new WorkspaceEvents();
    const finished: string[] = [];
    events.on('committed', async (event) => {
      await delay(30);
      finished.push(`slow ${event.version}`);
    });
    events.on('committed', async () => {
      await delay(1);
      finished.push('fast');
    });
    await events.emit({ type: 'committed', workspaceId: 'w', branch: 'main', version: 'v1' });
    expect(finished).toEqual(['fast', 'slow v1']);
  });

  it('a failing listener (sync or async) goes to the error handler; the others still run and emit resolves', async () => {
    const failures: [string, string][] = [];
    const events = new WorkspaceEvents((error, event) => failures.push([(error as Error).message, event.type]));
    let ran = false;
    events.on('deleted', () => {
      throw new Error('sync boom');
    });
    events.on('deleted', async () => {
      await delay(1);
      throw new Error('async boom');
    });
    events.on('deleted', () => {
      ran = true;
    });
    await expect(events.emit({ type: 'deleted', workspaceId: 'w' })).resolves.toBeUndefined();
    expect(ran).toBe(true);
    expect(failures).toEqual([
      ['sync boom', 'deleted'],
      ['async boom', 'deleted'],
    ]);
  });

  it('post starts the listeners at once; settled waits for those posted before it', async () => {
    const events = new WorkspaceEvents();
    const log: string[] = [];
    events.on('checked_out', async (event) => {
      log.push(`start ${event.ref}`);
      await delay(20);
      log.push(`end ${event.ref}`);
    });
    events.post({ type: 'checked_out', workspaceId: 'w', ref: 'r1' });
    expect(log).toEqual(['start r1']);
    await events.settled();
    expect(log).toEqual(['start r1', 'end r1']);
    await events.settled(); // nothing in flight: resolves at once
  });
});

describe('WorkspaceRegistry events', () => {
  let registry: WorkspaceRegistry;
  let seen: WorkspaceEvent[];
  beforeEach(() => {
    registry = new WorkspaceRegistry({ env: {} });
    seen = recorder(registry);
  });
  afterEach(() => registry.closeAll());

  it('create and delete are announced, and wait for an async listener before they return', async () => {
    let saved = '';
    registry.events.on('created', async (event) => {
      await delay(30);
      saved = `created ${event.workspaceId}`;
    });
    registry.events.on('deleted', async (event) => {
      await delay(30);
      saved = `deleted ${event.workspaceId}`;
    });
    await registry.create({ config: RAM, id: 'w' });
    expect(saved).toBe('created w');
    expect(registry.has('w')).toBe(true);
    await registry.delete('w');
    expect(saved).toBe('deleted w');
    expect(seen).toEqual([
      { type: 'created', workspaceId: 'w' },
      { type: 'deleted', workspaceId: 'w' },
    ]);
  });

  it('a failed create announces nothing; closeAll (shutdown) announces no delete', async () => {
    await expect(registry.create({ config: { mounts: { '/': { resource: 'floppy' } } }, id: 'bad' })).rejects.toThrow();
    await registry.create({ config: RAM, id: 'kept' });
    await registry.closeAll();
    expect(seen).toEqual([{ type: 'created', workspaceId: 'kept' }]);
  });

  it('sessions: create (with the ceilings as given), delete, restore', async () => {
    const workspace = await registry.create({ config: RAM, id: 'w' });
    seen.length = 0;
    workspace.createSession({ session_id: 'reader', mounts: { '/ro/': 'read' } });
    workspace.createSession({ session_id: 'plain' });
    await workspace.deleteSession('plain');
    workspace.restoreSessions([
      { session_id: 'reader', cwd: '/ro', env: {} },
      { session_id: 'fresh', cwd: '/', env: {} },
    ]);
    expect(seen).toEqual([
      { type: 'sessions', change: 'created', workspaceId: 'w', sessionId: 'reader', mounts: { '/ro/': 'read' } },
      { type: 'sessions', change: 'created', workspaceId: 'w', sessionId: 'plain', mounts: null },
      { type: 'sessions', change: 'deleted', workspaceId: 'w', sessionId: 'plain' },
      { type: 'sessions', change: 'restored', workspaceId: 'w', sessionIds: ['reader', 'fresh'] },
    ]);
  });

  it('a refused session create or delete announces nothing', async () => {
    const workspace = await registry.create({ config: RAM, id: 'w' });
    seen.length = 0;
    expect(() => workspace.createSession({ session_id: 'x', mounts: { '/nowhere': 'read' } })).toThrow(/unknown mount/);
    expect(() => workspace.createSession({ session_id: 'bad id!' })).toThrow(/invalid session id/);
    await expect(workspace.deleteSession('missing')).rejects.toThrow(/session not found/);
    expect(seen).toEqual([]);
  });

  it('execute announces when the command has finished, also a failing one and a background job', async () => {
    const workspace = await registry.create({ config: RAM, id: 'w' });
    workspace.createSession({ session_id: 's' });
    seen.length = 0;
    let cwdWhenAnnounced = '';
    registry.events.on('executed', (event) => {
      cwdWhenAnnounced = workspace.getSession(event.sessionId).cwd;
    });
    await workspace.execute({ command: 'mkdir -p /x && cd /x' });
    expect(cwdWhenAnnounced).toBe('/x');
    await workspace.execute({ command: 'exit 3', session_id: 's' });
    const job = registry.jobs.submit({ workspace_id: 'w', session_id: 's', command: 'cd /x' }, (signal) =>
      workspace.execute({ command: 'cd /x', session_id: 's' }, signal),
    );
    await job.done;
    expect(seen).toEqual([
      { type: 'executed', workspaceId: 'w', sessionId: 'default' },
      { type: 'executed', workspaceId: 'w', sessionId: 's' },
      { type: 'executed', workspaceId: 'w', sessionId: 's' },
    ]);
    expect(cwdWhenAnnounced).toBe('/x');
  });

  it('a workspace built with saved sessions announces them before it is created', async () => {
    await registry.create({ config: RAM, id: 'copy', sessions: [{ session_id: 'a', cwd: '/', env: {} }] });
    expect(seen).toEqual([
      { type: 'sessions', change: 'restored', workspaceId: 'copy', sessionIds: ['a'] },
      { type: 'created', workspaceId: 'copy' },
    ]);
  });
});
