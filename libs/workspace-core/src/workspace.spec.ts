import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkspaceError, WorkspaceRegistry } from './index.js';
import type { LiveTreeEntry, TreeFile, Workspace } from './index.js';

const RAM = { mounts: { '/': { resource: 'ram' } } };
const scratch = mkdtempSync(join(tmpdir(), 'mirage-ws-'));
const registry = new WorkspaceRegistry({ env: {} });

afterAll(async () => {
  await registry.closeAll();
  rmSync(scratch, { recursive: true, force: true });
});

function hostDir(name: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe('sessions', () => {
  let workspace: Workspace;
  beforeAll(async () => {
    workspace = await registry.create({ config: RAM });
  });

  it('keeps cwd and exported or plain variables across calls, also inside $(...)', async () => {
    await workspace.execute({ command: 'mkdir -p /w/in && cd /w && export A=1; B=2' });
    const result = await workspace.execute({ command: 'echo $(pwd) $A $B; cd in; echo "$(pwd)"' });
    expect(result.stdout).toBe('/w 1 2\n/w/in\n');
    expect(workspace.getSession('default')).toEqual({ session_id: 'default', cwd: '/w/in' });
  });

  it('per-call cwd and env apply to one call only', async () => {
    await workspace.execute({ command: 'cd /w; export A=session' });
    const once = await workspace.execute({ command: 'pwd; echo $A; cd /; export A=changed', cwd: '/w/in', env: { A: 'call' } });
    expect(once.stdout).toBe('/w/in\ncall\n');
    const after = await workspace.execute({ command: 'pwd; echo $A' });
    expect(after.stdout).toBe('/w\nsession\n');
    const missing = await workspace.execute({ command: 'pwd', cwd: '/nope' });
    expect(missing.exit_code).toBe(1);
    expect(missing.stderr).toContain('/nope');
  });

  it('does not carry functions or set options to the next call (documented)', async () => {
    await workspace.execute({ command: 'f() { echo fn; }; set -e' });
    const result = await workspace.execute({ command: 'f; false; echo continued' });
    expect(result.stderr).toContain('f: command not found');
    expect(result.stdout).toBe('continued\n');
  });

  it('sessions are independent; ids are sess_ + 12 hex; 409 and 404 as documented', async () => {
    const created = workspace.createSession({});
    expect(created.session_id).toMatch(/^sess_[0-9a-f]{12}$/);
    expect(created.cwd).toBe('/');
    workspace.createSession({ session_id: 'other' });
    expect(() => workspace.createSession({ session_id: 'other' })).toThrow(
      new WorkspaceError('already_exists', 'session id already exists: other'),
    );
    await workspace.execute({ command: 'cd /w', session_id: 'other' });
    expect((await workspace.execute({ command: 'pwd', session_id: created.session_id })).stdout).toBe('/\n');
    expect(workspace.listSessions().map((session) => session.session_id)).toEqual(['default', created.session_id, 'other']);
    await expect(workspace.execute({ command: 'pwd', session_id: 'ghost' })).rejects.toThrow('session not found');
    expect(await workspace.deleteSession('other')).toEqual({ session_id: 'other' });
    expect(() => workspace.getSession('other')).toThrow('session not found');
  });

  it('refuses session mounts given as a list, unknown modes and unknown mounts (unprocessable)', () => {
    for (const mounts of [['/'], { '/': 'admin' }, { '/nowhere': 'read' }]) {
      let caught: unknown;
      try {
        workspace.createSession({ mounts: mounts as never });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(WorkspaceError);
      expect((caught as WorkspaceError).code).toBe('unprocessable');
    }
  });

  it('a session mount ceiling narrows the mode for that session only', async () => {
    workspace.createSession({ session_id: 'reader', mounts: { '/': 'read' } });
    const refused = await workspace.execute({ command: 'echo x > /ro-test', session_id: 'reader' });
    expect(refused.exit_code).toBe(1);
    expect(refused.stderr).toContain('cannot write to read-only mount /');
    expect((await workspace.execute({ command: 'echo x > /ro-test && cat /ro-test' })).stdout).toBe('x\n');
  });

  it('sessionStates and restoreSessions round-trip cwd and env', async () => {
    const states = workspace.sessionStates();
    const copy = await registry.create({ config: RAM });
    await copy.execute({ command: 'mkdir -p /w/in' });
    copy.restoreSessions(states);
    expect(copy.getSession('default').cwd).toBe(workspace.getSession('default').cwd);
    expect((await copy.execute({ command: 'echo $A' })).stdout).toBe('session\n');
  });

  it('keeps a history; record:false skips it', async () => {
    const before = workspace.detail(true).internals?.history_length ?? 0;
    await workspace.execute({ command: 'true' });
    await workspace.execute({ command: 'true', record: false });
    expect(workspace.detail(true).internals?.history_length).toBe(before + 1);
    expect(workspace.commandHistory().at(-1)?.command).toBe('true');
  });
});

describe('brief and detail', () => {
  it('lists an implicit root mount, trailing-slash prefixes and the first user mount mode', async () => {
    const dir = hostDir('detail');
    const workspace = await registry.create({
      config: { mounts: { '/data': { resource: 'disk', mode: 'exec', config: { root: dir } }, '/ro': { resource: 'ram', mode: 'read' } } },
    });
    const detail = workspace.detail();
    expect(detail.mounts.map((mount) => [mount.prefix, mount.resource, mount.vfs, mount.mode])).toEqual([
      ['/', 'ram', 'ram', 'read'],
      ['/data/', 'disk', 'disk', 'exec'],
      ['/ro/', 'ram', 'ram', 'read'],
    ]);
    expect(detail.internals).toBeNull();
    expect(detail.fuse_mountpoints).toEqual({});
    expect(workspace.brief()).toEqual({
      id: workspace.id,
      mode: 'exec',
      mount_count: 3,
      session_count: 1,
      created_at: workspace.createdAt,
    });
    expect(workspace.detail(true).internals).toEqual({ cache_bytes: null, cache_entries: null, history_length: 0, in_flight_jobs: 0 });
    for (const mount of detail.mounts) expect([...mount.description].length).toBeLessThanOrEqual(120);
    // The implicit root only holds the mount points (and /dev, builtin/devices.ts): nothing can be written there.
    expect((await workspace.execute({ command: 'ls /' })).stdout).toBe('data\ndev\nro\n');
    const refused = await workspace.execute({ command: 'echo x > /top' });
    expect(refused).toMatchObject({ exit_code: 1, stdout: '', stderr: 'bash: cannot write to read-only mount /\n' });
  });

  it('truncates long descriptions to 120 code points with an ellipsis', async () => {
    const dir = hostDir(`${'ü'.repeat(70)}-${'x'.repeat(60)}`);
    const workspace = await registry.create({ config: { mounts: { '/': { resource: 'disk', config: { root: dir } } } } });
    const description = workspace.detail().mounts[0].description;
    expect([...description]).toHaveLength(120);
    expect(description.endsWith('…')).toBe(true);
  });
});

describe('mount modes and disk confinement', () => {
  let workspace: Workspace;
  let readonlyDir: string;
  let writableDir: string;
  beforeAll(async () => {
    readonlyDir = hostDir('ro');
    writableDir = hostDir('rw');
    writeFileSync(join(readonlyDir, 'keep.txt'), 'keep\n');
    symlinkSync('/etc', join(writableDir, 'etc-link'));
    symlinkSync('/etc/passwd', join(writableDir, 'passwd-link'));
    workspace = await registry.create({
      config: {
        mounts: {
          '/': { resource: 'ram' },
          '/ro': { resource: 'disk', mode: 'read', config: { root: readonlyDir } },
          '/rw': { resource: 'disk', mode: 'write', config: { root: writableDir } },
        },
      },
    });
  });

  it.each([
    ['redirect', 'echo x > /ro/new.txt'],
    ['append', 'echo x >> /ro/keep.txt'],
    ['touch', 'touch /ro/t'],
    ['rm', 'rm /ro/keep.txt'],
    ['mkdir', 'mkdir /ro/d'],
    ['mv', 'mv /ro/keep.txt /ro/moved'],
    ['cp into', 'cp /etc-none /ro/x 2>/dev/null || cp /rw/../rw/../ro/keep.txt /ro/copy'],
    ['ln -s', 'ln -s keep.txt /ro/link'],
  ])('a read mount refuses %s with exit 1 and a clear message', async (_name, command) => {
    const result = await workspace.execute({ command });
    expect(result.exit_code).toBe(1);
    expect(result.stderr).toContain('read-only mount /ro/');
    expect(readFileSync(join(readonlyDir, 'keep.txt'), 'utf8')).toBe('keep\n');
    expect(existsSync(join(readonlyDir, 'new.txt'))).toBe(false);
  });

  // just-bash's chmod and tee print their own generic message for any file-system error.
  it.each([
    ['chmod', 'chmod 777 /ro/keep.txt'],
    ['tee', 'echo x | tee /ro/tee.txt'],
  ])('a read mount refuses %s with exit 1 (message chosen by just-bash)', async (_name, command) => {
    const result = await workspace.execute({ command });
    expect(result.exit_code).toBe(1);
    expect(result.stderr).toContain('/ro/');
    expect(lstatSync(join(readonlyDir, 'keep.txt')).mode & 0o777).toBe(0o644);
    expect(existsSync(join(readonlyDir, 'tee.txt'))).toBe(false);
    expect(readFileSync(join(readonlyDir, 'keep.txt'), 'utf8')).toBe('keep\n');
    expect(existsSync(join(readonlyDir, 'new.txt'))).toBe(false);
  });

  it('a failed redirect fails the whole command line with exit 1, never an exception', async () => {
    const result = await workspace.execute({ command: 'echo before; echo x > /ro/keep.txt; echo after' });
    expect(result).toMatchObject({ exit_code: 1, stderr: 'bash: cannot write to read-only mount /ro/\n' });
    expect(readFileSync(join(readonlyDir, 'keep.txt'), 'utf8')).toBe('keep\n');
  });

  it('a read mount is still readable and copyable elsewhere', async () => {
    const result = await workspace.execute({ command: 'cat /ro/keep.txt && cp /ro/keep.txt /copied && cat /copied' });
    expect(result).toMatchObject({ exit_code: 0, stdout: 'keep\nkeep\n' });
  });

  it('a disk mount is never left through .., symlinks planted on the host, or ln -s', async () => {
    const attempts = [
      'cat /rw/../../etc/passwd',
      'cd /rw && cat ../../../../etc/passwd',
      'cat /rw/etc-link/passwd',
      'cat /rw/passwd-link',
      'ls /rw/etc-link/',
      'ln -s /etc/passwd /rw/made-link; cat /rw/made-link',
      'ln -s ../../../../../etc/passwd /rw/rel-link; cat /rw/rel-link',
      'cd /rw/etc-link && pwd && ls',
    ];
    for (const command of attempts) {
      const result = await workspace.execute({ command });
      expect(result.stdout).not.toContain('root:');
      expect(result.stdout).not.toMatch(/hostname|passwd\n/);
    }
    // What ln -s created on the host stays inside the root.
    for (const name of ['made-link', 'rel-link']) {
      const path = join(writableDir, name);
      if (existsSync(path) || lstatExists(path)) {
        const target = readlinkSync(path);
        expect(target.startsWith(writableDir) || !target.startsWith('/')).toBe(true);
        expect(join(writableDir, target).startsWith(writableDir) || target.startsWith(writableDir)).toBe(true);
      }
    }
    expect(existsSync('/etc/mirage-should-not-exist')).toBe(false);
  });

  it('writes through a disk mount land in its root only', async () => {
    const result = await workspace.execute({
      command: 'echo data > /rw/out.txt && mkdir -p /rw/a/b && echo deep > /rw/a/b/c.txt && cat /rw/out.txt',
    });
    expect(result).toMatchObject({ exit_code: 0, stdout: 'data\n' });
    expect(readFileSync(join(writableDir, 'a/b/c.txt'), 'utf8')).toBe('deep\n');
  });
});

function lstatExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

describe('network', () => {
  it('curl does not exist unless the daemon and the config both allow it', async () => {
    const server = createServer((_request, response) => response.end('served\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const config = { network: { allow: [url] }, mounts: { '/': { resource: 'ram' } } };
      const closed = await registry.create({ config });
      const off = await closed.execute({ command: `curl -s ${url}/x` });
      expect(off.exit_code).toBe(127);
      expect(off.stdout).toBe('');

      const allowing = new WorkspaceRegistry({ env: {}, allowNetwork: true });
      try {
        const noList = await allowing.create({ config: RAM });
        expect((await noList.execute({ command: `curl -s ${url}/x` })).exit_code).toBe(127);
        const open = await allowing.create({ config });
        expect(await open.execute({ command: `curl -s ${url}/x` })).toMatchObject({ exit_code: 0, stdout: 'served\n' });
        const elsewhere = await open.execute({ command: 'curl -s http://127.0.0.1:9/' });
        expect(elsewhere.exit_code).not.toBe(0);
      } finally {
        await allowing.closeAll();
      }
    } finally {
      server.close();
    }
  });
});

describe('output', () => {
  it('cuts a stream over the output limit, flags truncated and says so on stderr', async () => {
    const small = new WorkspaceRegistry({ env: {}, outputLimitBytes: 1000 });
    try {
      const workspace = await small.create({ config: RAM });
      const result = await workspace.execute({ command: 'seq 1 2000' });
      expect(result.truncated).toBe(true);
      expect(Buffer.byteLength(result.stdout)).toBeLessThanOrEqual(1000);
      expect(result.stdout.startsWith('1\n2\n3\n')).toBe(true);
      expect(result.stderr).toContain('stdout truncated at 1000 bytes');
      const fits = await workspace.execute({ command: 'echo small' });
      expect(fits.truncated).toBeUndefined();
    } finally {
      await small.closeAll();
    }
  });

  it('decodes UTF-8 output and passes binary stdin through unchanged', async () => {
    const workspace = await registry.create({ config: RAM });
    const bytes = new Uint8Array(256).map((_value, index) => index);
    const result = await workspace.execute({ command: 'cat > /bin.dat; wc -c < /bin.dat; md5sum < /bin.dat; echo héllo ✓', stdin: bytes });
    const md5 = (await import('node:crypto')).createHash('md5').update(bytes).digest('hex');
    expect(result.stdout).toBe(`256\n${md5}  -\nhéllo ✓\n`);
  });
});

describe('provision', () => {
  it('estimates a command without running it', async () => {
    const workspace = await registry.create({ config: RAM });
    await workspace.execute({ command: 'printf 12345 > /five.txt' });
    const result = await workspace.provision({ command: 'cat /f*.txt > /out.txt' });
    expect(result.kind).toBe('provision');
    expect(result.command).toBe('cat /f*.txt > /out.txt');
    expect(result.cache_read_high).toBeGreaterThanOrEqual(5);
    expect((await workspace.execute({ command: 'ls /' })).stdout).toBe('dev\nfive.txt\n');
    await expect(workspace.provision({ command: 'true', session_id: 'ghost' })).rejects.toThrow('session not found');
  });
});

describe('file trees', () => {
  it('listTree → replaceTree on another workspace gives identical bytes, modes, symlinks, empty files, non-ASCII names', async () => {
    const diskA = hostDir('tree-a');
    const diskB = hostDir('tree-b');
    const config = (dir: string) => ({ mounts: { '/': { resource: 'ram' }, '/d': { resource: 'disk', config: { root: dir } } } });
    const source = await registry.create({ config: config(diskA) });
    const setup = await source.execute({
      command: [
        'mkdir -p /docs/sub /d/inner',
        'printf "hello\\n" > /docs/a.txt',
        ': > /docs/empty',
        'printf "\\000\\001\\377" > /docs/bin',
        'echo ü > "/docs/sub/naïve ✓.txt"',
        'chmod 755 /docs/a.txt',
        'chmod 700 /docs/sub',
        'ln -s a.txt /docs/link',
        'echo disk > /d/inner/f.txt',
        'chmod 600 /d/inner/f.txt',
        'ln -s inner/f.txt /d/flink',
      ].join(' && '),
    });
    expect(setup.exit_code).toBe(0);
    const entries = await source.listTree();
    const files: TreeFile[] = [];
    for (const entry of entries)
      files.push({
        path: entry.path,
        kind: entry.kind,
        mode: entry.mode,
        target: entry.target,
        mtimeMs: entry.mtimeMs,
        data: entry.kind === 'file' ? await entry.read() : undefined,
      });

    const copy = await registry.create({ config: config(diskB) });
    await copy.execute({ command: 'echo stale > /stale.txt && echo stale > /d/stale.txt' });
    await copy.replaceTree(files);
    const copied = await copy.listTree();
    const shape = async (list: LiveTreeEntry[]) =>
      Promise.all(
        list.map(async (entry) => ({
          path: entry.path,
          kind: entry.kind,
          mode: entry.mode,
          target: entry.target,
          bytes: entry.kind === 'file' ? Buffer.from(await entry.read()).toString('hex') : null,
        })),
      );
    expect(await shape(copied)).toEqual(await shape(entries));
    const paths = copied.map((entry) => entry.path);
    expect(paths).toEqual(
      expect.arrayContaining(['docs/a.txt', 'docs/empty', 'docs/sub/naïve ✓.txt', 'docs/link', 'd/inner/f.txt', 'd/flink']),
    );
    expect(paths).not.toContain('stale.txt');
    expect(paths).not.toContain('d/stale.txt');
    const file = copied.find((entry) => entry.path === 'docs/a.txt');
    expect(file?.mtimeMs).toBe(entries.find((entry) => entry.path === 'docs/a.txt')?.mtimeMs);
    expect(readFileSync(join(diskB, 'inner/f.txt'), 'utf8')).toBe('disk\n');
    expect((await copy.execute({ command: 'cat /docs/link /d/flink' })).stdout).toBe('hello\ndisk\n');
  });

  it('leaves read mounts and s3 mounts out of replaceTree', async () => {
    const dir = hostDir('tree-ro');
    writeFileSync(join(dir, 'orig.txt'), 'orig\n');
    const workspace = await registry.create({
      config: { mounts: { '/': { resource: 'ram' }, '/ro': { resource: 'disk', mode: 'read', config: { root: dir } } } },
    });
    await workspace.replaceTree([
      { path: 'ro/evil.txt', kind: 'file', mode: 0o644, data: new TextEncoder().encode('x') },
      { path: 'ok.txt', kind: 'file', mode: 0o644, data: new TextEncoder().encode('ok') },
    ]);
    expect(existsSync(join(dir, 'evil.txt'))).toBe(false);
    expect(readFileSync(join(dir, 'orig.txt'), 'utf8')).toBe('orig\n');
    expect((await workspace.execute({ command: 'cat /ok.txt' })).stdout).toBe('ok');
    expect((await workspace.listTree()).map((entry) => entry.path)).toEqual(['ok.txt', 'ro/orig.txt']);
  });
});
