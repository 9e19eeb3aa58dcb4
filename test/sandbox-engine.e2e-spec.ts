// The sandbox engine (docs/engines.md) against a real daemon on 127.0.0.1: real bash in
// bubblewrap over ram directories and disk binds, what carries between calls, snapshots and
// versions of what bash wrote, and the escapes it must refuse. A few behaviours run on both
// engines. The "done when" line runs through the real CLI.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSnapshotStream, readSnapshot, type LiveTreeEntry } from '@mirage-ts/workspace-core';
import { makeSandbox, freePort, runCli, stopDaemon } from './support/cli.js';
import { rawRequest, startTestDaemon, type HttpAnswer, type TestDaemon } from './support/daemon.js';

const scratch = mkdtempSync(join(tmpdir(), 'mirage-sandbox-e2e-'));
const hostDir = (name: string): string => {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  return dir;
};
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Io {
  exit_code: number;
  stdout: string;
  stderr: string;
  truncated?: boolean;
}

async function download(d: TestDaemon, id: string): Promise<Buffer> {
  const answer = await new Promise<Buffer>((resolve, reject) => {
    import('node:http').then(({ request }) => {
      const target = new URL(`${d.url}/v1/workspaces/${id}/snapshot`);
      const req = request(
        { host: target.hostname, port: target.port, path: target.pathname, headers: { authorization: `Bearer ${d.token}` } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`snapshot answered ${res.statusCode}`)),
          );
        },
      );
      req.on('error', reject);
      req.end();
    }, reject);
  });
  return answer;
}

function upload(d: TestDaemon, tar: Buffer, request: object): Promise<HttpAnswer> {
  const boundary = `mirage-sbx-${Date.now()}`;
  const part = (name: string, data: Buffer, type: string) =>
    Buffer.concat([
      Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${name}"; filename="${name}"\r\ncontent-type: ${type}\r\n\r\n`),
      data,
      Buffer.from('\r\n'),
    ]);
  const body = Buffer.concat([
    part('request', Buffer.from(JSON.stringify(request)), 'application/json'),
    part('snapshot', tar, 'application/x-tar'),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
  return rawRequest(
    d.url,
    'POST',
    '/v1/workspaces/load',
    { 'content-type': `multipart/form-data; boundary=${boundary}`, authorization: `Bearer ${d.token}` },
    body,
  );
}

/** Host processes whose command line is exactly `argv` (to find a sandbox's leftovers). */
function hostProcesses(argv: string[]): number[] {
  const wanted = `${argv.join('\0')}\0`;
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8') === wanted) found.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

describe('sandbox engine over HTTP', () => {
  let d: TestDaemon;
  const exec = async (ws: string, body: Record<string, unknown>): Promise<Io> => {
    const answer = await d.call('POST', `/v1/workspaces/${ws}/execute`, { body });
    if (answer.status !== 200) throw new Error(`execute answered ${answer.status}: ${answer.text}`);
    return answer.json as Io;
  };
  const run = (ws: string, command: string, extra: Record<string, unknown> = {}) => exec(ws, { command, ...extra });
  const create = (id: string, config: object) => d.call('POST', '/v1/workspaces', { body: { id, config } });

  beforeAll(async () => {
    d = await startTestDaemon();
  });
  afterAll(() => d.close());

  describe('selection', () => {
    it('health lists the engines; auto resolves to the sandbox here', async () => {
      const health = await d.call('GET', '/v1/health');
      expect(health.json.engines).toEqual([
        { name: 'builtin', available: true },
        { name: 'sandbox', available: true },
      ]);
      expect(health.json.default_engine).toBe('sandbox');
    });

    it('a config without engine gets the sandbox; get shows the engine; builtin can be pinned', async () => {
      expect((await create('sel-auto', { mounts: { '/': { resource: 'ram' } } })).json.engine).toBe('sandbox');
      expect((await d.call('GET', '/v1/workspaces/sel-auto')).json).toMatchObject({ id: 'sel-auto', engine: 'sandbox' });
      expect((await run('sel-auto', 'echo $BASH_VERSION')).stdout).toMatch(/^5\./);
      const pinned = await create('sel-builtin', { engine: 'builtin', mounts: { '/': { resource: 'ram' } } });
      expect(pinned.json.engine).toBe('builtin');
      expect((await run('sel-builtin', 'python3 -c "print(1)"')).exit_code).not.toBe(0); // no host programs there
      await d.call('DELETE', '/v1/workspaces/sel-auto');
      await d.call('DELETE', '/v1/workspaces/sel-builtin');
    });

    it('an unknown engine is a 400 listing the choices; nothing is created', async () => {
      const answer = await create('sel-bad', { engine: 'docker', mounts: { '/': { resource: 'ram' } } });
      expect(answer.status).toBe(400);
      expect(answer.json.detail).toBe('invalid engine: docker (expected one of auto, builtin, sandbox)');
      expect((await d.call('GET', '/v1/workspaces/sel-bad')).status).toBe(404);
    });

    it('s3 mounts: auto falls back to builtin and says why; an explicit sandbox is refused', async () => {
      const s3 = {
        resource: 's3',
        config: {
          bucket: 'bkt',
          region: 'us-east-1',
          endpoint_url: 'http://127.0.0.1:9',
          force_path_style: true,
          aws_access_key_id: 'k',
          aws_secret_access_key: 's',
        },
      };
      const auto = await create('sel-s3', { mounts: { '/': { resource: 'ram' }, '/s3': s3 } });
      expect(auto.status).toBe(201);
      expect(auto.json).toMatchObject({
        engine: 'builtin',
        engine_reason: 'auto: the sandbox engine does not serve s3 mounts yet (mount /s3)',
      });
      const refused = await create('sel-s3x', { engine: 'sandbox', mounts: { '/': { resource: 'ram' }, '/s3': s3 } });
      expect(refused.status).toBe(400);
      expect(refused.json.detail).toBe('engine sandbox refused: the sandbox engine does not serve s3 mounts yet (mount /s3)');
      await d.call('DELETE', '/v1/workspaces/sel-s3');
    });
  });

  describe('ram and disk mounts', () => {
    let disk: string;
    let readOnly: string;
    beforeAll(async () => {
      disk = hostDir('disk');
      readOnly = hostDir('ro');
      writeFileSync(join(disk, 'host.txt'), 'from the host\n');
      writeFileSync(join(readOnly, 'keep.txt'), 'keep\n');
      const config = {
        engine: 'sandbox',
        mounts: {
          '/': { resource: 'ram', mode: 'write' },
          '/d': { resource: 'disk', mode: 'write', config: { root: disk } },
          '/ro': { resource: 'disk', mode: 'read', config: { root: readOnly } },
        },
      };
      expect((await create('rd', config)).status).toBe(201);
    });
    afterAll(async () => {
      await d.call('DELETE', '/v1/workspaces/rd');
    });

    it('files bash writes are in the snapshot (and no sandbox mount point is); host files are seen by bash', async () => {
      const wrote = await run(
        'rd',
        'mkdir -p /src && printf "a\\n" > /src/a.txt && echo b > /d/b.txt && cat /d/host.txt && chmod 755 /src/a.txt',
      );
      expect(wrote).toMatchObject({ exit_code: 0, stdout: 'from the host\n' });
      expect(readFileSync(join(disk, 'b.txt'), 'utf8')).toBe('b\n');
      const snapshot = await readSnapshot(await download(d, 'rd'));
      const paths = snapshot.files.map((file) => file.path).sort();
      expect(paths).toEqual(['d/b.txt', 'd/host.txt', 'ro/keep.txt', 'src', 'src/a.txt']);
      const a = snapshot.files.find((file) => file.path === 'src/a.txt');
      expect(Buffer.from(a?.data ?? []).toString()).toBe('a\n');
      expect((a?.mode ?? 0) & 0o777).toBe(0o755);
    });

    it('a loaded snapshot is what bash reads; commit and checkout move what bash sees', async () => {
      const file = (path: string, text: string): LiveTreeEntry => ({
        path,
        kind: 'file',
        mode: 0o644,
        size: Buffer.byteLength(text),
        mtimeMs: 1_700_000_000_000,
        read: async () => Buffer.from(text),
      });
      const chunks: Buffer[] = [];
      const config = { engine: 'sandbox', mounts: { '/': { resource: 'ram', mode: 'write' } } };
      for await (const chunk of createSnapshotStream({
        id: 'fixture',
        config: config as never,
        sessions: [{ session_id: 'default', cwd: '/notes', env: { GREETING: 'héllo' } }],
        entries: [file('notes/n.txt', 'loaded\n')],
      })) {
        chunks.push(chunk as Buffer);
      }
      const loaded = await upload(d, Buffer.concat(chunks), { id: 'rd-load' });
      expect(loaded.status).toBe(201);
      expect(loaded.json.engine).toBe('sandbox');
      expect(await run('rd-load', 'pwd; cat n.txt; echo "$GREETING"')).toMatchObject({ exit_code: 0, stdout: '/notes\nloaded\nhéllo\n' });

      const v1 = await d.call('POST', '/v1/workspaces/rd-load/commit', { body: { message: 'v1' } });
      expect(v1.status).toBe(200);
      await run('rd-load', 'echo changed > /notes/n.txt; echo new > /notes/extra.txt');
      expect((await d.call('POST', '/v1/workspaces/rd-load/checkout', { body: { ref: v1.json.version } })).status).toBe(200);
      expect(await run('rd-load', 'cat /notes/n.txt; ls /notes')).toMatchObject({ exit_code: 0, stdout: 'loaded\nn.txt\n' });
      await d.call('DELETE', '/v1/workspaces/rd-load');
    });

    it('a read mount refuses writes like bash does; a session ceiling holds for that session only', async () => {
      const refused = await run('rd', 'echo x > /ro/new.txt');
      expect(refused.exit_code).toBe(1);
      expect(refused.stderr).toContain('Read-only file system');
      expect(existsSync(join(readOnly, 'new.txt'))).toBe(false);
      expect(await run('rd', 'cat /ro/keep.txt')).toMatchObject({ exit_code: 0, stdout: 'keep\n' });

      expect(
        (await d.call('POST', '/v1/workspaces/rd/sessions', { body: { session_id: 'reader', mounts: { '/d': 'read' } } })).status,
      ).toBe(201);
      const capped = await run('rd', 'touch /d/capped.txt', { session_id: 'reader' });
      expect(capped.exit_code).toBe(1);
      expect(capped.stderr).toContain('Read-only file system');
      expect(existsSync(join(disk, 'capped.txt'))).toBe(false);
      expect((await run('rd', 'touch /d/free.txt')).exit_code).toBe(0);
      expect(existsSync(join(disk, 'free.txt'))).toBe(true);
    });

    it('cwd, variables, functions, aliases and options carry over; exit N; stdin bytes; non-UTF-8 output', async () => {
      await d.call('POST', '/v1/workspaces/rd/sessions', { body: { session_id: 'term' } });
      const term = { session_id: 'term' };
      await run(
        'rd',
        'mkdir -p /w && cd /w && export E=1; plain=2; arr=(x y); greet() { echo "hi $1"; }; alias ll="echo aliased"; set -o pipefail',
        term,
      );
      const carried = await run('rd', 'pwd; echo $E $plain ${arr[1]}; greet you; ll; false | true; echo $?', term);
      expect(carried).toMatchObject({ exit_code: 0, stdout: '/w\n1 2 y\nhi you\naliased\n1\n' });
      expect((await d.call('GET', '/v1/workspaces/rd/sessions/term')).json).toEqual({ session_id: 'term', cwd: '/w' });

      expect(await run('rd', 'echo before; exit 3; echo after', term)).toMatchObject({ exit_code: 3, stdout: 'before\n' });
      expect((await run('rd', 'cd /; (exit 4); echo sub $?; trap "echo bye" EXIT; echo end', term)).stdout).toBe('sub 4\nend\nbye\n');
      expect((await run('rd', 'pwd', term)).stdout).toBe('/\n'); // the cd before the EXIT trap carried

      const bytes = Buffer.from([0, 1, 2, 0xff, 0xfe, 10]);
      const stdin = await run('rd', 'od -An -tx1 /dev/stdin | tr -s " "', { ...term, stdin_base64: bytes.toString('base64') });
      expect(stdin.stdout).toBe(' 00 01 02 ff fe 0a\n');
      const binary = await run('rd', 'printf "ok\\xff\\n"', term);
      expect(binary.stdout).toBe('ok\uFFFD\n');
    });

    it('a line with a background job answers at once; canceling a job kills its whole tree fast', async () => {
      const started = Date.now();
      expect(await run('rd', 'sleep 313 & echo hi')).toMatchObject({ exit_code: 0, stdout: 'hi\n' });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(hostProcesses(['sleep', '313'])).toEqual([]);

      const job = await d.call('POST', '/v1/workspaces/rd/execute?background=true', {
        body: { command: 'sleep 314 & sleep 315 & bash -c "sleep 316"; wait' },
      });
      expect(job.status).toBe(202);
      const seen = Date.now();
      while (hostProcesses(['sleep', '316']).length === 0 && Date.now() - seen < 5000)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(hostProcesses(['sleep', '316']).length).toBe(1);
      const cancelAt = Date.now();
      expect((await d.call('DELETE', `/v1/jobs/${job.json.job_id}`)).json).toEqual({ job_id: job.json.job_id, canceled: true });
      while ([314, 315, 316].some((n) => hostProcesses(['sleep', String(n)]).length > 0) && Date.now() - cancelAt < 5000)
        await new Promise((resolve) => setTimeout(resolve, 5));
      const killedMs = Date.now() - cancelAt;
      expect([314, 315, 316].flatMap((n) => hostProcesses(['sleep', String(n)]))).toEqual([]);
      console.log(`cancel of a background job: its process tree gone after ${killedMs} ms`);
      expect(killedMs).toBeLessThan(1000); // target < 100 ms; the bound leaves room for a loaded CI box
      expect((await d.call('POST', `/v1/jobs/${job.json.job_id}/wait`, { body: { timeout_s: 5 } })).json.status).toBe('canceled');
    });

    it('symlinks bash makes to host paths are kept as links: snapshots and commits never follow them', async () => {
      await run('rd', 'mkdir -p /links && ln -s /etc/shadow /links/shadow && ln -s ../../../.. /links/up && ln -s /usr/bin /links/bin');
      const snapshot = await readSnapshot(await download(d, 'rd'));
      const links = snapshot.files.filter((file) => file.path.startsWith('links/'));
      expect(links.map((file) => [file.path, file.kind, file.target])).toEqual([
        ['links/bin', 'symlink', '/usr/bin'],
        ['links/shadow', 'symlink', '/etc/shadow'],
        ['links/up', 'symlink', '../../../..'],
      ]);
      // A link to `/` itself: the listing and a commit keep it a link (nothing below it is walked).
      await run('rd', 'ln -s / /links/root');
      const tar = await download(d, 'rd');
      const shadowLine = readFileSync('/etc/shadow', 'utf8').split('\n')[0];
      expect(tar.includes(Buffer.from(shadowLine))).toBe(false);
      expect(tar.includes(Buffer.from('links/root/usr'))).toBe(false);
      const commit = await d.call('POST', '/v1/workspaces/rd/commit', { body: { message: 'links' } });
      expect(commit.status).toBe(200);
      const diff = await d.call('GET', `/v1/workspaces/rd/diff?from=${commit.json.version}`);
      expect(JSON.stringify(diff.json ?? '')).not.toContain('links/root/');
      let found = '';
      try {
        found = execFileSync('grep', ['-rlF', shadowLine, join(d.home, 'repos')], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        });
      } catch {
        found = ''; // grep exits 1 when nothing matches
      }
      expect(found).toBe('');
      await run('rd', 'rm -rf /links');
    });
  });

  describe('escapes', () => {
    let disk: string;
    let secret: string;
    beforeAll(async () => {
      disk = hostDir('jail/inside');
      secret = join(scratch, 'jail', 'secret.txt');
      writeFileSync(secret, 'host secret\n');
      symlinkSync(secret, join(disk, 'to-secret'));
      expect(
        (
          await create('esc', {
            engine: 'sandbox',
            mounts: { '/': { resource: 'ram' }, '/d': { resource: 'disk', config: { root: disk } } },
          })
        ).status,
      ).toBe(201);
    });
    afterAll(async () => {
      await d.call('DELETE', '/v1/workspaces/esc');
    });

    it('cannot read the daemon token, /root or another workspace; cannot write /usr', async () => {
      expect(await run('esc', `cat ${join(d.home, 'auth_token')}`)).toMatchObject({ exit_code: 1, stdout: '' });
      expect((await run('esc', 'ls /root')).exit_code).not.toBe(0);
      expect((await run('esc', 'ls /dev/shm /run 2>&1; ls / | tr "\\n" " "')).stdout).not.toMatch(/mirage-/);
      const usr = await run('esc', 'touch /usr/pwned');
      expect(usr.exit_code).toBe(1);
      expect(usr.stderr).toContain('Read-only file system');
      expect(existsSync('/usr/pwned')).toBe(false);
    });

    it('cannot reach the daemon port, sees only its own processes, has no capabilities, inherits no daemon env', async () => {
      const port = await run('esc', `echo > /dev/tcp/127.0.0.1/${d.port} && echo reached`);
      expect(port.exit_code).not.toBe(0);
      expect(port.stdout).not.toContain('reached');
      const procs = await run('esc', 'ls /proc | grep -E "^[0-9]+$" | wc -l; ps -e -o comm= 2>/dev/null | sort -u | tr "\\n" " "');
      const [count] = procs.stdout.split('\n');
      expect(Number(count)).toBeLessThan(10);
      expect(procs.stdout).not.toContain('node');
      expect((await run('esc', 'grep CapEff /proc/self/status')).stdout).toBe('CapEff:\t0000000000000000\n');
      const env = await run('esc', 'env | cut -d= -f1 | sort | tr "\\n" " "');
      expect(env.stdout).not.toMatch(/\b(MIRAGE_|AWS_)/);
      expect(env.stdout).toContain('HOME');
    });

    it('a loader variable an agent exports never reaches a host process (the launcher starts with an empty env)', async () => {
      // The host path of the session's /tmp, as the kernel tells it: only a host process could open it.
      const set = await run(
        'esc',
        `printf 'not an elf' > /tmp/x.so; r=$(awk '$5=="/tmp"{print $4}' /proc/self/mountinfo); export LD_PRELOAD=/dev/shm$r/x.so; echo $LD_PRELOAD`,
      );
      const hostPath = set.stdout.trim();
      expect(existsSync(hostPath)).toBe(true);
      // With stdin the call starts a fresh launcher and bwrap (no warm sandbox): the case that leaked.
      const next = await run('esc', 'cat >/dev/null; echo done', { stdin_base64: Buffer.from('x').toString('base64') });
      expect(next.stdout).toBe('done\n');
      expect(next.stderr).not.toContain('file too short');
      await run('esc', 'unset LD_PRELOAD');
    });

    it('a FIFO or socket an agent makes is left out of snapshots and commits instead of blocking them', async () => {
      expect(
        (await run('esc', 'mkfifo /pipe && python3 -c "import socket; s=socket.socket(socket.AF_UNIX); s.bind(\'/sock\')" && echo made'))
          .stdout,
      ).toBe('made\n');
      const tar = await download(d, 'esc');
      const names = (await readSnapshot(tar)).files.map((file) => file.path);
      expect(names).not.toContain('pipe');
      expect(names).not.toContain('sock');
      const commit = await d.call('POST', '/v1/workspaces/esc/commit', { body: { message: 'with a fifo' } });
      expect(commit.status).toBe(200);
      await run('esc', 'rm -f /pipe /sock');
    }, 20_000);

    it('`..` and symlinks cannot leave a disk mount', async () => {
      expect(await run('esc', 'cat /d/../secret.txt')).toMatchObject({ exit_code: 1, stdout: '' });
      expect(await run('esc', 'cat /d/to-secret')).toMatchObject({ exit_code: 1, stdout: '' });
      expect(await run('esc', `cat ${secret}`)).toMatchObject({ exit_code: 1, stdout: '' });
    });
  });

  describe.each(['builtin', 'sandbox'])('behaviour shared by both engines (%s)', (engine) => {
    const id = `both-${engine}`;
    beforeAll(async () => {
      expect(
        (await create(id, { engine, mounts: { '/': { resource: 'ram', mode: 'write' }, '/ro': { resource: 'ram', mode: 'read' } } })).json
          .engine,
      ).toBe(engine);
    });
    afterAll(async () => {
      await d.call('DELETE', `/v1/workspaces/${id}`);
    });

    it('cwd and env carry; per-call cwd/env do not; exit codes; stdin; read-only refusal', async () => {
      await run(id, 'mkdir -p /p/q && cd /p && export K=v');
      expect((await run(id, 'pwd; echo $K')).stdout).toBe('/p\nv\n');
      expect((await run(id, 'pwd; echo $K; cd /', { cwd: 'q', env: { K: 'call' } })).stdout).toBe('/p/q\ncall\n');
      expect((await run(id, 'pwd')).stdout).toBe('/p\n');
      expect(await run(id, 'pwd', { cwd: '/nope' })).toMatchObject({
        exit_code: 1,
        stderr: 'bash: cd: /nope: No such file or directory\n',
      });
      expect((await run(id, 'exit 7')).exit_code).toBe(7);
      expect((await run(id, 'wc -c', { stdin_base64: Buffer.from('12345').toString('base64') })).stdout.trim()).toBe('5');
      const refused = await run(id, 'echo x > /ro/f');
      expect(refused.exit_code).toBe(1);
      expect(refused.stderr).toMatch(/read-only/i);
    });
  });
});

describe('the issue’s done-when line through the CLI', () => {
  it('mirage execute runs python3, git and an EXIT trap in the sandbox', async () => {
    const port = await freePort();
    const box = makeSandbox({
      MIRAGE_DAEMON_URL: `http://127.0.0.1:${port}`,
      MIRAGE_DAEMON_PORT: String(port),
      MIRAGE_IDLE_GRACE_SECONDS: '600',
    });
    try {
      const config = join(box.root, 'ws.yaml');
      writeFileSync(config, 'engine: sandbox\nmounts:\n  /:\n    resource: ram\n    mode: write\n');
      const created = await runCli(['workspace', 'create', config, '--id', 'W'], { env: box.env });
      expect(created.code).toBe(0);
      const run = await runCli(['execute', '-w', 'W', '-c', 'python3 -c "print(6*7)"; git init -q r && echo ok; trap "echo bye" EXIT'], {
        env: box.env,
      });
      expect(run.code).toBe(0);
      expect(run.json).toMatchObject({ exit_code: 0, stdout: '42\nok\nbye\n' });
      const get = await runCli(['workspace', 'get', 'W'], { env: box.env });
      expect(get.json).toMatchObject({ id: 'W', engine: 'sandbox' });
    } finally {
      await stopDaemon(box.home);
      box.cleanup();
    }
  }, 60_000);
});
