// The sandbox engine's limits (docs/limits.md) against a real daemon on 127.0.0.1: a process
// flood under limits.max_processes, a memory hog under limits.max_memory_bytes, a disk filler
// under limits.max_bytes (a real tmpfs: ENOSPC), a busy loop under limits.cpu_seconds. Each ends
// its own command with a mirage message naming the key, while the daemon and other workspaces
// go on; afterwards the workspace's cgroup holds no process. Skipped (with the reason) where the
// sandbox or cgroups are not usable (not root, no bwrap, no pids/memory controller).
import { spawn, spawnSync } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimSandboxRoot, sandboxRootFor } from '@mirage-ts/workspace-core';
import { probeCgroups, probeSandbox } from '../libs/workspace-core/src/engines/sandbox/index.js';
import { ensureBuilt, REPO_ROOT } from './support/build.js';
import { rawRequest, startTestDaemon, type TestDaemon } from './support/daemon.js';

const sandbox = await probeSandbox();
const probeGroup = `mirage-limits-probe-${process.pid}`;
const cgroups = sandbox.available ? probeCgroups(probeGroup) : undefined;
if (cgroups?.usable === true)
  for (const dir of new Set([cgroups.base.pids, cgroups.base.memory, cgroups.base.freezer])) if (dir !== undefined) rmdirSync(dir);
const skipReason = !sandbox.available
  ? `sandbox unavailable: ${sandbox.reason ?? ''}`
  : cgroups?.usable !== true
    ? `cgroups unusable: ${cgroups?.usable === false ? cgroups.reason : ''}`
    : undefined;
if (skipReason !== undefined) console.warn(`test/sandbox-limits.e2e-spec.ts skipped: ${skipReason}`);
const describeLimits = skipReason === undefined ? describe : describe.skip;

interface Io {
  exit_code: number;
  stdout: string;
  stderr: string;
}

/** Every cgroup directory of workspace `id` under /sys/fs/cgroup (one per hierarchy on v1). */
function cgroupDirs(id: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 6) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const path = join(dir, entry.name);
      if (entry.name.startsWith(`${id}@`))
        found.push(path); // `<id>@<daemon pid>`
      else walk(path, depth + 1);
    }
  };
  walk('/sys/fs/cgroup', 0);
  return found;
}

/** The pids that are not a warm sandbox (`bwrap --args 7 -- /bin/bash ...` still reading its options). */
function strays(pids: number[]): string[] {
  return pids
    .map((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, 4).join(' ');
      } catch {
        return undefined; // gone meanwhile
      }
    })
    .filter((cmdline): cmdline is string => cmdline !== undefined && !/^\S*bwrap --args 7 --$/.test(cmdline));
}

const cgroupPids = (dirs: string[]): number[] =>
  dirs.flatMap((dir) => readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number));

describeLimits('sandbox limits over HTTP', () => {
  let d: TestDaemon;
  const suffix = String(process.pid);
  const run = async (ws: string, command: string, extra: Record<string, unknown> = {}): Promise<Io> => {
    const answer = await d.call('POST', `/v1/workspaces/${ws}/execute`, { body: { command, ...extra } });
    if (answer.status !== 200) throw new Error(`execute answered ${answer.status}: ${answer.text}`);
    return answer.json as Io;
  };
  const create = async (name: string, limits: Record<string, unknown>): Promise<string> => {
    const id = `${name}-${suffix}`;
    const answer = await d.call('POST', '/v1/workspaces', {
      body: { id, config: { engine: 'sandbox', mounts: { '/': { resource: 'ram' } }, limits } },
    });
    if (answer.status !== 201) throw new Error(`create answered ${answer.status}: ${answer.text}`);
    return id;
  };
  /**
   * After a call: the workspace's cgroup exists in each hierarchy and holds no process of the call,
   * only (at most) the daemon's next sandbox waiting for its arguments (engines/sandbox/warm.ts).
   */
  const expectEmptyCgroup = async (id: string): Promise<void> => {
    const dirs = cgroupDirs(id);
    expect(dirs.length).toBeGreaterThan(0);
    // The sandbox's init may still be finishing its exit (tearing down its mount namespace, its
    // parent bwrap already gone): a few ms, so allow up to 2 s for the cgroup to settle.
    for (let wait = 0; wait < 100 && strays(cgroupPids(dirs)).length > 0; wait += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(strays(cgroupPids(dirs))).toEqual([]);
    expect(new Set(cgroupPids(dirs)).size).toBeLessThanOrEqual(1);
  };
  const remove = async (id: string): Promise<void> => {
    expect((await d.call('DELETE', `/v1/workspaces/${id}`)).status).toBe(200);
    expect(cgroupDirs(id)).toEqual([]);
  };

  beforeAll(async () => {
    d = await startTestDaemon();
  });
  afterAll(() => d.close());

  it('health and workspace get carry no limits note where everything is enforced', async () => {
    const health = await d.call('GET', '/v1/health');
    expect(health.json.engines).toContainEqual({ name: 'sandbox', available: true });
    const id = await create('lim-notes', { max_processes: 8 });
    const got = await d.call('GET', `/v1/workspaces/${id}`);
    expect(got.json.engine).toBe('sandbox');
    expect(got.json.limits_notes).toBeUndefined();
    const dirs = cgroupDirs(id);
    // One more than asked: the daemon's next sandbox, waiting in the cgroup, is not the user's.
    expect(readFileSync(join(dirs.find((dir) => existsSync(join(dir, 'pids.max'))) as string, 'pids.max'), 'utf8').trim()).toBe('9');
    await remove(id);
  });

  it('a process flood under max_processes fails its own command; the daemon and another workspace answer meanwhile', async () => {
    const flood = await create('lim-flood', { max_processes: 30, timeout_s: 8 });
    const calm = await create('lim-calm', {});
    const started = Date.now();
    const flooding = run(flood, 'for i in $(seq 200); do sleep 5 & done; wait');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const during = Date.now();
    const health = await d.call('GET', '/v1/health');
    expect(health.status).toBe(200);
    expect(await run(calm, 'echo calm')).toMatchObject({ exit_code: 0, stdout: 'calm\n' });
    const meanwhileMs = Date.now() - during;
    const io = await flooding;
    const floodMs = Date.now() - started;
    console.log(`flood: ${floodMs} ms to fail (exit ${io.exit_code}); health + echo in another workspace meanwhile: ${meanwhileMs} ms`);
    expect(io.exit_code).not.toBe(0);
    expect(io.stderr).toContain('mirage: process limit reached (limits.max_processes 30)');
    expect(floodMs).toBeLessThan(15_000);
    await expectEmptyCgroup(flood);
    // The workspace itself still works after its flood.
    expect(await run(flood, 'echo after')).toMatchObject({ exit_code: 0, stdout: 'after\n' });
    await remove(flood);
    await remove(calm);
  }, 30_000);

  it('a memory hog under max_memory_bytes is killed; the next call works', async () => {
    const id = await create('lim-mem', { max_memory_bytes: 64 * 1024 * 1024 });
    const io = await run(id, "python3 -c 'b=bytearray(400*2**20)'");
    expect(io.exit_code).not.toBe(0);
    expect(io.stderr).toContain('mirage: memory limit reached (limits.max_memory_bytes 67108864)');
    await expectEmptyCgroup(id);
    expect(await run(id, "python3 -c 'b=bytearray(8*2**20); print(len(b))'")).toMatchObject({ exit_code: 0, stdout: '8388608\n' });
    await remove(id);
  }, 30_000);

  it('max_bytes is a real tmpfs: dd past it is ENOSPC exit 1, and the file system is usable after rm', async () => {
    const id = await create('lim-bytes', { max_bytes: 10 * 1024 * 1024 });
    const io = await run(id, 'dd if=/dev/zero of=/big bs=1M count=100');
    expect(io.exit_code).toBe(1);
    expect(io.stderr).toContain('No space left on device');
    const after = await run(id, 'rm /big && echo fine > /f && cat /f && df -k / | tail -1');
    expect(after.exit_code).toBe(0);
    expect(after.stdout.split('\n')[0]).toBe('fine');
    expect(Number(after.stdout.split('\n')[1].trim().split(/\s+/)[1])).toBe(10240);
    await expectEmptyCgroup(id);
    await remove(id);
  }, 30_000);

  it('cpu_seconds ends a busy loop (bash itself, or a child) with a message naming the key', async () => {
    const id = await create('lim-cpu', { cpu_seconds: 1, timeout_s: 20 });
    const started = Date.now();
    const shell = await run(id, 'while :; do :; done');
    const child = await run(id, "python3 -c 'while True: pass'");
    const elapsed = Date.now() - started;
    console.log(`cpu_seconds 1: two busy loops ended in ${elapsed} ms`);
    for (const io of [shell, child]) {
      expect(io.exit_code).toBe(152);
      expect(io.stderr).toContain('mirage: CPU time limit reached (limits.cpu_seconds 1)');
    }
    expect(elapsed).toBeLessThan(15_000);
    await expectEmptyCgroup(id);
    expect(await run(id, 'echo still')).toMatchObject({ exit_code: 0, stdout: 'still\n' });
    await remove(id);
  }, 40_000);

  it('a limits default of the workspace (timeout_s) applies to calls that name none', async () => {
    const id = await create('lim-timeout', { timeout_s: 1 });
    const io = await run(id, 'sleep 30');
    expect(io.exit_code).toBe(124);
    expect(io.stderr).toContain('mirage: timed out after 1 s (limits.timeout_s)');
    await expectEmptyCgroup(id);
    await remove(id);
  }, 20_000);

  it('the largest values the config accepts still make a working workspace', async () => {
    const id = await create('lim-huge', {
      max_processes: 10_000_000,
      max_memory_bytes: Number.MAX_SAFE_INTEGER,
      max_bytes: 2 ** 50,
      timeout_s: 1e12,
      cpu_seconds: 1e12,
    });
    expect(await run(id, 'echo big')).toMatchObject({ exit_code: 0, stdout: 'big\n' });
    const pidsDir = cgroupDirs(id).find((dir) => existsSync(join(dir, 'pids.max'))) as string;
    expect(readFileSync(join(pidsDir, 'pids.max'), 'utf8').trim()).toBe('max');
    await remove(id);
  });

  it('bad limits are a 400 naming the key; nothing is created', async () => {
    const answer = await d.call('POST', '/v1/workspaces', {
      body: { id: `lim-bad-${suffix}`, config: { engine: 'sandbox', mounts: { '/': { resource: 'ram' } }, limits: { max_processes: 0 } } },
    });
    expect(answer.status).toBe(400);
    expect(answer.json.detail).toBe('limits.max_processes must be a whole number > 0, got 0');
    expect(cgroupDirs(`lim-bad-${suffix}`)).toEqual([]);
  });

  it('a daemon restart finds a crashed run’s tmpfs still mounted and clears it before rebuilding', () => {
    const key = `/tmp/mirage-limits-crash-${suffix}`;
    const stale = join(sandboxRootFor(key), 'ws', 'mounts');
    mkdirSync(stale, { recursive: true });
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'mirage-ram', stale]).status).toBe(0);
    writeFileSync(join(stale, 'left.txt'), 'from the crashed run\n');
    const root = claimSandboxRoot(key);
    // Emptied, and made again at once as a private directory of this daemon.
    expect(readdirSync(root)).toEqual([]);
    expect(statSync(root).mode & 0o777).toBe(0o700);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(stale);
    rmSync(root, { recursive: true, force: true });
  });
});

/** The uid/gid the unprivileged daemon runs as (`nobody` on Debian). */
const NOBODY = 65534;

interface DaemonProcess {
  url: string;
  auth: Record<string, string>;
  child: ReturnType<typeof spawn>;
  stop(signal: NodeJS.Signals): Promise<void>;
}

/** apps/daemon/bin/daemon.js as a real child process on 127.0.0.1 (as `nobody` when asked). */
async function startDaemonProcess(home: string, asNobody = false): Promise<DaemonProcess> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', MIRAGE_HOME: home, MIRAGE_DAEMON_PORT: '0' };
  const bin = [process.execPath, join(REPO_ROOT, 'apps', 'daemon', 'bin', 'daemon.js')];
  const child = asNobody
    ? spawn('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', ...bin], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(bin[0], bin.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const match = /listening on (http:\/\/[^\s"]+)/.exec(stdout);
      if (match) resolve(match[1]);
    });
    child.once('exit', () => reject(new Error(`daemon exited before listening: ${stderr}`)));
  });
  const auth = { authorization: `Bearer ${readFileSync(join(home, 'auth_token'), 'utf8').trim()}`, 'content-type': 'application/json' };
  return {
    url,
    auth,
    child,
    stop: async (signal) => {
      child.kill(signal);
      await exited;
    },
  };
}

describeLimits('sandbox limits with a daemon process', () => {
  beforeAll(
    () =>
      ensureBuilt(
        ['libs/protocol', 'libs/workspace-core', 'apps/daemon'],
        ['apps/daemon/dist/main.js', 'libs/workspace-core/dist/index.js'],
      ),
    120_000,
  );

  it('as nobody: health and workspace get say which limits are not enforced, never silently; cpu_seconds still is', async () => {
    const home = mkdtempSync(join(tmpdir(), 'mirage-limits-nobody-'));
    chownSync(home, NOBODY, NOBODY);
    const daemon = await startDaemonProcess(home, true);
    try {
      const { url, auth } = daemon;
      const health = await rawRequest(url, 'GET', '/v1/health', auth);
      const entry = (health.json.engines as { name: string; available: boolean; notes?: string[] }[]).find(
        (engine) => engine.name === 'sandbox',
      );
      const expected = [
        'limits.max_processes not enforced: the daemon is not root (cgroups need root here)',
        'limits.max_memory_bytes not enforced: the daemon is not root (cgroups need root here)',
        'limits.max_bytes not enforced by the kernel: the daemon is not root (a per-workspace tmpfs needs root); ram mounts are a /dev/shm directory without a per-workspace quota',
      ];
      expect(entry).toEqual({ name: 'sandbox', available: true, notes: expected });
      const config = { engine: 'sandbox', mounts: { '/': { resource: 'ram' } }, limits: { cpu_seconds: 1, timeout_s: 20 } };
      expect((await rawRequest(url, 'POST', '/v1/workspaces', auth, JSON.stringify({ id: 'w', config }))).status).toBe(201);
      expect((await rawRequest(url, 'GET', '/v1/workspaces/w', auth)).json.limits_notes).toEqual(expected);
      const io = (
        await rawRequest(url, 'POST', '/v1/workspaces/w/execute', auth, JSON.stringify({ command: 'id -u; while :; do :; done' }))
      ).json;
      expect(io).toMatchObject({ exit_code: 152, stdout: `${NOBODY}\n` }); // the sandbox runs as the daemon's uid
      expect(io.stderr).toContain('mirage: CPU time limit reached (limits.cpu_seconds 1)');
    } finally {
      await daemon.stop('SIGTERM');
      rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);

  it('after a crash (SIGKILL) the restarted daemon clears the old tmpfs and cgroup, and the restored workspace has its quota again', async () => {
    const home = mkdtempSync(join(tmpdir(), 'mirage-limits-crash-'));
    const id = `lim-crash-${process.pid}`;
    let daemon = await startDaemonProcess(home);
    try {
      const exec = async (command: string): Promise<Io> =>
        (await rawRequest(daemon.url, 'POST', `/v1/workspaces/${id}/execute`, daemon.auth, JSON.stringify({ command }))).json as Io;
      const config = {
        engine: 'sandbox',
        mounts: { '/': { resource: 'ram' } },
        limits: { max_bytes: 10 * 1024 * 1024, max_processes: 20 },
      };
      expect((await rawRequest(daemon.url, 'POST', '/v1/workspaces', daemon.auth, JSON.stringify({ id, config }))).status).toBe(201);
      expect((await exec('echo kept > /kept.txt')).exit_code).toBe(0);
      expect(
        (
          await rawRequest(
            daemon.url,
            'POST',
            `/v1/workspaces/${id}/commit`,
            daemon.auth,
            JSON.stringify({ message: 'before the crash', branch: 'main' }),
          )
        ).status,
      ).toBe(200);
      const tmpfsBefore = mountPointsNamed(id);
      expect(tmpfsBefore).toHaveLength(1);
      await daemon.stop('SIGKILL');
      // What the crashed run left: its tmpfs (with the file) and its cgroup directories.
      expect(mountPointsNamed(id)).toEqual(tmpfsBefore);
      expect(cgroupDirs(id).length).toBeGreaterThan(0);

      daemon = await startDaemonProcess(home);
      expect(mountPointsNamed(id)).toEqual(tmpfsBefore); // one tmpfs again, not two stacked
      expect(await exec("cat /kept.txt; df -k / | tail -1 | awk '{print $2}'")).toMatchObject({ exit_code: 0, stdout: 'kept\n10240\n' });
      const full = await exec('dd if=/dev/zero of=/big bs=1M count=100');
      expect(full.exit_code).toBe(1);
      expect(full.stderr).toContain('No space left on device');
      for (let wait = 0; wait < 100 && strays(cgroupPids(cgroupDirs(id))).length > 0; wait += 1)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(strays(cgroupPids(cgroupDirs(id)))).toEqual([]);
      expect((await rawRequest(daemon.url, 'DELETE', `/v1/workspaces/${id}`, daemon.auth)).status).toBe(200);
      expect(mountPointsNamed(id)).toEqual([]);
      expect(cgroupDirs(id)).toEqual([]);
    } finally {
      await daemon.stop('SIGTERM');
      rmSync(home, { recursive: true, force: true });
    }
  }, 90_000);
});

/** Mount points of this process's namespace that lie under a directory named `id`. */
function mountPointsNamed(id: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined && point.includes(`/${id}/`));
}
