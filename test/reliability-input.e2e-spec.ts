// Bad input, against a running daemon (HTTP on loopback) and through the real CLI binary:
// malformed JSON/YAML, wrong types, oversized bodies, unknown fields, hostile ids and branch
// names, tar-slip archives, DNS-rebinding Host headers, missing/wrong tokens, and the token
// compare's timing. Every case answers a clear 4xx `{detail}` (CLI: exit 2, no stack trace),
// writes nothing outside its root (listing before/after), and leaves the daemon healthy.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Header } from 'tar';
import { ensureBuilt, REPO_ROOT } from './support/build.js';
import { runCli } from './support/cli.js';
import { rawRequest, startTestDaemon, type HttpAnswer, type TestDaemon } from './support/daemon.js';
import { listTree } from './support/daemon-process.js';

const RAM = { mounts: { '/': { resource: 'ram', mode: 'write' } } };
const LONG = 'a'.repeat(10_000);
const STACK = /\n\s+at [^\n]+:\d+:\d+/;

let root: string;
let sentinel: string;
let daemon: TestDaemon;

interface TarEntry {
  path: string;
  type: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'CharacterDevice';
  data?: string;
  linkpath?: string;
}

/** A tar built block by block, so hostile entries are written exactly as given. */
function tarOf(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const data = Buffer.from(entry.data ?? '');
    const header = new Header({
      path: entry.path,
      type: entry.type,
      mode: 0o644,
      size: entry.type === 'File' ? data.length : 0,
      mtime: new Date(),
      linkpath: entry.linkpath,
      uid: 0,
      gid: 0,
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block);
    if (entry.type === 'File' && data.length > 0) blocks.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

const MANIFEST: TarEntry = {
  path: 'manifest.json',
  type: 'File',
  data: JSON.stringify({
    format: 'mirage-snapshot',
    version: 1,
    workspace_id: 'x',
    created_at: 0,
    config: RAM,
    mounts: [{ prefix: '/', resource: 'ram', mode: 'write', files_included: true, needs_credentials: false }],
    sessions: [],
  }),
};

const SLIPS: Record<string, TarEntry[]> = {
  'dot-dot path': [MANIFEST, { path: 'files/../../evil.txt', type: 'File', data: 'pwned' }],
  'absolute path': [MANIFEST, { path: '/tmp/evil.txt', type: 'File', data: 'pwned' }],
  'entry beneath a symlink': [
    MANIFEST,
    { path: 'files/link', type: 'SymbolicLink', linkpath: '/' },
    { path: 'files/link/evil.txt', type: 'File', data: 'pwned' },
  ],
  'hard link out': [MANIFEST, { path: 'files/hard', type: 'Link', linkpath: '/etc/passwd' }],
  'device node': [MANIFEST, { path: 'files/dev', type: 'CharacterDevice' }],
  'no manifest': [{ path: 'files/evil.txt', type: 'File', data: 'pwned' }],
};

function multipartLoad(id: string, tar: Buffer): { body: Buffer; contentType: string } {
  const boundary = '----mirage-reliability-boundary';
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="request"\r\nContent-Type: application/json\r\n\r\n${JSON.stringify({ id })}\r\n`,
    ),
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="snapshot"; filename="s.tar"\r\nContent-Type: application/x-tar\r\n\r\n`,
    ),
    tar,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

function expectClear4xx(answer: HttpAnswer, status?: number): void {
  if (status !== undefined) expect(answer.status).toBe(status);
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
  expect(answer.json).toEqual({ detail: expect.any(String) });
  expect(answer.text).not.toMatch(STACK);
}

/** The listing of the whole temp root (daemon home, sentinel, inputs), compared around each case. */
const snapshotListing = (): string[] => listTree(root).filter((line) => !line.startsWith('cli/'));

describe('bad input against a running daemon and the CLI', () => {
  let before: string[];

  beforeAll(async () => {
    ensureBuilt(
      ['libs/protocol', 'libs/workspace-core', 'libs/versioning', 'apps/daemon', 'apps/cli'],
      ['apps/daemon/dist/main.js', 'apps/cli/dist/index.js'],
    );
    root = mkdtempSync(join(tmpdir(), 'mirage-input-'));
    sentinel = join(root, 'sentinel');
    mkdirSync(sentinel);
    writeFileSync(join(sentinel, 'keep.txt'), 'untouched');
    daemon = await startTestDaemon({ home: join(root, 'home') });
    expect((await daemon.call('POST', '/v1/workspaces', { body: { id: 'ok', config: RAM } })).status).toBe(201);
    expect((await daemon.call('POST', '/v1/workspaces/ok/commit', { body: { message: 'base' } })).status).toBe(200);
    mkdirSync(join(root, 'inputs'));
    // The snapshot root exists from the start (a refused load may create it: it is inside the home).
    mkdirSync(join(root, 'home', 'snapshots'), { recursive: true });
    writeFileSync(join(root, 'inputs', 'broken.yaml'), 'mounts: [unclosed\n  - {');
    writeFileSync(join(root, 'inputs', 'types.yaml'), 'mounts: 5\n');
    writeFileSync(join(root, 'inputs', 'resource.yaml'), 'mounts:\n  /:\n    resource: floppy\n');
    for (const [name, entries] of Object.entries(SLIPS))
      writeFileSync(join(root, 'inputs', `${name.replace(/ /g, '-')}.tar`), tarOf(entries));
    // Let the debounced state save settle so the baseline is stable.
    await new Promise((resolve) => setTimeout(resolve, 300));
  }, 180_000);

  afterAll(async () => {
    await daemon?.daemon.close();
    rmSync(root, { recursive: true, force: true });
  });

  beforeEach(() => {
    before = snapshotListing();
  });

  afterEach(async () => {
    expect(snapshotListing()).toEqual(before);
    expect(readFileSync(join(sentinel, 'keep.txt'), 'utf8')).toBe('untouched');
    expect((await daemon.call('GET', '/v1/health')).status).toBe(200);
  });

  it('malformed JSON and YAML bodies are 400/415 {detail}', async () => {
    const json = { 'content-type': 'application/json' };
    expectClear4xx(await daemon.call('POST', '/v1/workspaces', { body: '{"config":', headers: json }), 400);
    expectClear4xx(await daemon.call('POST', '/v1/workspaces', { body: 'mounts:\n  /: {resource: ram}\n', headers: json }), 400);
    expectClear4xx(
      await daemon.call('POST', '/v1/workspaces', {
        body: 'mounts:\n  /:\n    resource: ram\n',
        headers: { 'content-type': 'application/yaml' },
      }),
      415,
    );
    expectClear4xx(await daemon.call('POST', '/v1/workspaces/ok/execute', { body: '[1, 2', headers: json }), 400);
    expectClear4xx(await daemon.call('POST', '/v1/workspaces/ok/execute', { body: '\u0000\u0001', headers: json }), 400);
  });

  it('wrong types and unknown fields are 400 {detail}', async () => {
    expectClear4xx(await daemon.call('POST', '/v1/workspaces', { body: { config: 'a string' } }), 400);
    expectClear4xx(await daemon.call('POST', '/v1/workspaces', { body: { config: RAM, id: 42 } }), 400);
    expectClear4xx(await daemon.call('POST', '/v1/workspaces', { body: { config: { mounts: 5 } } }), 400);
    expectClear4xx(await daemon.call('POST', '/v1/workspaces', { body: { config: RAM, bogus: 1 } }), 400);
    expectClear4xx(await daemon.call('POST', '/v1/workspaces/ok/execute', { body: { command: 123 } }), 400);
    expectClear4xx(await daemon.call('POST', '/v1/workspaces/ok/execute', { body: { command: 'echo', session_id: [] } }), 400);
    expectClear4xx(await daemon.call('POST', '/v1/workspaces/ok/execute', { body: { command: 'echo', evil: true } }), 400);
    expectClear4xx(await daemon.call('POST', '/v1/workspaces/ok/commit', { body: { message: { nested: 1 } } }), 400);
  });

  it('a body over the limit is 413 {detail}', async () => {
    const huge = JSON.stringify({ command: 'x'.repeat(5 * 1024 * 1024) });
    expectClear4xx(
      await daemon.call('POST', '/v1/workspaces/ok/execute', { body: huge, headers: { 'content-type': 'application/json' } }),
      413,
    );
  });

  it.each([
    ['..', '..'],
    ['slash', 'a/b'],
    ['NUL', 'a\u0000b'],
    ['leading dash', '-rf'],
    ['10,000 characters', LONG],
  ])('a workspace id with %s is refused (create 400, routes 4xx)', async (_name, id) => {
    const created = await daemon.call('POST', '/v1/workspaces', { body: { id, config: RAM } });
    expectClear4xx(created, 400);
    expect(created.json.detail.length).toBeLessThan(11_000);
    expectClear4xx(await daemon.call('GET', `/v1/workspaces/${encodeURIComponent(id)}`));
    expectClear4xx(await daemon.call('POST', `/v1/workspaces/${encodeURIComponent(id)}/commit`, { body: {} }));
    expectClear4xx(await daemon.call('POST', '/v1/workspaces/ok/clone', { body: { id } }), 400);
    expectClear4xx(await daemon.call('POST', '/v1/workspaces/load', { body: { path: 'none.tar', id } }));
  });

  it.each([
    ['..', '../x'],
    ['slash at the end', 'x/'],
    ['NUL', 'a\u0000b'],
    ['leading dash', '-x'],
    ['10,000 characters', LONG],
  ])('a branch name with %s is 400', async (_name, name) => {
    expectClear4xx(await daemon.call('POST', '/v1/workspaces/ok/branch', { body: { name } }), 400);
    expectClear4xx(await daemon.call('POST', '/v1/workspaces/ok/commit', { body: { branch: name } }), 400);
    expectClear4xx(await daemon.call('GET', `/v1/workspaces/ok/versions?branch=${encodeURIComponent(name)}`), 400);
    expectClear4xx(await daemon.call('POST', '/v1/workspaces/ok/checkout', { body: { version: name } }));
  });

  it.each(Object.keys(SLIPS))('a tar-slip upload (%s) is refused by load with 400 and writes nothing', async (name) => {
    const { body, contentType } = multipartLoad('slip', tarOf(SLIPS[name]));
    const answer = await daemon.call('POST', '/v1/workspaces/load', { body, headers: { 'content-type': contentType } });
    expectClear4xx(answer, 400);
    expect(answer.json.detail).toMatch(/^load failed/);
    expect((await daemon.call('GET', '/v1/workspaces/slip')).status).toBe(404);
  });

  it('load paths that leave the snapshot root are 400', async () => {
    for (const path of ['../../sentinel/keep.txt', '/etc/passwd', `${join(root, 'inputs', 'dot-dot-path.tar')}`, 'a\u0000b.tar']) {
      expectClear4xx(await daemon.call('POST', '/v1/workspaces/load', { body: { path, id: 'escape' } }), 400);
      expectClear4xx(await daemon.call('POST', '/v1/workspaces/ok/snapshot', { body: { path } }), 400);
    }
  });

  it.each(['evil.example', '127.0.0.1.evil.example', 'localhost:8765@evil', 'localhost.', ''])(
    'Host %j (DNS rebinding) is 400 Invalid host header, health included',
    async (host) => {
      for (const path of ['/v1/health', '/v1/workspaces']) {
        const answer = await rawRequest(daemon.url, 'GET', path, { host, authorization: `Bearer ${daemon.token}` });
        expect(answer.status).toBe(400);
        expect(answer.json).toEqual({ detail: 'Invalid host header' });
      }
    },
  );

  it('a missing or wrong token is 401; health answers 200 with or without one', async () => {
    for (const token of [null, 'wrong', `${daemon.token}x`, daemon.token.slice(1), ' ', 'Bearer']) {
      const answer = await daemon.call('GET', '/v1/workspaces', { token });
      expectClear4xx(answer, 401);
      expect(answer.headers['www-authenticate']).toBe('Bearer');
    }
    expectClear4xx(await daemon.call('GET', '/v1/workspaces', { token: null, headers: { authorization: `bearer ${daemon.token}` } }), 401);
    expect((await daemon.call('GET', '/v1/health', { token: null })).status).toBe(200);
    expect((await daemon.call('GET', '/v1/health', { token: 'wrong' })).status).toBe(200);
    expect((await daemon.call('GET', '/v1/health')).status).toBe(200);
  });

  it('the token compare is over fixed-length SHA-256 digests, and timing does not depend on the prefix', async () => {
    // Structural: both sides are hashed (the expected token's digest once), then compared with timingSafeEqual.
    const source = readFileSync(join(REPO_ROOT, 'apps', 'daemon', 'src', 'common', 'bearer-auth.ts'), 'utf8');
    expect(source).toMatch(/createHash\('sha256'\)/);
    expect(source).toMatch(/digest: digest\(expected\)/);
    expect(source).toMatch(/timingSafeEqual\(digest\(given\), expectedDigest\.digest\)/);
    // Statistical, generous: medians of interleaved wrong-token requests sharing all but the last
    // character vs sharing none stay within 2x of each other (a byte-by-byte compare would not
    // be visible at this scale anyway; this guards against gross regressions like a slow path).
    const token = daemon.token;
    const samePrefix = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    const otherPrefix = `${token.startsWith('A') ? 'B' : 'A'}${token.slice(1)}`;
    const times: Record<'same' | 'other', number[]> = { same: [], other: [] };
    for (let round = 0; round < 150; round += 1) {
      for (const [kind, candidate] of [
        ['same', samePrefix],
        ['other', otherPrefix],
      ] as const) {
        const started = performance.now();
        const answer = await daemon.call('GET', '/v1/workspaces', { token: candidate });
        times[kind].push(performance.now() - started);
        expect(answer.status).toBe(401);
      }
    }
    const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const ratio = median(times.same) / median(times.other);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  }, 60_000);

  describe('through the CLI (exit 2, one clear line, no stack trace)', () => {
    const cli = (args: string[], token?: string) =>
      runCli(args, {
        env: {
          PATH: process.env.PATH,
          HOME: join(root, 'cli', 'user'),
          XDG_DATA_HOME: join(root, 'cli', 'xdg-data'),
          XDG_CACHE_HOME: join(root, 'cli', 'xdg-cache'),
          XDG_CONFIG_HOME: join(root, 'cli', 'xdg-config'),
          MIRAGE_HOME: join(root, 'cli', 'home'),
          MIRAGE_DAEMON_URL: daemon.url,
          MIRAGE_TOKEN: token ?? daemon.token,
        },
      });

    const expectUserError = (run: { code: number; stderr: string }, pattern?: RegExp): void => {
      expect(run.code).toBe(2);
      expect(run.stderr).not.toMatch(STACK);
      expect(run.stderr.trim()).not.toBe('');
      if (pattern !== undefined) expect(run.stderr).toMatch(pattern);
    };

    it('malformed YAML and wrong types in a config file', async () => {
      const dir = join(root, 'inputs');
      expectUserError(await cli(['workspace', 'create', join(dir, 'broken.yaml')]));
      expectUserError(await cli(['workspace', 'create', join(dir, 'types.yaml')]));
      expectUserError(await cli(['workspace', 'create', join(dir, 'resource.yaml')]));
      expectUserError(await cli(['workspace', 'create', join(dir, 'missing.yaml')]));
    });

    it('hostile ids and branch names', async () => {
      expectUserError(await cli(['workspace', 'get', '../../etc']), /daemon error 4\d\d/);
      expectUserError(await cli(['workspace', 'get', LONG.slice(0, 5000)]), /daemon error 4\d\d/);
      expectUserError(await cli(['workspace', 'get', '-rf']));
      expectUserError(await cli(['workspace', 'create', join(REPO_ROOT, 'examples', 'ram.yaml'), '--id=-rf']), /invalid workspace id/);
      expectUserError(await cli(['workspace', 'create', join(REPO_ROOT, 'examples', 'ram.yaml'), '--id', '../x']), /invalid workspace id/);
      expectUserError(await cli(['workspace', 'branch', 'ok', '../x']), /invalid branch name/);
      expectUserError(await cli(['workspace', 'branch', 'ok', LONG.slice(0, 5000)]), /invalid branch name/);
    });

    it('a tar-slip archive given to `workspace load`', async () => {
      for (const name of Object.keys(SLIPS)) {
        expectUserError(
          await cli(['workspace', 'load', join(root, 'inputs', `${name.replace(/ /g, '-')}.tar`), '--id', 'slip']),
          /daemon error 400: load failed/,
        );
      }
    });

    it('a wrong token', async () => {
      expectUserError(await cli(['workspace', 'list'], 'wrong-token'), /daemon error 401: Unauthorized/);
    });
  });
});
