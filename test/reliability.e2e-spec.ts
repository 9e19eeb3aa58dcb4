// Reliability of the real daemon process (apps/daemon/bin/daemon.js, built): state kept across a
// graceful stop and across `kill -9` at real moments (mid-commit, mid-execute, mid-download), a
// repository that stays intact (`git fsck`), a full disk, stale pid files, and workspaces that
// cannot be restored. Each test has its own temp MIRAGE_HOME and free port.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, watch, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSnapshotFile, type LiveTreeEntry } from '@mirage-ts/workspace-core';
import { ensureBuilt } from './support/build.js';
import { isAlive, runCli } from './support/cli.js';
import { eventually, freePort, gitFsck, launchDaemon, spawnDaemon, TEST_TOKEN, type DaemonProcess } from './support/daemon-process.js';

const RAM = { mounts: { '/': { resource: 'ram', mode: 'write' } } };
const PACKAGES = ['libs/protocol', 'libs/workspace-core', 'libs/versioning', 'apps/daemon'];
const ENTRIES = ['apps/daemon/dist/main.js', 'libs/workspace-core/dist/index.js', 'libs/versioning/dist/index.js'];

let root: string;
let home: string;
let port: number;
const running: DaemonProcess[] = [];
const mounts: string[] = [];

async function start(env: Record<string, string> = {}): Promise<DaemonProcess> {
  const daemon = await spawnDaemon({ home, port, env });
  running.push(daemon);
  return daemon;
}

async function run(
  daemon: DaemonProcess,
  id: string,
  command: string,
  extra: Record<string, unknown> = {},
): Promise<{ exit_code: number; stdout: string; stderr: string }> {
  const answer = await daemon.call('POST', `/v1/workspaces/${id}/execute`, { command, ...extra });
  if (answer.status !== 200) throw new Error(`execute ${command}: ${answer.status} ${answer.text}`);
  return answer.json;
}

const stateDir = (id: string): string => join(home, 'state', 'workspaces', id);
const mode = (path: string): number => statSync(path).mode & 0o777;

/** A snapshot tar with `count` files of distinct random content under /f, in the snapshot root. */
async function manyFilesSnapshot(name: string, count: number): Promise<void> {
  const entries: LiveTreeEntry[] = [
    { path: 'f', kind: 'directory', mode: 0o755, size: 0, mtimeMs: Date.now(), read: async () => new Uint8Array() },
  ];
  for (let index = 0; index < count; index += 1) {
    const data = Buffer.from(randomBytes(512).toString('hex'));
    entries.push({ path: `f/${index}.txt`, kind: 'file', mode: 0o644, size: data.length, mtimeMs: Date.now(), read: async () => data });
  }
  await writeSnapshotFile({ id: name, config: RAM, sessions: [], entries }, join(home, 'snapshots', `${name}.tar`));
}

/** Mounts a tmpfs of `size` at a fresh dir; null when this machine does not allow it. */
function tmpfs(size: string): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'mirage-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  mounts.push(dir);
  return dir;
}

/** Fills the file system holding `dir` until a write fails with ENOSPC. */
function fillDisk(dir: string): string {
  const filler = join(dir, 'filler');
  const chunk = Buffer.alloc(64 * 1024);
  let size = 0;
  for (;;) {
    try {
      writeFileSync(filler, chunk, { flag: size === 0 ? 'w' : 'a' });
      size += chunk.length;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      break;
    }
  }
  // The last bytes too (a partial chunk may still fit).
  for (let small = 4096; small >= 1; small = Math.floor(small / 2)) {
    try {
      for (;;) writeFileSync(filler, Buffer.alloc(small), { flag: 'a' });
    } catch {
      // full at this granularity
    }
  }
  return filler;
}

describe('daemon reliability (real process, kill -9, full disk)', () => {
  beforeAll(() => ensureBuilt(PACKAGES, ENTRIES), 180_000);

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'mirage-reliability-'));
    home = join(root, 'home');
    port = await freePort();
  });

  afterEach(async () => {
    for (const daemon of running.splice(0)) if (daemon.child.exitCode === null && daemon.child.signalCode === null) await daemon.kill9();
    for (const dir of mounts.splice(0)) {
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      } catch {
        // already unmounted
      }
      rmSync(dir, { recursive: true, force: true });
    }
    rmSync(root, { recursive: true, force: true });
  });

  it('a graceful stop (POST /v1/shutdown) brings back the full live state: ram files, sessions, ceilings, order', async () => {
    const diskRoot = join(root, 'disk');
    mkdirSync(diskRoot);
    let daemon = await start();
    const created = await daemon.call('POST', '/v1/workspaces', {
      id: 'alpha',
      config: {
        mounts: { '/': { resource: 'ram', mode: 'write' }, '/d': { resource: 'disk', mode: 'write', config: { root: diskRoot } } },
      },
    });
    expect(created.status).toBe(201);
    expect((await daemon.call('POST', '/v1/workspaces', { id: 'beta', config: RAM })).status).toBe(201);
    expect((await daemon.call('POST', '/v1/workspaces/alpha/sessions', { session_id: 'reader', mounts: { '/': 'read' } })).status).toBe(
      201,
    );
    await run(
      daemon,
      'alpha',
      'mkdir -p /w && printf hello > /w/a.txt && ln -s a.txt /w/link && echo disk > /d/x && cd /w && export GREETING=hi',
    );
    await run(daemon, 'alpha', 'cd /d', { session_id: 'reader' });

    const stop = await daemon.call('POST', '/v1/shutdown');
    expect(stop.status).toBe(200);
    expect((await daemon.exited).code).toBe(0);

    // Credentials-bearing config and session env are private to the owner.
    for (const file of ['workspace.json', 'sessions.json', 'snapshot.tar']) expect(mode(join(stateDir('alpha'), file))).toBe(0o600);
    expect(mode(join(home, 'state'))).toBe(0o700);
    expect(mode(stateDir('alpha'))).toBe(0o700);
    expect(JSON.parse(readFileSync(join(stateDir('alpha'), 'workspace.json'), 'utf8'))).toMatchObject({
      id: 'alpha',
      config: { mounts: { '/d': { config: { root: diskRoot } } } },
    });

    daemon = await start();
    const list = await daemon.call('GET', '/v1/workspaces');
    expect(list.json.map((w: { id: string }) => w.id)).toEqual(['alpha', 'beta']);
    const back = await run(daemon, 'alpha', 'pwd; cat a.txt; echo; echo $GREETING; readlink link; cat /d/x');
    expect(back.stdout).toBe('/w\nhello\nhi\na.txt\ndisk\n');
    const reader = await daemon.call('GET', '/v1/workspaces/alpha/sessions/reader');
    expect(reader.json).toEqual({ session_id: 'reader', cwd: '/d' });
    // The session's read-only ceiling survived the restart.
    expect((await run(daemon, 'alpha', 'echo no > /w/b.txt', { session_id: 'reader' })).exit_code).not.toBe(0);
    expect(daemon.output().stdout).toContain('restored 2 workspaces (0 skipped)');
    expect(await daemon.stop()).toBe(0);
  }, 60_000);

  it('kill -9: config, sessions and the last committed version come back; git fsck is clean', async () => {
    let daemon = await start();
    await daemon.call('POST', '/v1/workspaces', { id: 'w', config: RAM });
    await run(daemon, 'w', 'mkdir /sub && printf one > /v.txt');
    const commit = await daemon.call('POST', '/v1/workspaces/w/commit', { message: 'first' });
    expect(commit.status).toBe(200);
    await run(daemon, 'w', 'printf two > /v.txt && printf new > /after.txt && cd /sub && export KEPT=yes');
    // cwd/env are saved shortly after an execute (debounced): wait until they are on disk.
    await eventually(
      () => readFileSync(join(stateDir('w'), 'sessions.json'), 'utf8').includes('"KEPT"'),
      'sessions.json to hold the new env',
    );
    await daemon.kill9();

    daemon = await start();
    const back = await run(daemon, 'w', 'pwd; echo $KEPT; cat /v.txt; echo; test -e /after.txt || echo no-after');
    expect(back.stdout).toBe('/sub\nyes\none\nno-after\n');
    expect(daemon.output().stdout).toContain('restored workspace w (files from version)');
    expect(gitFsck(join(home, 'repos', 'w'))).not.toMatch(/error|missing|broken/i);
    const log = await daemon.call('GET', '/v1/workspaces/w/versions');
    expect(log.json.map((v: { id: string }) => v.id)).toEqual([commit.json.version]);
  }, 60_000);

  it('kill -9 during a commit of many files: no half commit, git fsck clean, the next commit works', async () => {
    mkdirSync(join(home, 'snapshots'), { recursive: true });
    await manyFilesSnapshot('many', 3000);
    let daemon = await start();
    expect((await daemon.call('POST', '/v1/workspaces/load', { path: 'many.tar', id: 'many' })).status).toBe(201);
    let answered = false;
    const pending = daemon.call('POST', '/v1/workspaces/many/commit', { message: 'big' }).then(
      () => (answered = true),
      () => undefined,
    );
    // Kill once the commit is writing objects but before it answered.
    const objects = join(home, 'repos', 'many', 'objects');
    await eventually(
      () => existsSync(objects) && readdirSync(objects).some((name) => /^[0-9a-f]{2}$/.test(name)),
      'the commit to write objects',
      20_000,
      2,
    );
    await daemon.kill9();
    await pending;
    expect(answered).toBe(false);

    daemon = await start();
    expect((await daemon.call('GET', '/v1/workspaces/many')).status).toBe(200);
    const log = await daemon.call('GET', '/v1/workspaces/many/versions');
    expect(log.status).toBe(200);
    // Either the commit is whole (its ref written last) or it does not exist at all.
    expect(log.json.length).toBeLessThanOrEqual(1);
    expect(gitFsck(join(home, 'repos', 'many'))).not.toMatch(/error|missing|broken/i);
    await run(daemon, 'many', 'printf after > /after.txt');
    const next = await daemon.call('POST', '/v1/workspaces/many/commit', { message: 'after the crash' });
    expect(next.status).toBe(200);
    expect(gitFsck(join(home, 'repos', 'many'))).not.toMatch(/error|missing|broken/i);
    const files = await daemon.call('GET', `/v1/workspaces/many/diff?a=${next.json.version}`);
    expect(files.status).toBe(200);
  }, 90_000);

  it('kill -9 during a long execute (sleep 5): the workspace and its sessions come back at once, no job survives', async () => {
    let daemon = await start();
    await daemon.call('POST', '/v1/workspaces', { id: 'w', config: { ...RAM, engine: 'builtin' } }); // the cwd comes back without its directory: only just-bash can stay there
    await run(daemon, 'w', 'mkdir /here && cd /here && export MARK=1');
    await eventually(() => readFileSync(join(stateDir('w'), 'sessions.json'), 'utf8').includes('"MARK"'), 'sessions.json to hold MARK');
    const background = await daemon.call('POST', '/v1/workspaces/w/execute?background=true', { command: 'sleep 5; echo late > /late.txt' });
    expect(background.status).toBe(202);
    const foreground = daemon.call('POST', '/v1/workspaces/w/execute', { command: 'sleep 5' }).then(
      (answer) => answer.status,
      (error: Error) => error.message,
    );
    // One session runs one call at a time: the second job waits behind the first.
    await eventually(async () => {
      const jobs: { status: string }[] = (await daemon.call('GET', '/v1/jobs')).json;
      const live = jobs.filter((job) => job.status === 'running' || job.status === 'pending');
      return live.length === 2 && live.some((job) => job.status === 'running');
    }, 'both jobs to be in flight');
    await daemon.kill9();
    expect(typeof (await foreground)).toBe('string'); // the connection died, no answer

    const restarted = Date.now();
    daemon = await start();
    expect(Date.now() - restarted).toBeLessThan(5000);
    expect((await daemon.call('GET', '/v1/jobs')).json).toEqual([]);
    const back = await run(daemon, 'w', 'pwd; echo $MARK; test -e /late.txt || echo no-late');
    expect(back.stdout).toBe('/here\n1\nno-late\n');
    // No temporary file is left in the state folder.
    expect(readdirSync(stateDir('w')).sort()).toEqual(['sessions.json', 'workspace.json']);
  }, 60_000);

  it('kill -9 during a snapshot download: the cut tar is refused by load, the CLI never leaves a partial out.tar', async () => {
    let daemon = await start();
    await daemon.call('POST', '/v1/workspaces', { id: 'w', config: { ...RAM, engine: 'builtin' } }); // `ls /` of the sandbox also shows /usr, /proc, ...
    for (let index = 0; index < 4; index += 1) {
      await run(daemon, 'w', `cat > /blob${index}.bin`, { stdin_base64: randomBytes(2 * 1024 * 1024).toString('base64') });
    }
    // A client that stops reading after the first chunk holds the download mid-stream.
    const received: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${daemon.url}/v1/workspaces/w/snapshot`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } }, (res) => {
        res.once('data', (chunk: Buffer) => {
          received.push(chunk);
          res.pause();
          resolve();
        });
        res.on('error', () => undefined);
      });
      req.on('error', (error) => (received.length === 0 ? reject(error) : undefined));
      req.end();
    });
    await daemon.kill9();
    const cut = Buffer.concat(received);
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.length).toBeLessThan(8 * 1024 * 1024);

    daemon = await start();
    mkdirSync(join(home, 'snapshots'), { recursive: true });
    writeFileSync(join(home, 'snapshots', 'cut.tar'), cut);
    const load = await daemon.call('POST', '/v1/workspaces/load', { path: 'cut.tar', id: 'from-cut' });
    expect(load.status).toBe(400);
    expect(load.json.detail).toMatch(/^load failed/);
    expect((await daemon.call('GET', '/v1/workspaces')).json.map((w: { id: string }) => w.id)).toEqual(['w']);
    // The ram blobs were never committed: after kill -9 the workspace is back, its files are not.
    expect((await run(daemon, 'w', 'ls /')).stdout).toBe('dev\n');
    for (const name of ['big1', 'big2'])
      await run(daemon, 'w', `cat > /${name}.bin`, { stdin_base64: randomBytes(2 * 1024 * 1024).toString('base64') });

    // The CLI downloads into a temporary name: kill the daemon as soon as that name appears.
    const outDir = join(root, 'out');
    mkdirSync(outDir);
    const watcher = watch(outDir, () => {
      if (daemon.child.exitCode === null) daemon.child.kill('SIGKILL');
    });
    const cli = await runCli(['workspace', 'snapshot', 'w', join(outDir, 'out.tar')], {
      env: {
        PATH: process.env.PATH,
        MIRAGE_HOME: join(root, 'cli-home'),
        HOME: root,
        MIRAGE_DAEMON_URL: daemon.url,
        MIRAGE_TOKEN: TEST_TOKEN,
      },
    });
    watcher.close();
    await daemon.exited;
    if (cli.code === 0) {
      // The download won the race: then out.tar must be a whole snapshot.
      daemon = await start();
      mkdirSync(join(home, 'snapshots'), { recursive: true });
      writeFileSync(join(home, 'snapshots', 'whole.tar'), readFileSync(join(outDir, 'out.tar')));
      expect((await daemon.call('POST', '/v1/workspaces/load', { path: 'whole.tar', id: 'whole' })).status).toBe(201);
    } else {
      expect(cli.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(existsSync(join(outDir, 'out.tar'))).toBe(false);
    }
  }, 90_000);

  it('a stale pid file (dead pid or garbage) blocks neither the daemon nor `mirage daemon status/start`', async () => {
    mkdirSync(home, { recursive: true });
    const pidFile = join(home, 'daemon.pid');
    let dead = 999_999;
    while (isAlive(dead)) dead -= 1;
    for (const stale of [String(dead), 'garbage\n']) {
      writeFileSync(pidFile, stale);
      const daemon = await start();
      expect(readFileSync(pidFile, 'utf8')).toBe(String(daemon.pid));
      expect(await daemon.stop()).toBe(0);
      expect(existsSync(pidFile)).toBe(false);
    }

    const env = {
      PATH: process.env.PATH,
      MIRAGE_HOME: home,
      HOME: root,
      MIRAGE_DAEMON_URL: `http://127.0.0.1:${port}`,
      MIRAGE_IDLE_GRACE_SECONDS: '3600',
    };
    writeFileSync(pidFile, String(dead));
    const status = await runCli(['daemon', 'status', '--json'], { env });
    expect(status.code).toBe(1);
    expect(status.json).toMatchObject({ running: false });
    expect(status.stderr).not.toMatch(/\n\s+at /);
    writeFileSync(pidFile, 'garbage');
    const started = await runCli(['daemon', 'start', '--json'], { env });
    expect(started.code).toBe(0);
    expect(started.json).toMatchObject({ running: true });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(isAlive(pid)).toBe(true);
    const stopped = await runCli(['daemon', 'stop'], { env });
    expect(stopped.code).toBe(0);
    await eventually(() => !isAlive(pid), 'the spawned daemon to exit');
  }, 60_000);

  it('a workspace that cannot be restored is logged and skipped, its folder kept; the others start; no idle exit', async () => {
    let daemon = await start();
    for (const id of ['good', 'corrupt', 'invalid']) await daemon.call('POST', '/v1/workspaces', { id, config: RAM });
    await run(daemon, 'good', 'printf ok > /ok.txt');
    expect(await daemon.stop()).toBe(0);
    writeFileSync(join(stateDir('corrupt'), 'workspace.json'), '{"format": "mirage-workspace-state", "vers');
    const invalid = JSON.parse(readFileSync(join(stateDir('invalid'), 'workspace.json'), 'utf8'));
    invalid.config.mounts['/'].resource = 'floppy';
    writeFileSync(join(stateDir('invalid'), 'workspace.json'), JSON.stringify(invalid));

    daemon = await start({ MIRAGE_IDLE_GRACE_SECONDS: '0.2' });
    expect((await daemon.call('GET', '/v1/workspaces')).json.map((w: { id: string }) => w.id)).toEqual(['good']);
    expect((await run(daemon, 'good', 'cat /ok.txt')).stdout).toBe('ok');
    const log = daemon.output().stdout;
    expect(log).toContain('could not restore workspace corrupt');
    expect(log).toContain('could not restore workspace invalid');
    expect(log).toContain('restored 1 workspaces (2 skipped)');
    for (const id of ['corrupt', 'invalid']) {
      expect(existsSync(join(stateDir(id), 'workspace.json'))).toBe(true);
      expect(JSON.parse(readFileSync(join(stateDir(id), 'restore-error.json'), 'utf8')).error).toEqual(expect.any(String));
    }
    // Restored workspaces count for the idle rule: no exit while one is held.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(daemon.child.exitCode).toBeNull();
    // Deleting the last one arms the idle timer as usual; the broken folders stay.
    expect((await daemon.call('DELETE', '/v1/workspaces/good')).status).toBe(200);
    expect((await daemon.exited).code).toBe(0);
    expect(existsSync(stateDir('good'))).toBe(false);
    expect(existsSync(join(stateDir('corrupt'), 'workspace.json'))).toBe(true);

    // Only unrestorable workspaces: the daemon starts and does not exit on its own.
    daemon = await start({ MIRAGE_IDLE_GRACE_SECONDS: '0.2' });
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(daemon.child.exitCode).toBeNull();
    expect((await daemon.call('GET', '/v1/health')).json).toMatchObject({ status: 'ok', workspaces: 0 });
  }, 60_000);

  it('an unusable home stops the start with one line: a file in the way (ENOTDIR)', async () => {
    writeFileSync(join(root, 'plain-file'), 'x');
    const { daemon, listening } = launchDaemon({ home: join(root, 'plain-file', 'home'), port });
    running.push(daemon);
    await expect(listening).rejects.toThrow();
    expect((await daemon.exited).code).toBe(1);
    const stderr = daemon.output().stderr.trim();
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^mirage daemon failed to start: .*ENOTDIR/);
  }, 30_000);

  const withTmpfs = tmpfsAllowed() ? it : it.skip;

  withTmpfs(
    'a full disk: start exits 1 with one line; a commit or snapshot answers 507 {detail}, the daemon stays up',
    async () => {
      const full = tmpfs('1m')!;
      mkdirSync(join(full, 'home'));
      writeFileSync(join(full, 'home', 'auth_token'), 'x'.repeat(43));
      fillDisk(full);
      const { daemon: refused, listening } = launchDaemon({ home: join(full, 'home'), port });
      running.push(refused);
      await expect(listening).rejects.toThrow();
      expect((await refused.exited).code).toBe(1);
      const stderr = refused.output().stderr.trim();
      expect(stderr.split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/^mirage daemon failed to start: .*(ENOSPC|no space left)/i);

      const small = tmpfs('3m')!;
      home = join(small, 'home');
      const daemon = await start();
      await daemon.call('POST', '/v1/workspaces', { id: 'w', config: RAM });
      await run(daemon, 'w', 'cat > /big.bin', { stdin_base64: randomBytes(1536 * 1024).toString('base64') });
      const filler = fillDisk(small);
      const commit = await daemon.call('POST', '/v1/workspaces/w/commit', { message: 'too big' });
      expect(commit.status).toBe(507);
      expect(commit.json).toEqual({ detail: expect.stringMatching(/no space left/) });
      mkdirSync(join(home, 'snapshots'), { recursive: true });
      const snapshot = await daemon.call('POST', '/v1/workspaces/w/snapshot', { path: 'w.tar' });
      expect(snapshot.status).toBe(507);
      expect(existsSync(join(home, 'snapshots', 'w.tar'))).toBe(false);
      expect((await daemon.call('GET', '/v1/health')).status).toBe(200);
      expect((await run(daemon, 'w', 'echo still')).stdout).toBe('still\n');

      rmSync(filler);
      const retry = await daemon.call('POST', '/v1/workspaces/w/commit', { message: 'room again' });
      expect(retry.status).toBe(200);
      expect(gitFsck(join(home, 'repos', 'w'))).not.toMatch(/error|missing|broken/i);
      expect(await daemon.stop()).toBe(0);
    },
    60_000,
  );
});

function tmpfsAllowed(): boolean {
  if (process.getuid?.() !== 0) return false;
  const dir = mkdtempSync(join(tmpdir(), 'mirage-tmpfs-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    execFileSync('umount', [dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
