// The `labels`, `env` and `idle_timeout_s` blocks of the workspace config (docs/protocol.md §14.2):
// validation, what sessions start with, and the idle close of the registry.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig, WorkspaceError, WorkspaceRegistry } from './index.js';

const RAM = { mounts: { '/': { resource: 'ram', mode: 'write' } } };

async function problems(config: Record<string, unknown>, env: Record<string, string> = {}): Promise<string> {
  try {
    await validateConfig({ ...RAM, ...config }, env);
  } catch (error) {
    if (error instanceof WorkspaceError && error.code === 'invalid') return error.message;
    throw error;
  }
  throw new Error('expected the config to be refused');
}

describe('config blocks', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mirage-config-blocks-'));
    writeFileSync(join(dir, 'a.env'), 'export ONE=1\nTWO="second value"\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves env entries and reports every bad one in one message', async () => {
    const validated = await validateConfig(
      {
        ...RAM,
        env: {
          A: 'x',
          N: 7,
          B: true,
          R: { value: 'r', readonly: true },
          E: { from: 'env' },
          K: { from: 'env', key: 'OTHER' },
          D: { from: 'dotenv', ref: join(dir, 'a.env'), key: 'TWO' },
        },
      },
      { E: 'from-env', OTHER: 'other' },
    );
    expect(validated.env).toEqual({ A: 'x', N: '7', B: 'true', R: 'r', E: 'from-env', K: 'other', D: 'second value' });
    expect(validated.readonlyEnv).toEqual(['R']);
    const message = await problems({
      env: { X: { value: 1, from: 'env' }, Y: { from: 'dotenv', ref: join(dir, 'none.env') }, Z: [1], W: { value: 'v', colour: 'red' } },
    });
    expect(message).toContain('env.X: give value or from, not both');
    expect(message).toContain(`env.Y: dotenv file not found: ${join(dir, 'none.env')}`);
    expect(message).toContain('env.Z: must be a value or a mapping');
    expect(message).toContain('env.W: unknown keys: colour');
    expect(await problems({ env: 'A=1' })).toBe('env must be a mapping of NAME: value');
  });

  it('checks labels and idle_timeout_s', async () => {
    const validated = await validateConfig(
      { ...RAM, labels: { team: 'search', 'app.kubernetes.io/name': 'x', n: 3 }, idle_timeout_s: 0.5 },
      {},
    );
    expect(validated.labels).toEqual({ team: 'search', 'app.kubernetes.io/name': 'x', n: '3' });
    expect(validated.idleTimeoutS).toBe(0.5);
    expect(await problems({ labels: { '-x': 'a' } })).toBe('labels: invalid key "-x" (letters, digits, . _ - /; at most 63)');
    expect(await problems({ labels: { a: { nested: 1 } } })).toBe('labels.a: the value must be up to 63 letters, digits, . _ or -');
    for (const bad of [0, -2, '5', 3_000_000, Number.NaN])
      expect(await problems({ idle_timeout_s: bad })).toMatch(/^idle_timeout_s must be a number of seconds above 0/);
  });

  it('every session starts with env; readonly entries come back after each line; children see them exported', async () => {
    const registry = new WorkspaceRegistry({ env: {} });
    try {
      const workspace = await registry.create({ config: { ...RAM, env: { GREETING: 'hi', PINNED: { value: 'p', readonly: true } } } });
      expect((await workspace.execute({ command: 'env | grep -E "^(GREETING|PINNED)=" | sort' })).stdout).toBe('GREETING=hi\nPINNED=p\n');
      await workspace.execute({ command: 'unset PINNED; GREETING=changed' });
      expect((await workspace.execute({ command: 'echo "$GREETING $PINNED"' })).stdout).toBe('changed p\n');
      workspace.createSession({ session_id: 'two' });
      expect((await workspace.execute({ command: 'echo "$GREETING $PINNED"', session_id: 'two' })).stdout).toBe('hi p\n');
    } finally {
      await registry.closeAll();
    }
  });

  it('idle_timeout_s closes only the workspaces that set it, once idle that long', async () => {
    const registry = new WorkspaceRegistry({ env: {}, idleSweepMs: 20 });
    const closed: string[] = [];
    registry.onIdleClosed((id) => closed.push(id));
    try {
      await registry.create({ config: { ...RAM, idle_timeout_s: 0.2 }, id: 'short' });
      await registry.create({ config: RAM, id: 'forever' });
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(closed).toEqual(['short']);
      expect(registry.list().map((workspace) => workspace.id)).toEqual(['forever']);
    } finally {
      await registry.closeAll();
    }
  });
});
