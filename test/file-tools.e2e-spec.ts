// The file tools end to end (docs/file-tools.md): a real daemon on 127.0.0.1 answering HTTP, and
// the built `mirage` CLI as a child process, against ram, disk and s3 mounts, read-only mounts
// and session ceilings. Build first: `npm run build`.
import { jest } from '@jest/globals';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { startS3rver, type S3rverFixture } from './support/s3rver-fixture.js';
import { CLI_BIN, runCli, type CliRun } from './support/cli.js';
import { rawRequest, startTestDaemon, type TestDaemon } from './support/daemon.js';

jest.setTimeout(120_000);

function expectExit(run: CliRun, code: number): void {
  if (run.code !== code) throw new Error(`expected exit ${code}, got ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
}

describe('file tools', () => {
  let d: TestDaemon;
  let s3: S3rverFixture;
  let root: string;
  let diskRoot: string;
  let roRoot: string;
  const binary = Buffer.from(Array.from({ length: 256 * 3 }, (_, i) => i % 256));

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'mirage-files-e2e-'));
    diskRoot = join(root, 'disk');
    roRoot = join(root, 'ro');
    mkdirSync(diskRoot);
    mkdirSync(join(roRoot, 'docs'), { recursive: true });
    writeFileSync(join(roRoot, 'docs', 'guide.md'), 'line one\nline two\n');
    // Bigger than one read chunk: a range from its middle must come back exact.
    writeFileSync(join(diskRoot, 'big.bin'), Buffer.concat(Array.from({ length: 64 }, (_, i) => Buffer.alloc(64 * 1024, i))));
    s3 = await startS3rver('files-e2e');
    await s3.put('data/hello.txt', 'hello from s3\n');
    d = await startTestDaemon({ env: { S3_ENDPOINT: s3.endpoint } });
    const created = await d.call('POST', '/v1/workspaces', {
      body: {
        id: 'ft',
        config: {
          mounts: {
            '/': { resource: 'ram', mode: 'write' },
            '/disk': { resource: 'disk', mode: 'write', config: { root: diskRoot } },
            '/ro': { resource: 'disk', mode: 'read', config: { root: roRoot } },
            '/s3': { resource: 's3', mode: 'write', config: s3.config() },
          },
        },
      },
    });
    expect(created.status).toBe(201);
    expect(
      (await d.call('POST', '/v1/workspaces/ft/sessions', { body: { session_id: 'reader', mounts: { '/disk': 'read' } } })).status,
    ).toBe(201);
  });

  afterAll(async () => {
    await d?.close();
    await s3?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const cliEnv = (): Record<string, string> => ({
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: join(root, 'user'),
    XDG_DATA_HOME: join(root, 'xdg-data'),
    XDG_CACHE_HOME: join(root, 'xdg-cache'),
    XDG_CONFIG_HOME: join(root, 'xdg-config'),
    MIRAGE_HOME: join(root, 'cli-home'),
    MIRAGE_DAEMON_URL: d.url,
    MIRAGE_TOKEN: d.token,
  });
  const cli = (args: string[], input?: string | Buffer) => runCli(args, { env: cliEnv(), input });
  /** The CLI with stdout kept as bytes (runCli decodes it as UTF-8). */
  const rawGet = (path: string) => rawRequest(d.url, 'GET', path, { authorization: `Bearer ${d.token}` });
  const exec = (command: string) => d.call('POST', '/v1/workspaces/ft/execute', { body: { command } });

  describe('write and read', () => {
    it.each(['/ram-dir', '/disk', '/s3'])('round-trips text and binary bytes on %s', async (base) => {
      const text = await cli(['write', '-w', 'ft', `${base}/notes/a.txt`, '--content', 'héllo\nworld\n']);
      expectExit(text, 0);
      expect(text.json).toMatchObject({ path: `${base}/notes/a.txt`, size: Buffer.byteLength('héllo\nworld\n'), created: true });
      expectExit(await cli(['write', '-w', 'ft', `${base}/b.bin`], binary), 0);
      const read = await cli(['read', '-w', 'ft', `${base}/notes/a.txt`]);
      expectExit(read, 0);
      expect(read.stdout).toBe('héllo\nworld\n');
      // Binary: every byte value survives (checked over HTTP, where the body is not decoded).
      const answer = await d.call('GET', `/v1/workspaces/ft/files/read?path=${encodeURIComponent(`${base}/b.bin`)}`);
      expect(answer.status).toBe(200);
      const bytes = await fetchBytes(`${base}/b.bin`);
      expect(Buffer.compare(bytes, binary)).toBe(0);
      // The shell sees the same file.
      expect((await exec(`wc -c < ${base}/b.bin`)).json.stdout.trim()).toBe(String(binary.length));
      const again = await cli(['write', '-w', 'ft', `${base}/notes/a.txt`, '--content', 'x']);
      expect(again.json).toMatchObject({ size: 1, created: false });
    });

    async function fetchBytes(path: string, query = ''): Promise<Buffer> {
      const { request } = await import('node:http');
      return new Promise((resolve, reject) => {
        const url = new URL(`${d.url}/v1/workspaces/ft/files/read?path=${encodeURIComponent(path)}${query}`);
        const req = request(url, { headers: { authorization: `Bearer ${d.token}` } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks)));
        });
        req.on('error', reject);
        req.end();
      });
    }

    it('reads a byte range (offset/limit in bytes) of a large disk file, with the whole size in a header', async () => {
      const offset = 5 * 64 * 1024 - 3;
      const answer = await rawGet(`/v1/workspaces/ft/files/read?path=/disk/big.bin&offset=${offset}&limit=6`);
      expect(answer.status).toBe(200);
      expect(answer.headers['x-mirage-file-size']).toBe(String(64 * 64 * 1024));
      expect(answer.headers['content-length']).toBe('6');
      expect(Buffer.from(answer.text, 'latin1').toString('hex')).toBe('040404050505');
      const cliRange = await cli(['read', '-w', 'ft', '/disk/notes/a.txt', '--offset', '0', '--limit', '1']);
      expect(cliRange.stdout).toBe('x');
      // s3: a ranged GET of the object.
      const s3Range = await rawGet('/v1/workspaces/ft/files/read?path=/s3/data/hello.txt&offset=6&limit=4');
      expect([s3Range.status, s3Range.text, s3Range.headers['x-mirage-file-size']]).toEqual([200, 'from', '14']);
      const s3Tail = await cli(['read', '-w', 'ft', '/s3/data/hello.txt', '--offset', '11']);
      expect(s3Tail.stdout).toBe('s3\n');
      const past = await rawGet('/v1/workspaces/ft/files/read?path=/disk/big.bin&offset=99999999');
      expect(past.status).toBe(200);
      expect(past.text).toBe('');
    });

    it('read into a pipe that closes early (| head) ends quietly with exit 0', async () => {
      const { execFile } = await import('node:child_process');
      const script = `set -o pipefail; "${process.execPath}" "${CLI_BIN}" read -w ft /disk/big.bin | head -c 5 | wc -c`;
      const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile('bash', ['-c', script], { env: cliEnv() }, (error, stdout, stderr) =>
          resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
        );
      });
      expect(result).toEqual({ code: 0, stdout: '5\n', stderr: '' });
    });

    it('refuses bad offsets, unknown paths, directories, NUL and .. with clear 4xx', async () => {
      for (const [query, status, detail] of [
        ['path=/disk/big.bin&offset=-1', 400, /offset must be a non-negative integer/],
        ['path=/disk/big.bin&limit=ten', 400, /limit must be a non-negative integer/],
        ['path=/disk/nope.txt', 404, /no such file or directory: \/disk\/nope.txt/],
        ['path=/disk', 400, /is a directory: \/disk/],
        ['path=/disk/../etc/passwd', 400, /'\.\.' segments/],
        ['path=/disk/a%00b', 400, /NUL/],
        ['path=', 400, /path is required/],
      ] as const) {
        const answer = await d.call('GET', `/v1/workspaces/ft/files/read?${query}`);
        expect([query, answer.status]).toEqual([query, status]);
        expect(answer.json.detail).toMatch(detail);
      }
      expect((await d.call('GET', '/v1/workspaces/nope/files/read?path=/x')).status).toBe(404);
      const noSession = await d.call('GET', '/v1/workspaces/ft/files/list?path=/&session_id=nope');
      expect([noSession.status, noSession.json.detail]).toEqual([404, 'session not found']);
      const unknownField = await d.call('POST', '/v1/workspaces/ft/files/glob', { body: { pattern: '*', colour: 'red' } });
      expect([unknownField.status, unknownField.json.detail]).toEqual([400, 'unknown field: colour']);
      const cliBad = await cli(['read', '-w', 'ft', '/disk/big.bin', '--offset', '-5']);
      expectExit(cliBad, 2);
      expect(cliBad.stderr).toMatch(/--offset expects a non-negative integer/);
      const cliMissing = await cli(['read', '-w', 'ft', '/disk/nope.txt']);
      expectExit(cliMissing, 2);
      expect(cliMissing.stderr).toMatch(/no such file or directory/);
    });

    it('refuses writes to a read-only mount and under a session ceiling (403), writing nothing', async () => {
      const ro = await cli(['write', '-w', 'ft', '/ro/new.txt', '--content', 'x']);
      expectExit(ro, 2);
      expect(ro.stderr).toMatch(/read-only mount \/ro\//);
      expect(existsSync(join(roRoot, 'new.txt'))).toBe(false);
      const http = await d.call('POST', '/v1/workspaces/ft/files/write?path=/disk/ceiling.txt&session_id=reader', {
        body: Buffer.from('nope'),
        headers: { 'content-type': 'application/octet-stream' },
      });
      expect(http.status).toBe(403);
      expect(http.json.detail).toMatch(/read-only mount \/disk\//);
      expect(existsSync(join(diskRoot, 'ceiling.txt'))).toBe(false);
      // The same session still reads there, and the default session still writes.
      const read = await cli(['read', '-w', 'ft', '-s', 'reader', '/disk/notes/a.txt']);
      expect(read.stdout).toBe('x');
      expectExit(await cli(['write', '-w', 'ft', '/disk/ceiling.txt', '--content', 'ok']), 0);
      expect(readFileSync(join(diskRoot, 'ceiling.txt'), 'utf8')).toBe('ok');
      const json = await d.call('POST', '/v1/workspaces/ft/files/write?path=/disk/j.txt', { body: { a: 1 } });
      expect(json.status).toBe(415);
      const dir = await cli(['write', '-w', 'ft', '/disk/notes', '--content', 'x']);
      expectExit(dir, 2);
      expect(dir.stderr).toMatch(/is a directory: \/disk\/notes/);
    });
    it('streams a large write to a disk mount; a cut-off upload leaves the old file whole', async () => {
      const large = Buffer.alloc(8 * 1024 * 1024 + 5, 'z');
      const written = await cli(['write', '-w', 'ft', '/disk/large.txt'], large);
      expectExit(written, 0);
      expect(written.json).toMatchObject({ size: large.length, created: true });
      expect(readFileSync(join(diskRoot, 'large.txt')).equals(large)).toBe(true);
      // An upload that promises more than it sends and hangs up: nothing replaces the file.
      const { request } = await import('node:http');
      await new Promise<void>((resolve) => {
        const req = request(`${d.url}/v1/workspaces/ft/files/write?path=/disk/large.txt`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${d.token}`,
            'content-type': 'application/octet-stream',
            'content-length': String(1024 * 1024),
          },
        });
        req.on('error', () => resolve());
        req.write(Buffer.alloc(1000, 'q'), () => setTimeout(() => req.destroy(), 200));
        req.on('close', () => resolve());
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(readFileSync(join(diskRoot, 'large.txt')).equals(large)).toBe(true);
      expect(readdirSync(diskRoot).filter((name) => name.startsWith('.mirage-write-'))).toEqual([]);
    });
  });

  describe('edit', () => {
    it('replaces a unique occurrence, refuses absent or ambiguous text, binary files and read-only mounts', async () => {
      expectExit(await cli(['write', '-w', 'ft', '/disk/code.py', '--content', 'a = 1\nb = 1\nDEBUG = True\n']), 0);
      const ok = await cli(['edit', '-w', 'ft', '/disk/code.py', 'DEBUG = True', 'DEBUG = False']);
      expectExit(ok, 0);
      expect(ok.json).toMatchObject({ path: '/disk/code.py', replacements: 1 });
      expect(readFileSync(join(diskRoot, 'code.py'), 'utf8')).toBe('a = 1\nb = 1\nDEBUG = False\n');
      const ambiguous = await cli(['edit', '-w', 'ft', '/disk/code.py', '= 1', '= 2']);
      expectExit(ambiguous, 2);
      expect(ambiguous.stderr).toMatch(/occurs 2 times in \/disk\/code.py/);
      const all = await cli(['edit', '-w', 'ft', '/disk/code.py', '= 1', '= 2', '--replace-all']);
      expect(all.json).toMatchObject({ replacements: 2 });
      expect(readFileSync(join(diskRoot, 'code.py'), 'utf8')).toBe('a = 2\nb = 2\nDEBUG = False\n');
      const absent = await cli(['edit', '-w', 'ft', '/disk/code.py', 'nothing here', 'x']);
      expectExit(absent, 2);
      expect(absent.stderr).toMatch(/old text not found in \/disk\/code.py/);
      const bin = await d.call('POST', '/v1/workspaces/ft/files/edit', { body: { path: '/disk/b.bin', old_string: 'a', new_string: 'b' } });
      expect(bin.status).toBe(422);
      expect(bin.json.detail).toMatch(/binary/);
      const ro = await d.call('POST', '/v1/workspaces/ft/files/edit', {
        body: { path: '/ro/docs/guide.md', old_string: 'one', new_string: 'uno' },
      });
      expect(ro.status).toBe(403);
      expect(readFileSync(join(roRoot, 'docs', 'guide.md'), 'utf8')).toBe('line one\nline two\n');
      const ceiling = await d.call('POST', '/v1/workspaces/ft/files/edit', {
        body: { path: '/disk/code.py', old_string: 'a = 2', new_string: 'a = 3', session_id: 'reader' },
      });
      expect(ceiling.status).toBe(403);
      const dir = await d.call('POST', '/v1/workspaces/ft/files/edit', { body: { path: '/disk/notes', old_string: 'a', new_string: 'b' } });
      expect(dir.status).toBe(400);
      const missing = await d.call('POST', '/v1/workspaces/ft/files/edit', {
        body: { path: '/disk/none.py', old_string: 'a', new_string: 'b' },
      });
      expect(missing.status).toBe(404);
    });
  });

  describe('ls, glob, grep', () => {
    beforeAll(async () => {
      expectExit(
        await cli(['write', '-w', 'ft', '/proj/src/main.ts', '--content', 'import x\n// TODO: one\nconst a = 1;\n// todo: two\n']),
        0,
      );
      expectExit(await cli(['write', '-w', 'ft', '/proj/src/lib/util.ts', '--content', 'export const u = 1; // TODO three\n']), 0);
      expectExit(await cli(['write', '-w', 'ft', '/proj/README.md', '--content', 'TODO docs\n']), 0);
      expectExit(await cli(['write', '-w', 'ft', '/proj/.hidden.ts', '--content', 'TODO hidden\n']), 0);
    });

    it('ls lists a directory sorted, with -l details in JSON, and describes a file', async () => {
      const ls = await cli(['ls', '-w', 'ft', '/proj']);
      expectExit(ls, 0);
      expect(ls.json.entries.map((e: { name: string }) => e.name)).toEqual(['.hidden.ts', 'README.md', 'src']);
      expect(ls.json.entries[2]).toMatchObject({ type: 'directory', path: '/proj/src' });
      const file = await cli(['ls', '-w', 'ft', '-l', '/proj/README.md']);
      expect(file.json).toMatchObject({ type: 'file', entries: [{ name: 'README.md', size: 10, type: 'file' }] });
      const root = await cli(['ls', '-w', 'ft', '/']);
      expect(root.json.entries.map((e: { name: string }) => e.name)).toEqual(expect.arrayContaining(['disk', 'ro', 's3', 'proj']));
      expectExit(await cli(['ls', '-w', 'ft', '/proj/none']), 2);
    });

    it('glob matches ** and braces, skips dotfiles, and stays relative to PATH', async () => {
      const all = await cli(['glob', '-w', 'ft', '**/*.ts', '/proj']);
      expectExit(all, 0);
      expect(all.json.paths).toEqual(['/proj/src/lib/util.ts', '/proj/src/main.ts']);
      const braces = await cli(['glob', '-w', 'ft', '/proj/*.{md,txt}']);
      expect(braces.json.paths).toEqual(['/proj/README.md']);
      const narrowed = await cli(['glob', '-w', 'ft', 'src/*.ts', '/proj']);
      expect(narrowed.json.paths).toEqual(['/proj/src/main.ts']);
      const dotted = await cli(['glob', '-w', 'ft', '.*.ts', '/proj']);
      expect(dotted.json.paths).toEqual(['/proj/.hidden.ts']);
      const ro = await cli(['glob', '-w', 'ft', '**/*.md', '/ro']);
      expect(ro.json.paths).toEqual(['/ro/docs/guide.md']);
      const bad = await d.call('POST', '/v1/workspaces/ft/files/glob', { body: { pattern: '../*' } });
      expect(bad.status).toBe(400);
    });

    it('grep: lines, -i, -F, -l, -c, -m, -C and --include', async () => {
      const plain = await cli(['grep', '-w', 'ft', 'TODO', '/proj/src']);
      expectExit(plain, 0);
      expect(plain.json.files.map((f: { path: string; count: number }) => [f.path, f.count])).toEqual([
        ['/proj/src/lib/util.ts', 1],
        ['/proj/src/main.ts', 1],
      ]);
      expect(plain.json.files[1].lines).toEqual([{ line: 2, text: '// TODO: one', match: true }]);
      const ci = await cli(['grep', '-w', 'ft', '-i', '-c', 'todo', '/proj/src/main.ts']);
      expect(ci.json.files).toEqual([expect.objectContaining({ path: '/proj/src/main.ts', count: 2, lines: [] })]);
      const fixed = await cli(['grep', '-w', 'ft', '-F', '-l', 'u = 1;', '/proj']);
      expect(fixed.json.files.map((f: { path: string }) => f.path)).toEqual(['/proj/src/lib/util.ts']);
      const context = await cli(['grep', '-w', 'ft', '-C', '1', '-m', '1', '-i', 'todo', '/proj/src/main.ts']);
      expect(context.json.files[0].lines.map((l: { line: number; match: boolean }) => [l.line, l.match])).toEqual([
        [1, false],
        [2, true],
        [3, false],
      ]);
      const include = await cli(['grep', '-w', 'ft', 'TODO', '/proj', '--include', '*.md']);
      expect(include.json.files.map((f: { path: string }) => f.path)).toEqual(['/proj/README.md']);
      const s3grep = await cli(['grep', '-w', 'ft', 'hello', '/s3/data']);
      expect(s3grep.json.files.map((f: { path: string }) => f.path)).toEqual(['/s3/data/hello.txt']);
      const binaryHit = await d.call('POST', '/v1/workspaces/ft/files/grep', { body: { pattern: 'a', path: '/disk/b.bin' } });
      expect(binaryHit.json.files[0]).toMatchObject({ binary: true, lines: [] });
      const badRegex = await d.call('POST', '/v1/workspaces/ft/files/grep', { body: { pattern: '(' } });
      expect(badRegex.status).toBe(400);
      expect(badRegex.json.detail).toMatch(/invalid regular expression/);
      const badCount = await cli(['grep', '-w', 'ft', '-m', 'x', 'TODO']);
      expectExit(badCount, 2);
    });
  });

  describe('cp (tar streams)', () => {
    it('copies a host tree into a workspace and back, binary safe, with symlinks', async () => {
      const src = join(root, 'host-src');
      mkdirSync(join(src, 'sub'), { recursive: true });
      writeFileSync(join(src, 'a.txt'), 'alpha\n');
      writeFileSync(join(src, 'sub', 'b.bin'), binary);
      symlinkSync('a.txt', join(src, 'link'));
      for (const dest of ['/disk/copied', '/copied-ram']) {
        const up = await cli(['cp', src, `ft:${dest}`]);
        expectExit(up, 0);
        expect(up.json).toMatchObject({ destination: `ft:${dest}`, files: 2, directories: 2, symlinks: 1, bytes: 6 + binary.length });
        expect((await exec(`cat ${dest}/a.txt; wc -c < ${dest}/sub/b.bin; readlink ${dest}/link`)).json.stdout).toBe(
          `alpha\n${binary.length}\na.txt\n`,
        );
        // Into an existing directory: the source lands inside it.
        const out = join(root, `host-out-${dest.replace(/\//g, '_')}`);
        mkdirSync(out);
        const down = await cli(['cp', `ft:${dest}`, out]);
        expectExit(down, 0);
        const name = basename(dest);
        expect(down.json.destination).toBe(join(out, name));
        expect(readFileSync(join(out, name, 'a.txt'), 'utf8')).toBe('alpha\n');
        expect(Buffer.compare(readFileSync(join(out, name, 'sub', 'b.bin')), binary)).toBe(0);
        expect(lstatSync(join(out, name, 'link')).isSymbolicLink()).toBe(true);
        expect(readlinkSync(join(out, name, 'link'))).toBe('a.txt');
        // To a new path: the copy takes that name.
        const renamed = join(root, `renamed-${dest.replace(/\//g, '_')}`);
        expectExit(await cli(['cp', `ft:${dest}`, renamed]), 0);
        expect(readFileSync(join(renamed, 'a.txt'), 'utf8')).toBe('alpha\n');
      }
      expect(readFileSync(join(diskRoot, 'copied', 'a.txt'), 'utf8')).toBe('alpha\n');
      // A single file, workspace to host and host to workspace.
      const single = join(root, 'single.bin');
      expectExit(await cli(['cp', 'ft:/disk/big.bin', single]), 0);
      expect(readFileSync(single).length).toBe(64 * 64 * 1024);
      expectExit(await cli(['cp', single, 'ft:/disk/copied/']), 0);
      expect(readFileSync(join(diskRoot, 'copied', 'single.bin')).length).toBe(64 * 64 * 1024);
      // s3 has no symlinks: the files land, the link is refused with a clear 422 (not a 500).
      const toS3 = await cli(['cp', src, 'ft:/s3/copied']);
      expectExit(toS3, 2);
      expect(toS3.stderr).toMatch(/daemon error 422: operation not supported here .*symlink/);
      expect((await exec('cat /s3/copied/a.txt')).json.stdout).toBe('alpha\n');
      // Workspace to workspace (here: disk to ram in one workspace).
      const both = await cli(['cp', 'ft:/disk/copied/sub', 'ft:/ws-to-ws']);
      expectExit(both, 0);
      expect((await exec('wc -c < /ws-to-ws/b.bin')).json.stdout.trim()).toBe(String(binary.length));
    });

    it('refuses read-only destinations, session ceilings, unsafe tars and local-to-local copies', async () => {
      const src = join(root, 'host-src');
      const ro = await cli(['cp', src, 'ft:/ro/x']);
      expectExit(ro, 2);
      expect(ro.stderr).toMatch(/read-only mount \/ro\//);
      expect(existsSync(join(roRoot, 'x'))).toBe(false);
      const ceiling = await cli(['cp', '-s', 'reader', src, 'ft:/disk/ceil']);
      expectExit(ceiling, 2);
      expect(existsSync(join(diskRoot, 'ceil'))).toBe(false);
      const local = await cli(['cp', src, join(root, 'elsewhere')]);
      expectExit(local, 2);
      expect(local.stderr).toMatch(/WS:\/path/);
      // A tar whose entry climbs out with `..` is refused and writes nothing.
      const evil = tarOf([{ name: 'top/../../escape.txt', body: 'x' }]);
      const answer = await d.call('POST', '/v1/workspaces/ft/files/tar?path=/disk/evil', {
        body: evil,
        headers: { 'content-type': 'application/x-tar' },
      });
      expect(answer.status).toBe(400);
      expect(existsSync(join(root, 'escape.txt'))).toBe(false);
      expect(existsSync(join(diskRoot, 'evil'))).toBe(false);
      const garbage = await d.call('POST', '/v1/workspaces/ft/files/tar?path=/disk/g', {
        body: Buffer.alloc(700, 7),
        headers: { 'content-type': 'application/x-tar' },
      });
      expect(garbage.status).toBe(400);
      // A tar upload cut off mid-entry: refused or dropped, and the daemon keeps answering.
      const { request } = await import('node:http');
      const whole = tarOf([{ name: 'cut/a.txt', body: 'a'.repeat(5000) }]);
      await new Promise<void>((resolve) => {
        const req = request(`${d.url}/v1/workspaces/ft/files/tar?path=/disk/cut`, {
          method: 'POST',
          headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/x-tar', 'content-length': String(whole.length) },
        });
        req.on('error', () => resolve());
        req.on('close', () => resolve());
        req.write(whole.subarray(0, 2048), () => setTimeout(() => req.destroy(), 200));
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(existsSync(join(diskRoot, 'cut', 'a.txt'))).toBe(false);
      expect((await d.call('GET', '/v1/health')).status).toBe(200);
      const truncated = await d.call('POST', '/v1/workspaces/ft/files/tar?path=/disk/cut2', {
        body: whole.subarray(0, 2048),
        headers: { 'content-type': 'application/x-tar' },
      });
      expect(truncated.status).toBe(400);
      expect(existsSync(join(diskRoot, 'cut2', 'a.txt'))).toBe(false);
      const missing = await cli(['cp', 'ft:/disk/none', join(root, 'n')]);
      expectExit(missing, 2);
      expect(missing.stderr).toMatch(/no such file or directory/);
    });
  });
});

/** A minimal ustar archive (regular files only), for refusals the CLI would never send. */
function tarOf(entries: { name: string; body: string }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const header = Buffer.alloc(512);
    header.write(entry.name, 0, 100, 'utf8');
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${Buffer.byteLength(entry.body).toString(8).padStart(11, '0')}\0`, 124);
    header.write('00000000000\0', 136);
    header.write('        ', 148);
    header.write('0', 156);
    header.write('ustar\0', 257);
    header.write('00', 263);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    const body = Buffer.from(entry.body);
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}
