// The sandbox engine through the library (real bwrap, real bash): limits, signals, timeouts,
// what a session keeps, where its files live and that they go with the session or workspace.
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SandboxLayout } from './layout.js';
import { WorkspaceRegistry } from '../../index.js';
import type { Workspace } from '../../index.js';

const sandboxRoot = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : '/tmp', 'mirage-sandbox-spec-'));
const registry = new WorkspaceRegistry({ env: {}, engine: 'sandbox', sandboxRoot, outputLimitBytes: 1000 });
const RAM = { mounts: { '/': { resource: 'ram' }, '/scratch': { resource: 'ram' } } };

afterAll(async () => {
  await registry.closeAll();
  rmSync(sandboxRoot, { recursive: true, force: true });
});

describe('sandbox engine', () => {
  let workspace: Workspace;
  beforeAll(async () => {
    workspace = await registry.create({ config: RAM, id: 'spec' });
    expect(workspace.engineName).toBe('sandbox');
  });

  it('timeout_s ends the call with 124 and kills what it started', async () => {
    const started = Date.now();
    const result = await workspace.execute({ command: 'sleep 30 & sleep 31; echo never', timeout_s: 0.3 });
    expect(result.exit_code).toBe(124);
    expect(result.stdout).toBe('');
    expect(Date.now() - started).toBeLessThan(3000);
    // The session goes on as before.
    expect((await workspace.execute({ command: 'echo alive' })).stdout).toBe('alive\n');
  });

  it('a shell killed by a signal answers 128+n; a syntax error 2; `set -e` carries to the next call', async () => {
    expect((await workspace.execute({ command: 'kill -TERM $$' })).exit_code).toBe(143);
    expect((await workspace.execute({ command: 'if then' })).exit_code).toBe(2);
    await workspace.execute({ command: 'set -e' });
    const strict = await workspace.execute({ command: 'false; echo after' });
    expect(strict).toMatchObject({ exit_code: 1, stdout: '' });
    await workspace.execute({ command: 'set +e' });
    expect((await workspace.execute({ command: 'false; echo after' })).stdout).toBe('after\n');
  });

  it('output over the limit is cut and flagged, for each stream', async () => {
    const result = await workspace.execute({ command: 'head -c 5000 /dev/zero | tr "\\0" a; head -c 3000 /dev/zero | tr "\\0" b >&2' });
    expect(result.truncated).toBe(true);
    expect(result.stdout).toBe('a'.repeat(1000));
    expect(result.stderr.startsWith('b'.repeat(1000))).toBe(true);
    expect(result.stderr).toContain('mirage: stdout truncated at 1000 bytes (limits.max_output_bytes)');
    expect(result.stderr).toContain('mirage: stderr truncated at 1000 bytes (limits.max_output_bytes)');
  });

  it('/tmp and $HOME belong to the session: kept between its calls, not seen by others, never in the tree', async () => {
    await workspace.execute({ command: 'echo mine > /tmp/t; echo rc > ~/.rc; echo $HOME' });
    expect((await workspace.execute({ command: 'cat /tmp/t ~/.rc' })).stdout).toBe('mine\nrc\n');
    workspace.createSession({ session_id: 'other' });
    expect((await workspace.execute({ command: 'cat /tmp/t', session_id: 'other' })).exit_code).toBe(1);
    await workspace.execute({ command: 'echo kept > /scratch/s; echo top > /top' });
    const paths = (await workspace.listTree()).map((entry) => entry.path).sort();
    expect(paths).toEqual(['scratch/s', 'top']);
    const sessionDir = join(sandboxRoot, 'spec', 'sessions', 's-other');
    expect(existsSync(sessionDir)).toBe(true);
    await workspace.deleteSession('other');
    expect(existsSync(sessionDir)).toBe(false);
  });

  it('two sessions run side by side; a call with its own cwd/env leaves the session as it was', async () => {
    workspace.createSession({ session_id: 'a' });
    workspace.createSession({ session_id: 'b' });
    const started = Date.now();
    await Promise.all([
      workspace.execute({ command: 'sleep 0.6', session_id: 'a' }),
      workspace.execute({ command: 'sleep 0.6', session_id: 'b' }),
    ]);
    expect(Date.now() - started).toBeLessThan(1150);
    await workspace.execute({ command: 'cd /scratch; f() { echo f; }', session_id: 'a' });
    await workspace.execute({ command: 'cd /; unset -f f; export X=1', session_id: 'a', cwd: '/', env: { Y: '2' } });
    expect((await workspace.execute({ command: 'pwd; f; echo "${X-unset}"', session_id: 'a' })).stdout).toBe('/scratch\nf\nunset\n');
  });

  it('a user function named like the driver cannot break the next call', async () => {
    await workspace.execute({ command: 'cd /scratch; kept() { echo kept; }', session_id: 'b' });
    await workspace.execute({
      command: 'exit() { echo fake; }; __mirage_dump() { :; }; builtin() { :; }; eval() { :; }; local() { :; }; cd /; X=1',
      session_id: 'b',
    });
    const next = await workspace.execute({ command: 'echo still; kept; exit 6', session_id: 'b' });
    expect(next).toMatchObject({ exit_code: 6, stdout: 'still\nkept\n' });
    expect((await workspace.execute({ command: 'pwd; type builtin eval local 2>&1 | grep -c function', session_id: 'b' })).stdout).toBe(
      '/scratch\n0\n',
    );
    // The driver's fds closed by the line: that call's state is lost, the session is not.
    expect((await workspace.execute({ command: 'cd /; exec 4>&- 5>&- 3>&-; echo closed', session_id: 'b' })).stdout).toBe('closed\n');
    expect((await workspace.execute({ command: 'pwd', session_id: 'b' })).stdout).toBe('/scratch\n');
  });

  it('a deleted workspace leaves nothing on the host', async () => {
    const other = await registry.create({ config: RAM, id: 'gone' });
    await other.execute({ command: 'echo x > /f; sleep 60 &' });
    expect(readdirSync(sandboxRoot)).toContain('gone');
    await registry.delete('gone');
    expect(readdirSync(sandboxRoot)).not.toContain('gone');
  });
});

describe('engine selection', () => {
  const RAM_ONLY = { mounts: { '/': { resource: 'ram' } } };

  it('auto takes the sandbox where bwrap works; an unknown engine is refused listing the choices', async () => {
    const auto = new WorkspaceRegistry({ env: {}, engine: 'auto', sandboxRoot });
    try {
      expect(await auto.probeEngines()).toEqual({ name: 'sandbox', available: true });
      expect(auto.defaultEngine()).toBe('sandbox');
      expect((await auto.create({ config: RAM_ONLY })).engineName).toBe('sandbox');
      expect((await auto.create({ config: { ...RAM_ONLY, engine: 'Builtin' } })).engineName).toBe('builtin');
      await expect(auto.create({ config: { ...RAM_ONLY, engine: 'vm' } })).rejects.toMatchObject({
        code: 'invalid',
        message: 'invalid engine: vm (expected one of auto, builtin, sandbox)',
      });
      await expect(auto.create({ config: { ...RAM_ONLY, engine: 3 } })).rejects.toMatchObject({ code: 'invalid' });
    } finally {
      await auto.closeAll();
    }
  });

  it('without a working bwrap: auto falls back with the reason, an explicit sandbox is refused with it', async () => {
    const broken = new WorkspaceRegistry({ env: {}, engine: 'auto', sandboxRoot, bwrapPath: '/nonexistent/bwrap' });
    try {
      const probe = await broken.probeEngines();
      expect(probe.available).toBe(false);
      expect(probe.reason).toMatch(/^bwrap could not start: /);
      expect(broken.engines()).toEqual([{ name: 'builtin', available: true }, probe]);
      const fallback = await broken.create({ config: RAM_ONLY });
      expect(fallback.engineName).toBe('builtin');
      expect(fallback.detail().engine_reason).toBe(`auto: ${probe.reason}`);
      await expect(broken.create({ config: { ...RAM_ONLY, engine: 'sandbox' }, id: 'refused' })).rejects.toMatchObject({
        code: 'invalid',
        message: `engine sandbox refused: not available on this host: ${probe.reason}`,
      });
      expect(broken.has('refused')).toBe(false);
      await expect(
        broken.create({ config: { engine: 'sandbox', mounts: { '/': { resource: 'disk', config: { root: sandboxRoot } } } } }),
      ).rejects.toMatchObject({
        message:
          'engine sandbox refused: the sandbox engine cannot use a disk mount at / (its mount points would be created in the host directory)',
      });
    } finally {
      await broken.closeAll();
    }
  });
});

describe('the sandbox root', () => {
  it('refuses a workspace directory inside a root that is not private to the daemon (pre-made by someone else)', () => {
    const shared = mkdtempSync(join(tmpdir(), 'mirage-shared-root-'));
    try {
      chmodSync(shared, 0o777);
      expect(() => new SandboxLayout(join(shared, 'ws')).create()).toThrow(/not a private directory/);
      expect(existsSync(join(shared, 'ws'))).toBe(false);
    } finally {
      rmSync(shared, { recursive: true, force: true });
    }
  });
});
