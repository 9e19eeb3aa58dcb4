// The builtin engine's fixes, on real just-bash through WorkspaceRegistry: symlinked writes are
// kept (and are in the tree), /dev exists whatever is mounted, the ram quota, limits in mirage's
// words, and variables that do not leak between calls.
import { WorkspaceRegistry } from '../registry.js';
import type { Workspace } from '../workspace.js';
import { rewriteLimitMessages } from './exec-limits.js';
import { DEFAULT_LIMITS } from '../limits.js';

const registry = new WorkspaceRegistry({ env: {} });
afterAll(() => registry.closeAll());

async function workspace(config: Record<string, unknown> = { mounts: { '/': { resource: 'ram' } } }): Promise<Workspace> {
  return registry.create({ config });
}

describe('writes through symlinks (ram)', () => {
  it('lands on the target: readable both ways and in the tree', async () => {
    const ws = await workspace();
    const result = await ws.execute({
      command: 'mkdir /dir; ln -s /dir /link; echo hi > /link/x; echo more >> /link/x; cat /dir/x; ls /dir',
    });
    expect(result).toMatchObject({ exit_code: 0, stdout: 'hi\nmore\nx\n' });
    const tree = await ws.listTree();
    const file = tree.find((entry) => entry.path === 'dir/x');
    expect(file).toBeDefined();
    expect(tree.some((entry) => entry.path.startsWith('link/'))).toBe(false);
  });

  it('follows relative and chained links inside a non-root mount, confined to it', async () => {
    const ws = await workspace({ mounts: { '/data': { resource: 'ram' } } });
    const result = await ws.execute({
      command: 'cd /data; mkdir -p a/b; ln -s a/b one; ln -s one two; echo v > two/f; ln -s ../../.. up; echo w > up/g; cat a/b/f g',
    });
    expect(result).toMatchObject({ exit_code: 0, stdout: 'v\nw\n' });
    expect((await ws.listTree()).map((entry) => entry.path).sort()).toEqual([
      'data/a',
      'data/a/b',
      'data/a/b/f',
      'data/g',
      'data/one',
      'data/two',
      'data/up',
    ]);
    // An absolute target is a namespace path: written and read back through the link.
    const absolute = await ws.execute({
      command: 'ln -s /data/a /data/abs; echo z > /data/abs/b/h; cat /data/abs/b/h; ls /data/abs/b; [ -f /data/abs/b/h ] && echo file',
    });
    expect(absolute).toMatchObject({ exit_code: 0, stdout: 'z\nf\nh\nfile\n', stderr: '' });
  });

  it('refuses a link leaving the mount (EXDEV) and a loop (ELOOP), writing nothing', async () => {
    const ws = await workspace({ mounts: { '/': { resource: 'ram' }, '/data': { resource: 'ram' } } });
    const cross = await ws.execute({ command: 'mkdir /data/d; ln -s /data/d /l; echo hi > /l/x' });
    expect(cross.exit_code).toBe(1);
    expect(cross.stderr).toContain('EXDEV: symbolic link /l points to /data/d, outside its mount');
    const loop = await ws.execute({ command: 'ln -s /p /q; ln -s /q /p; echo x > /p' });
    expect(loop.exit_code).toBe(1);
    expect(loop.stderr).toContain('ELOOP');
    expect((await ws.listTree()).filter((entry) => entry.kind === 'file')).toEqual([]);
  });
});

describe('/dev', () => {
  it('exists when only /data is mounted, and is no user mount nor tree entry', async () => {
    const ws = await workspace({ mounts: { '/data': { resource: 'ram' } } });
    expect(await ws.execute({ command: 'ls /nope 2>/dev/null; echo done' })).toMatchObject({ exit_code: 0, stdout: 'done\n', stderr: '' });
    const devices = await ws.execute({
      command: 'ls /dev; head -c 3 /dev/zero | wc -c; head -c 32 /dev/urandom | base64 | wc -c; cat /dev/null; echo x > /dev/full',
    });
    expect(devices.stdout).toBe('full\nnull\nrandom\nstderr\nstdin\nstdout\nurandom\nzero\n3\n45\n');
    expect(devices.stderr).toContain('No space left on device');
    expect(
      ws
        .detail()
        .mounts.map((mount) => mount.prefix)
        .sort(),
    ).toEqual(['/', '/data/']);
    expect((await ws.listTree()).some((entry) => entry.path.startsWith('dev'))).toBe(false);
  });

  it('cannot be written into', async () => {
    const ws = await workspace();
    const result = await ws.execute({ command: 'touch /dev/new; echo rc=$?; mkdir /dev/d; echo rc=$?' });
    expect(result.stdout).toBe('rc=1\nrc=1\n');
    expect(await ws.listTree()).toEqual([]);
  });
});

describe('limits.max_bytes', () => {
  it('is shared by the ram mounts; a write past it is exit 1 ENOSPC; rm gives space back', async () => {
    const ws = await workspace({ mounts: { '/': { resource: 'ram' }, '/scratch': { resource: 'ram' } }, limits: { max_bytes: 10000 } });
    expect((await ws.execute({ command: 'head -c 6000 /dev/zero > /a' })).exit_code).toBe(0);
    const full = await ws.execute({ command: 'head -c 6000 /dev/zero > /scratch/b' });
    expect(full).toMatchObject({ exit_code: 1, stdout: '' });
    expect(full.stderr).toMatch(/^bash: ENOSPC: No space left on device, write '\/scratch\/b' \(limits\.max_bytes 10000 reached/);
    const copy = await ws.execute({ command: 'cp /a /scratch/c; echo rc=$?' });
    expect(copy.stdout).toBe('rc=1\n');
    expect(copy.stderr).toContain('No space left on device');
    expect(await ws.execute({ command: 'rm /a; head -c 9000 /dev/zero > /scratch/b; wc -c < /scratch/b' })).toMatchObject({
      exit_code: 0,
      stdout: '9000\n',
    });
    // An overwrite counts only its growth.
    expect((await ws.execute({ command: 'head -c 9500 /dev/zero > /scratch/b' })).exit_code).toBe(0);
  });
});

describe('execution limits', () => {
  it('run seq 1 1000000 and a 100k-iteration loop under the defaults', async () => {
    const ws = await workspace();
    expect(await ws.execute({ command: 'seq 1 1000000 | wc -l' })).toMatchObject({ exit_code: 0, stdout: '1000000\n' });
    expect(await ws.execute({ command: 'n=0; for i in $(seq 1 100000); do n=$((n+1)); done; echo $n' })).toMatchObject({
      exit_code: 0,
      stdout: '100000\n',
    });
  }, 120_000);

  it('name the config key when a budget or the deadline is hit', async () => {
    const small = await workspace({ mounts: { '/': { resource: 'ram' } }, limits: { cpu_seconds: 0.01 } });
    const commands = await small.execute({ command: 'for ((i=0; i<5000; i++)); do :; done' });
    expect(commands).toMatchObject({
      exit_code: 1,
      stderr: 'mirage: command limit reached (limits.cpu_seconds 0.01 allows 1000 commands per call)\n',
    });
    const seq = await small.execute({ command: 'seq 1 5000 > /dev/null' });
    expect(seq).toMatchObject({
      exit_code: 1,
      stderr: 'mirage: seq: iteration limit reached (limits.cpu_seconds 0.01 allows 1000 iterations per call)\n',
    });
    const quick = await workspace({ mounts: { '/': { resource: 'ram' } }, limits: { timeout_s: 0.5 } });
    const late = await quick.execute({ command: 'echo before; sleep 2; echo after' });
    // just-bash drops the output of a call that passed its deadline.
    expect(late).toMatchObject({ exit_code: 124, stderr: 'mirage: timeout reached (limits.timeout_s 0.5)\n' });
  });

  it('a huge timeout_s is no instant timeout', async () => {
    const ws = await workspace({ mounts: { '/': { resource: 'ram' } }, limits: { timeout_s: 1e12 } });
    expect(await ws.execute({ command: 'sleep 0.05; echo ok' })).toMatchObject({ exit_code: 0, stdout: 'ok\n' });
  });

  it('leave other exit-126 results alone', () => {
    const result = { stdout: '', stderr: 'bash: ./x: Permission denied\n', exitCode: 126, env: {} };
    expect(rewriteLimitMessages(result, DEFAULT_LIMITS)).toBe(result);
    const loop = { ...result, stderr: 'out\nbash: while loop: too many iterations (5), increase executionLimits.maxLoopIterations\n' };
    expect(rewriteLimitMessages(loop, { ...DEFAULT_LIMITS, cpu_seconds: 0.00005 })).toMatchObject({
      exitCode: 1,
      stderr: 'out\nmirage: while loop iteration limit reached (limits.cpu_seconds 0.00005 allows 5 iterations per loop)\n',
    });
  });
});

describe('variables between calls', () => {
  it('readonly from bash -c does not stick; only exported variables reach printenv and env', async () => {
    const ws = await workspace();
    await ws.execute({ command: "bash -c 'readonly X=1'; readonly Y=2; U=plain; export E=exported" });
    const next = await ws.execute({ command: 'X=5; Y=6; echo $X $Y; printenv U; echo u=$?; printenv E; env | grep -E "^(U|E)="' });
    expect(next).toMatchObject({ exit_code: 0, stdout: '5 6\nu=1\nexported\nE=exported\n' });
    expect(await ws.execute({ command: 'echo $U; bash -c "echo child:\\$U:\\$E"' })).toMatchObject({ stdout: 'plain\nchild::exported\n' });
  });

  it('restored variables are exported; the unexported ones stay hidden after a restore of others', async () => {
    const ws = await workspace();
    await ws.execute({ command: 'HIDDEN=1' });
    ws.restoreSessions([{ session_id: 'default', cwd: '/', env: { ...ws.sessionStates()[0].env, BACK: 'again' } }]);
    expect(await ws.execute({ command: 'printenv BACK; printenv HIDDEN; echo rc=$?' })).toMatchObject({ stdout: 'again\nrc=1\n' });
  });

  it('a per-call env is exported for that call only; other sessions are unaffected', async () => {
    const ws = await workspace();
    expect(await ws.execute({ command: 'printenv ONCE', env: { ONCE: '1' } })).toMatchObject({ exit_code: 0, stdout: '1\n' });
    ws.createSession({ session_id: 'other' });
    await ws.execute({ command: 'export SHARED=1' });
    expect(await ws.execute({ command: 'SHARED=2; printenv SHARED; echo rc=$?', session_id: 'other' })).toMatchObject({ stdout: 'rc=1\n' });
  });
});
