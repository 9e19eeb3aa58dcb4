// The builtin engine's data-loss and limit fixes, through a real daemon on 127.0.0.1: writes
// through symlinked directories are kept (and cloned), /dev exists whatever is mounted, a full
// ram quota is exit 1 ENOSPC (not a 500), default limits run a million-line seq, limits hit are
// reported with the config key, and the `limits` block is validated (400) against the daemon's
// config.toml ceilings.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestDaemon, type HttpAnswer, type TestDaemon } from './support/daemon.js';

const RAM = { mounts: { '/': { resource: 'ram' } } };

describe('builtin engine fixes (real daemon)', () => {
  let d: TestDaemon;
  let home: string;
  const create = (id: string, config: unknown): Promise<HttpAnswer> => d.call('POST', '/v1/workspaces', { body: { id, config } });
  const exec = async (id: string, command: string): Promise<{ exit_code: number; stdout: string; stderr: string }> => {
    const answer = await d.call('POST', `/v1/workspaces/${id}/execute`, { body: { command } });
    expect(answer.status).toBe(200);
    return answer.json;
  };

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'mirage-builtin-e2e-'));
    writeFileSync(
      join(home, 'config.toml'),
      '[limits.defaults]\ntimeout_s = 120\n\n[limits.ceilings]\nmax_bytes = 1048576\ntimeout_s = 300\n',
    );
    // The builtin engine's own fixes: its workspaces, whatever the machine's default engine is.
    d = await startTestDaemon({ home, engine: 'builtin' });
  });
  afterAll(async () => {
    await d.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('keeps bytes written through a symlinked directory: readable both ways, listed, cloned', async () => {
    expect((await create('links', RAM)).status).toBe(201);
    const written = await exec('links', 'mkdir /dir; ln -s /dir /link; echo hi > /link/x; cat /dir/x; cat /link/x; ls /dir');
    expect(written).toMatchObject({ exit_code: 0, stdout: 'hi\nhi\nx\n' });
    const commit = await d.call('POST', '/v1/workspaces/links/commit', { body: { message: 'links', branch: 'main' } });
    expect(commit.status).toBe(200);
    const clone = await d.call('POST', '/v1/workspaces/clone', { body: { source_id: 'links', id: 'links-clone' } });
    expect(clone.status).toBe(201);
    expect(await exec('links-clone', 'cat /dir/x; readlink /link')).toMatchObject({ exit_code: 0, stdout: 'hi\n/dir\n' });
  });

  it('refuses a write through a link that leaves its mount, and writes nothing', async () => {
    expect((await create('cross', { mounts: { '/': { resource: 'ram' }, '/data': { resource: 'ram' } } })).status).toBe(201);
    const refused = await exec('cross', 'mkdir /data/d; ln -s /data/d /l; echo hi > /l/x');
    expect(refused.exit_code).toBe(1);
    expect(refused.stderr).toContain('EXDEV');
    expect(await exec('cross', 'ls -A /data/d | wc -l; ls /')).toMatchObject({ stdout: '0\ndata\ndev\nl\n' });
  });

  it('has /dev/null, /dev/zero, /dev/urandom in a workspace that mounts only /data', async () => {
    expect((await create('devs', { mounts: { '/data': { resource: 'ram' } } })).status).toBe(201);
    expect(await exec('devs', 'ls /nope 2>/dev/null; echo done')).toMatchObject({ exit_code: 0, stdout: 'done\n', stderr: '' });
    expect(await exec('devs', 'head -c 8 /dev/zero | wc -c; head -c 8 /dev/urandom | wc -c; echo x > /dev/stderr')).toMatchObject({
      exit_code: 0,
      stdout: '8\n8\n',
      stderr: 'x\n',
    });
    const detail = await d.call('GET', '/v1/workspaces/devs');
    expect(detail.json.mounts.map((mount: { prefix: string }) => mount.prefix).sort()).toEqual(['/', '/data/']);
  });

  it('fails a write past limits.max_bytes with exit 1 ENOSPC, and space comes back on rm', async () => {
    expect((await create('quota', { mounts: { '/': { resource: 'ram' } }, limits: { max_bytes: 100000 } })).status).toBe(201);
    expect(await exec('quota', 'head -c 60000 /dev/zero > /a; echo ok')).toMatchObject({ exit_code: 0, stdout: 'ok\n' });
    const full = await exec('quota', 'head -c 60000 /dev/zero > /b');
    expect(full.exit_code).toBe(1);
    expect(full.stderr).toContain('No space left on device');
    expect(full.stderr).toContain('limits.max_bytes');
    // As in bash, the failed redirect has created /b (empty): nothing else was stored.
    expect(await exec('quota', 'wc -c < /b; rm /a; head -c 60000 /dev/zero > /b; wc -c < /b')).toMatchObject({
      exit_code: 0,
      stdout: '0\n60000\n',
    });
  });

  it('runs seq 1 1000000 and a 100k-iteration loop under the default limits', async () => {
    expect((await create('seq', RAM)).status).toBe(201);
    expect(await exec('seq', 'seq 1 1000000 | tail -1')).toMatchObject({ exit_code: 0, stdout: '1000000\n' });
    expect(await exec('seq', 'for ((i=0; i<100000; i++)); do :; done; echo $i')).toMatchObject({ exit_code: 0, stdout: '100000\n' });
  }, 120_000);

  it("cuts output at the workspace's limits.max_output_bytes", async () => {
    expect((await create('small-out', { ...RAM, limits: { max_output_bytes: 10 } })).status).toBe(201);
    const answer = await d.call('POST', '/v1/workspaces/small-out/execute', { body: { command: 'seq 1 100' } });
    expect(answer.json).toMatchObject({ exit_code: 0, stdout: '1\n2\n3\n4\n5\n', truncated: true });
    expect(answer.json.stderr).toBe('mirage: stdout truncated at 10 bytes (limits.max_output_bytes)\n');
    expect((await exec('seq', 'seq 1 100 | wc -l')).stdout).toBe('100\n');
  });

  it('reports a limit hit with the config key, never just-bash wording', async () => {
    expect((await create('budget', { mounts: { '/': { resource: 'ram' } }, limits: { cpu_seconds: 0.05 } })).status).toBe(201);
    expect((await create('deadline', { mounts: { '/': { resource: 'ram' } }, limits: { timeout_s: 1 } })).status).toBe(201);
    const loop = await exec('budget', 'for ((i=0; i<20000; i++)); do :; done');
    expect(loop.exit_code).toBe(1);
    expect(loop.stderr).toMatch(/^mirage: command limit reached \(limits\.cpu_seconds /);
    expect(loop.stderr).not.toContain('executionLimits');
    const slow = await exec('deadline', 'sleep 3; echo late');
    expect(slow).toMatchObject({ exit_code: 124, stdout: '' });
    expect(slow.stderr).toContain('limits.timeout_s');
  });

  it('keeps readonly inside bash -c, and lists only exported variables in printenv/env', async () => {
    expect((await create('vars', RAM)).status).toBe(201);
    await exec('vars', "bash -c 'readonly X=1'; U=1; export E=2");
    expect(await exec('vars', 'X=5; echo $X; printenv U; echo u=$?; printenv E; env | grep -c "^U="')).toMatchObject({
      stdout: '5\nu=1\n2\n0\n',
    });
  });

  it('answers 400 for bad limits: unknown keys listed, bad values, above the daemon ceiling', async () => {
    const unknown = await create('bad-a', { ...RAM, limits: { max_bytes: 10, bogus: 1, also: 2 } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.detail).toContain('limits: unknown keys: also, bogus');
    const negative = await create('bad-b', { ...RAM, limits: { timeout_s: -1, max_processes: 1.5 } });
    expect(negative.status).toBe(400);
    expect(negative.json.detail).toContain('limits.timeout_s must be a number > 0');
    expect(negative.json.detail).toContain('limits.max_processes must be a whole number > 0');
    const above = await create('bad-c', { ...RAM, limits: { max_bytes: 2097152 } });
    expect(above.status).toBe(400);
    expect(above.json.detail).toBe("limits.max_bytes: 2097152 is above the daemon's ceiling (1048576)");
    const list = await d.call('GET', '/v1/workspaces');
    expect(JSON.stringify(list.json)).not.toMatch(/bad-[abc]/);
  });

  it('applies the daemon defaults and ceilings to a workspace that asks nothing', async () => {
    expect((await create('capped', RAM)).status).toBe(201);
    const full = await exec('capped', 'head -c 600000 /dev/zero > /a; head -c 600000 /dev/zero > /b');
    expect(full.exit_code).toBe(1);
    expect(full.stderr).toContain('No space left on device');
  });
});

describe('a bad [limits] table in config.toml', () => {
  it('stops the daemon from starting, naming the problem', async () => {
    const home = mkdtempSync(join(tmpdir(), 'mirage-builtin-e2e-bad-'));
    try {
      writeFileSync(join(home, 'config.toml'), '[limits.defaults]\nmax_bytes = 0\nnope = 1\n');
      await expect(startTestDaemon({ home })).rejects.toThrow(
        /config\.toml: limits\.defaults: unknown keys: nope; limits\.defaults\.max_bytes must be a whole number > 0/,
      );
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
