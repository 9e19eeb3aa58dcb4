// Idle exit (docs/protocol.md §12.3) and POST /v1/shutdown against a real daemon.
import type { ExitReason } from '@mirage-ts/daemon';
import { startTestDaemon } from './support/daemon.js';

const RAM = { mounts: { '/': { resource: 'ram', mode: 'write' } } };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function exitRecorder() {
  const reasons: ExitReason[] = [];
  let resolveFirst: (reason: ExitReason) => void = () => undefined;
  const first = new Promise<ExitReason>((resolve) => (resolveFirst = resolve));
  return {
    reasons,
    first,
    onExit: (reason: ExitReason) => {
      reasons.push(reason);
      resolveFirst(reason);
    },
  };
}

describe('daemon lifecycle', () => {
  it('never exits at start-up with an empty registry', async () => {
    const exits = exitRecorder();
    const d = await startTestDaemon({ idleGraceSeconds: 0.05, onExit: exits.onExit });
    try {
      await sleep(300);
      expect(exits.reasons).toEqual([]);
      expect((await d.call('GET', '/v1/health')).status).toBe(200);
    } finally {
      await d.close();
    }
  });

  it('exits after the grace once a delete empties the registry, and a create cancels the timer', async () => {
    const exits = exitRecorder();
    const d = await startTestDaemon({ idleGraceSeconds: 0.3, onExit: exits.onExit });
    try {
      expect((await d.call('POST', '/v1/workspaces', { body: { config: RAM, id: 'a' } })).status).toBe(201);
      expect((await d.call('DELETE', '/v1/workspaces/a')).status).toBe(200);
      await sleep(100);
      // A create within the grace cancels the pending exit.
      expect((await d.call('POST', '/v1/workspaces', { body: { config: RAM, id: 'b' } })).status).toBe(201);
      await sleep(400);
      expect(exits.reasons).toEqual([]);
      const started = Date.now();
      expect((await d.call('DELETE', '/v1/workspaces/b')).status).toBe(200);
      expect(await exits.first).toBe('idle');
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      // The exit closed the server.
      await expect(d.call('GET', '/v1/health')).rejects.toThrow();
    } finally {
      await d.close();
    }
  });

  it('a failed create does not stop a running idle countdown', async () => {
    const exits = exitRecorder();
    const d = await startTestDaemon({ idleGraceSeconds: 0.3, onExit: exits.onExit });
    try {
      await d.call('POST', '/v1/workspaces', { body: { config: RAM, id: 'a' } });
      await d.call('DELETE', '/v1/workspaces/a');
      const refused = await d.call('POST', '/v1/workspaces', { body: { config: { mounts: { '/': { resource: 'floppy' } } } } });
      expect(refused.status).toBe(502);
      expect(await exits.first).toBe('idle');
    } finally {
      await d.close();
    }
  });

  it('a grace of 0 exits as soon as the registry becomes empty', async () => {
    const exits = exitRecorder();
    const d = await startTestDaemon({ idleGraceSeconds: 0, onExit: exits.onExit });
    try {
      await d.call('POST', '/v1/workspaces', { body: { config: RAM, id: 'a' } });
      const started = Date.now();
      await d.call('DELETE', '/v1/workspaces/a');
      expect(await exits.first).toBe('idle');
      // The graceful close does not wait for the keep-alive timeout of the client that deleted.
      await d.daemon.close();
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await d.close();
    }
  });

  it('POST /v1/shutdown answers first, then stops the daemon', async () => {
    const exits = exitRecorder();
    const d = await startTestDaemon({ onExit: exits.onExit });
    try {
      const answer = await d.call('POST', '/v1/shutdown');
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ status: 'shutting_down', pid: process.pid });
      expect(await exits.first).toBe('shutdown');
      await expect(d.call('GET', '/v1/health')).rejects.toThrow();
    } finally {
      await d.close();
    }
  });

  it('shutdown cancels running jobs: a waiting foreground execute answers 499', async () => {
    const exits = exitRecorder();
    const d = await startTestDaemon({ onExit: exits.onExit });
    try {
      await d.call('POST', '/v1/workspaces', { body: { config: RAM, id: 'busy' } });
      const running = d.call('POST', '/v1/workspaces/busy/execute', { body: { command: 'sleep 30' } });
      await sleep(150);
      expect((await d.call('POST', '/v1/shutdown')).status).toBe(200);
      const answer = await running;
      expect(answer.status).toBe(499);
      expect(answer.json).toEqual({ detail: 'job canceled' });
      expect(await exits.first).toBe('shutdown');
    } finally {
      await d.close();
    }
  });

  it('POST /v1/shutdown needs the token', async () => {
    const exits = exitRecorder();
    const d = await startTestDaemon({ onExit: exits.onExit });
    try {
      expect((await d.call('POST', '/v1/shutdown', { token: null })).status).toBe(401);
      await sleep(50);
      expect(exits.reasons).toEqual([]);
    } finally {
      await d.close();
    }
  });
});
