// Versions, clone, snapshot and load against a real daemon on a loopback port.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSnapshotStream, readSnapshot, type LiveTreeEntry, type LoadedSnapshot } from '@mirage-ts/workspace-core';
import { startS3rver, type S3rverFixture } from './support/s3rver-fixture.js';
import { rawRequest, startTestDaemon, type HttpAnswer, type TestDaemon } from './support/daemon.js';

const RAM = { mounts: { '/': { resource: 'ram', mode: 'write' } } };
const HEX40 = /^[0-9a-f]{40}$/;

async function run(d: TestDaemon, id: string, command: string): Promise<{ exit_code: number; stdout: string; stderr: string }> {
  const answer = await d.call('POST', `/v1/workspaces/${id}/execute`, { body: { command } });
  expect(answer.status).toBe(200);
  return answer.json;
}

function multipart(parts: Array<{ name: string; data: Buffer | string; type?: string }>): {
  body: Buffer;
  headers: Record<string, string>;
} {
  const boundary = `mirage-test-${Date.now()}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\ncontent-disposition: form-data; name="${part.name}"; filename="${part.name}"\r\ncontent-type: ${part.type ?? 'application/octet-stream'}\r\n\r\n`,
      ),
    );
    chunks.push(Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

function upload(d: TestDaemon, tar: Buffer, request: object = {}): Promise<HttpAnswer> {
  const { body, headers } = multipart([
    { name: 'request', data: JSON.stringify(request), type: 'application/json' },
    { name: 'snapshot', data: tar, type: 'application/x-tar' },
  ]);
  return rawRequest(d.url, 'POST', '/v1/workspaces/load', { ...headers, authorization: `Bearer ${d.token}` }, body);
}

async function download(d: TestDaemon, id: string): Promise<Buffer> {
  const { request } = await import('node:http');
  const target = new URL(`${d.url}/v1/workspaces/${id}/snapshot`);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname, headers: { authorization: `Bearer ${d.token}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`download answered ${res.statusCode}: ${Buffer.concat(chunks).toString()}`));
          else if (!String(res.headers['content-type']).startsWith('application/x-tar'))
            reject(new Error(`content-type ${res.headers['content-type']}`));
          else resolve(Buffer.concat(chunks));
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** path → comparable description of each file, symlink and directory of a snapshot. */
function treeOf(loaded: LoadedSnapshot): Record<string, string> {
  return Object.fromEntries(
    loaded.files.map((f) => [
      f.path,
      f.kind === 'file'
        ? `file ${f.mode.toString(8)} ${Buffer.from(f.data ?? []).toString('base64')}`
        : f.kind === 'symlink'
          ? `link -> ${f.target}`
          : `dir ${f.mode.toString(8)}`,
    ]),
  );
}

// The fixture tree: binary, empty, non-ASCII names, nesting, a 5,000-line text, a symlink, mode 0755.
const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31 + 7) % 256));
const fiveThousandLines = `${Array.from({ length: 5000 }, (_, i) => `line ${i}`).join('\n')}\n`;
function fixtureEntries(prefix: string): LiveTreeEntry[] {
  const at = (p: string) => (prefix === '' ? p : `${prefix}/${p}`);
  const file = (path: string, data: Buffer | string, mode = 0o644): LiveTreeEntry => {
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data);
    return { path: at(path), kind: 'file', mode, size: bytes.length, mtimeMs: 1_700_000_000_000, read: async () => bytes };
  };
  const dir = (path: string, mode = 0o755): LiveTreeEntry => ({
    path: at(path),
    kind: 'directory',
    mode,
    size: 0,
    mtimeMs: 1_700_000_000_000,
    read: async () => new Uint8Array(),
  });
  return [
    file('bin.dat', binary),
    file('empty.txt', ''),
    file('naïve – 文字.txt', 'unicode\n'),
    dir('nested'),
    dir('nested/deeper'),
    file('nested/deeper/lines.txt', fiveThousandLines),
    file('run.sh', '#!/bin/sh\necho run\n', 0o755),
    {
      path: at('link'),
      kind: 'symlink',
      mode: 0o777,
      size: 0,
      mtimeMs: 1_700_000_000_000,
      target: 'nested/deeper/lines.txt',
      read: async () => new Uint8Array(),
    },
  ];
}

async function fixtureTar(config: object, prefix: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const stream = createSnapshotStream({
    id: 'fixture',
    config: config as never,
    sessions: [{ session_id: 'default', cwd: '/', env: { GREETING: 'héllo' } }],
    entries: fixtureEntries(prefix),
  });
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('versions over HTTP', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startTestDaemon();
  });
  afterAll(async () => {
    await d.close();
  });

  it('commit, log, diff, branch and checkout follow the versions contract', async () => {
    expect((await d.call('POST', '/v1/workspaces', { body: { config: RAM, id: 'v' } })).status).toBe(201);
    expect((await d.call('GET', '/v1/workspaces/v/versions')).json).toEqual([]);
    await run(d, 'v', 'echo one > a.txt');
    expect((await d.call('GET', '/v1/workspaces/v/diff')).json).toEqual({ added: ['a.txt'], modified: [], deleted: [] });

    const first = await d.call('POST', '/v1/workspaces/v/commit', { body: { message: 'first', branch: 'main' } });
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ version: expect.stringMatching(HEX40), branch: 'main' });
    expect((await d.call('GET', '/v1/workspaces/v/diff')).json).toEqual({ added: [], modified: [], deleted: [] });

    await run(d, 'v', 'echo two > a.txt; echo b > b.txt');
    expect((await d.call('GET', '/v1/workspaces/v/diff')).json).toEqual({ added: ['b.txt'], modified: ['a.txt'], deleted: [] });
    const second = await d.call('POST', '/v1/workspaces/v/commit', { body: { message: 'second' } });
    expect((await d.call('GET', '/v1/workspaces/v/versions')).json).toEqual([
      { id: second.json.version, message: 'second' },
      { id: first.json.version, message: 'first' },
    ]);
    const v1 = first.json.version as string;
    const v2 = second.json.version as string;
    expect((await d.call('GET', `/v1/workspaces/v/diff?a=${v1}&b=${v2}`)).json).toEqual({
      added: ['b.txt'],
      modified: ['a.txt'],
      deleted: [],
    });
    await run(d, 'v', 'rm b.txt');
    expect((await d.call('GET', `/v1/workspaces/v/diff?a=${v1}`)).json).toEqual({ added: [], modified: ['a.txt'], deleted: [] });
    expect((await d.call('GET', '/v1/workspaces/v/diff')).json).toEqual({ added: [], modified: [], deleted: ['b.txt'] });

    // Branches (camelCase fromBranch accepted too).
    expect(await d.call('POST', '/v1/workspaces/v/branch', { body: { name: 'dev', fromBranch: 'main' } })).toMatchObject({
      status: 201,
      json: { branch: 'dev', version: v2 },
    });
    expect(await d.call('POST', '/v1/workspaces/v/branch', { body: { name: 'dev' } })).toMatchObject({
      status: 409,
      json: { detail: 'branch already exists: dev' },
    });
    expect(await d.call('POST', '/v1/workspaces/v/branch', { body: { name: 'x', from_branch: 'nope' } })).toMatchObject({
      status: 404,
      json: { detail: 'no such branch: nope' },
    });
    const onDev = await d.call('POST', '/v1/workspaces/v/commit', { body: { message: 'on dev', branch: 'dev' } });
    expect(onDev.json.branch).toBe('dev');
    expect((await d.call('GET', '/v1/workspaces/v/versions?branch=dev')).json.map((v: { message: string }) => v.message)).toEqual([
      'on dev',
      'second',
      'first',
    ]);
    expect(await d.call('POST', '/v1/workspaces/v/commit', { body: { branch: 'ghost' } })).toMatchObject({
      status: 404,
      json: { detail: "no branch 'ghost'; create it first with `mirage workspace branch`" },
    });
    expect((await d.call('POST', '/v1/workspaces/v/branch', { body: { name: '../x' } })).status).toBe(400);
    expect((await d.call('POST', '/v1/workspaces/v/commit', { body: { branch: '-x' } })).status).toBe(400);

    // Checkout restores in place; then nothing differs from that version.
    const checkout = await d.call('POST', '/v1/workspaces/v/checkout', { body: { ref: v1 } });
    expect(checkout.status).toBe(200);
    expect(checkout.json.id).toBe('v');
    expect((await run(d, 'v', 'cat a.txt; ls *.txt')).stdout).toBe('one\na.txt\n');
    expect((await d.call('GET', `/v1/workspaces/v/diff?a=${v1}`)).json).toEqual({ added: [], modified: [], deleted: [] });
    const unknown = 'f'.repeat(40);
    expect(await d.call('POST', '/v1/workspaces/v/checkout', { body: { ref: unknown } })).toMatchObject({
      status: 404,
      json: { detail: `version not found: ${unknown}` },
    });

    // Clone at a version: a new workspace with that version's files.
    const clone = await d.call('POST', '/v1/workspaces/clone', { body: { source_id: 'v', at: v2, id: 'v-at' } });
    expect(clone.status).toBe(201);
    expect(clone.json.id).toBe('v-at');
    expect((await run(d, 'v-at', 'cat a.txt b.txt')).stdout).toBe('two\nb\n');
    expect((await d.call('POST', '/v1/workspaces/clone', { body: { sourceId: 'v', at: v2, id: 'v-at' } })).status).toBe(409);
    expect(await d.call('POST', '/v1/workspaces/clone', { body: { source_id: 'v', at: unknown } })).toMatchObject({
      status: 404,
      json: { detail: `version not found: ${unknown}` },
    });

    // Delete drops the history: a later workspace under the id starts empty.
    expect((await d.call('DELETE', '/v1/workspaces/v')).status).toBe(200);
    expect(existsSync(join(d.home, 'repos', 'v'))).toBe(false);
    expect((await d.call('GET', '/v1/workspaces/v/versions')).json).toEqual([]);
    await d.call('DELETE', '/v1/workspaces/v-at');
  });

  it('answers 404 for a commit or diff of an unknown workspace, 400 for a bad id', async () => {
    expect(await d.call('POST', '/v1/workspaces/ghost/commit', { body: {} })).toMatchObject({
      status: 404,
      json: { detail: 'workspace not found' },
    });
    expect(await d.call('GET', '/v1/workspaces/ghost/diff')).toMatchObject({ status: 404, json: { detail: 'workspace not found' } });
    expect(await d.call('POST', '/v1/workspaces/ghost/checkout', { body: { ref: 'main' } })).toMatchObject({ status: 404 });
    expect((await d.call('GET', '/v1/workspaces/ghost/versions')).json).toEqual([]);
    expect((await d.call('GET', '/v1/workspaces/..%2F..%2Fetc/versions')).status).toBe(400);
    expect(existsSync(join(d.home, 'repos', 'ghost'))).toBe(false);
  });

  it('clones a live workspace with its files and sessions', async () => {
    await d.call('POST', '/v1/workspaces', { body: { config: RAM, id: 'live' } });
    await run(d, 'live', 'mkdir -p d && echo data > d/f.txt && cd d && export K=v');
    const viaBody = await d.call('POST', '/v1/workspaces/clone', { body: { source_id: 'live', id: 'live-copy' } });
    expect(viaBody.status).toBe(201);
    expect((await run(d, 'live-copy', 'cat /d/f.txt')).stdout).toBe('data\n');
    const viaPath = await d.call('POST', '/v1/workspaces/live/clone', { body: {} });
    expect(viaPath.status).toBe(201);
    expect(viaPath.json.id).not.toBe('live');
    expect((await run(d, viaPath.json.id, 'pwd; echo $K; cat f.txt')).stdout).toBe('/d\nv\ndata\n');
    expect((await d.call('POST', '/v1/workspaces/ghost/clone', { body: {} })).status).toBe(404);
    expect((await d.call('POST', '/v1/workspaces/live/clone', { body: { id: 'live-copy' } })).status).toBe(409);
    for (const id of ['live', 'live-copy', viaPath.json.id]) await d.call('DELETE', `/v1/workspaces/${id}`);
  });
});

describe('disk mounts: clone, clone --at, snapshot round trip', () => {
  let d: TestDaemon;
  let dirs: string;
  beforeAll(async () => {
    d = await startTestDaemon();
    dirs = mkdtempSync(join(tmpdir(), 'mirage-disk-'));
  });
  afterAll(async () => {
    await d.close();
    rmSync(dirs, { recursive: true, force: true });
  });

  it('clones a workspace with a disk mount live and at a version', async () => {
    const root = join(dirs, 'src');
    mkdirSync(root);
    writeFileSync(join(root, 'seed.txt'), 'seed\n');
    const config = { mounts: { '/': { resource: 'ram', mode: 'write' }, '/disk': { resource: 'disk', mode: 'write', config: { root } } } };
    expect((await d.call('POST', '/v1/workspaces', { body: { config, id: 'dk' } })).status).toBe(201);
    await run(d, 'dk', 'echo v1 > /disk/a.txt');
    const v1 = (await d.call('POST', '/v1/workspaces/dk/commit', { body: { message: 'v1' } })).json.version as string;
    await run(d, 'dk', 'echo v2 > /disk/a.txt');

    const at = await d.call('POST', '/v1/workspaces/clone', { body: { source_id: 'dk', at: v1, id: 'dk-at' } });
    expect(at.status).toBe(201);
    expect((await run(d, 'dk-at', 'cat /disk/a.txt /disk/seed.txt')).stdout).toBe('v1\nseed\n');
    // The source keeps its uncommitted state.
    expect((await run(d, 'dk', 'cat /disk/a.txt')).stdout).toBe('v2\n');
    expect(readFileSync(join(root, 'a.txt'), 'utf8')).toBe('v2\n');

    const live = await d.call('POST', '/v1/workspaces/dk/clone', { body: { id: 'dk-live' } });
    expect(live.status).toBe(201);
    expect((await run(d, 'dk-live', 'cat /disk/a.txt')).stdout).toBe('v2\n');
    // Each clone writes into a directory of its own, never into the source's root.
    await run(d, 'dk-live', 'echo changed > /disk/a.txt; echo new > /disk/new.txt');
    expect(readFileSync(join(root, 'a.txt'), 'utf8')).toBe('v2\n');
    expect(existsSync(join(root, 'new.txt'))).toBe(false);
    expect(readFileSync(join(d.home, 'state', 'clones', 'dk-live', 'disk', 'new.txt'), 'utf8')).toBe('new\n');
    // A root named explicitly but used by a live workspace is refused, not cleared.
    const tar = await download(d, 'dk');
    const clash = await upload(d, tar, { id: 'dk-clash', override: { mounts: { '/disk': { config: { root } } } } });
    expect(clash.status).toBe(409);
    expect(clash.json.detail).toContain('in use by workspace dk');
    expect(readFileSync(join(root, 'a.txt'), 'utf8')).toBe('v2\n');
    // Checkout on a disk mount rewrites the host directory in place; then nothing differs.
    await run(d, 'dk', 'chmod 755 /disk/seed.txt; mkdir -p /disk/extra');
    expect((await d.call('POST', '/v1/workspaces/dk/checkout', { body: { ref: v1 } })).status).toBe(200);
    expect(readFileSync(join(root, 'a.txt'), 'utf8')).toBe('v1\n');
    expect(lstatSync(join(root, 'seed.txt')).mode & 0o777).toBe(0o644);
    expect(existsSync(join(root, 'extra'))).toBe(false);
    expect((await d.call('GET', `/v1/workspaces/dk/diff?a=${v1}`)).json).toEqual({ added: [], modified: [], deleted: [] });
    for (const id of ['dk', 'dk-at', 'dk-live']) await d.call('DELETE', `/v1/workspaces/${id}`);
    expect(existsSync(join(d.home, 'state', 'clones', 'dk-live'))).toBe(false);
  });

  it('round-trips ram and disk byte for byte, also through a restarted daemon', async () => {
    const diskA = join(dirs, 'disk-a');
    mkdirSync(diskA);
    const config = {
      mounts: { '/': { resource: 'ram', mode: 'write' }, '/disk': { resource: 'disk', mode: 'write', config: { root: diskA } } },
    };
    const original = await fixtureTar(RAM, '');
    const originalTree = treeOf(await readSnapshot(original));
    expect((await upload(d, original, { id: 'rt' })).status).toBe(201);
    const onDisk = await fixtureTar(config, 'disk');
    const diskTree = treeOf(await readSnapshot(onDisk));
    expect((await upload(d, onDisk, { id: 'rt-disk' })).status).toBe(201);

    // The disk mount wrote real files, byte for byte with modes and the symlink.
    expect(readFileSync(join(diskA, 'bin.dat'))).toEqual(binary);
    expect(readFileSync(join(diskA, 'nested/deeper/lines.txt'), 'utf8')).toBe(fiveThousandLines);
    expect(lstatSync(join(diskA, 'run.sh')).mode & 0o777).toBe(0o755);
    expect(readlinkSync(join(diskA, 'link'))).toBe('nested/deeper/lines.txt');
    expect(readFileSync(join(diskA, 'naïve – 文字.txt'), 'utf8')).toBe('unicode\n');

    const again = await readSnapshot(await download(d, 'rt'));
    expect(treeOf(again)).toEqual(originalTree);
    expect(again.manifest.sessions).toEqual([{ session_id: 'default', cwd: '/', env: expect.objectContaining({ GREETING: 'héllo' }) }]);
    const diskAgainTar = await download(d, 'rt-disk');
    expect(treeOf(await readSnapshot(diskAgainTar))).toEqual(diskTree);

    // A new daemon on the same home: load the downloaded tar into a fresh disk directory.
    const home = d.home;
    const restarted = await startTestDaemon({ home });
    try {
      const diskB = join(dirs, 'disk-b');
      mkdirSync(diskB);
      const loaded = await upload(restarted, diskAgainTar, { id: 'rt2', override: { mounts: { '/disk': { config: { root: diskB } } } } });
      expect(loaded.status).toBe(201);
      expect(readFileSync(join(diskB, 'bin.dat'))).toEqual(binary);
      expect(lstatSync(join(diskB, 'run.sh')).mode & 0o777).toBe(0o755);
      expect(readlinkSync(join(diskB, 'link'))).toBe('nested/deeper/lines.txt');
      expect(treeOf(await readSnapshot(await download(restarted, 'rt2')))).toEqual(diskTree);
    } finally {
      await restarted.daemon.close();
    }
    for (const id of ['rt', 'rt-disk']) await d.call('DELETE', `/v1/workspaces/${id}`);
  });
});

describe('snapshot and load over HTTP', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startTestDaemon();
  });
  afterAll(async () => {
    await d.close();
  });

  it('downloads a readable tar and loads it back; path routes stay in the snapshot root', async () => {
    await d.call('POST', '/v1/workspaces', { body: { config: RAM, id: 's' } });
    await run(d, 's', 'mkdir -p dir && echo hello > dir/h.txt');
    const tar = await download(d, 's');
    expect(tar.subarray(257, 262).toString()).toBe('ustar');
    expect((await readSnapshot(tar)).manifest.jobs?.map((job) => [job.command, job.status])).toEqual([
      ['mkdir -p dir && echo hello > dir/h.txt', 'done'],
    ]);
    expect(existsSync(join(d.home, 'snapshots'))).toBe(false);
    const listing = join(d.home, 'listing.tar');
    writeFileSync(listing, tar);
    expect(execFileSync('tar', ['-tf', listing], { encoding: 'utf8' })).toContain('files/dir/h.txt');

    const loaded = await upload(d, tar, { id: 's2' });
    expect(loaded.status).toBe(201);
    expect((await run(d, 's2', 'cat dir/h.txt')).stdout).toBe('hello\n');
    expect((await upload(d, tar, { id: 's2' })).status).toBe(409);
    expect(await upload(d, Buffer.from('definitely not a tar archive, just some text'), {})).toMatchObject({ status: 400 });
    const notBoth = await upload(d, tar, { key: 'k' });
    expect(notBoth.status).toBe(400);
    expect(notBoth.json.detail).toContain('not both');
    const noSnapshot = multipart([{ name: 'request', data: '{}' }]);
    expect(
      await rawRequest(
        d.url,
        'POST',
        '/v1/workspaces/load',
        { ...noSnapshot.headers, authorization: `Bearer ${d.token}` },
        noSnapshot.body,
      ),
    ).toMatchObject({
      status: 400,
      json: { detail: "multipart body missing 'snapshot' part" },
    });
    expect((await d.call('POST', '/v1/workspaces/load', { body: {} })).status).toBe(400);

    const written = await d.call('POST', '/v1/workspaces/s/snapshot', { body: { path: 'sub/s.tar' } });
    expect(written.status).toBe(200);
    expect(written.json).toEqual({
      id: 's',
      path: join(d.home, 'snapshots', 'sub', 's.tar'),
      size: readFileSync(join(d.home, 'snapshots', 'sub', 's.tar')).length,
    });
    expect(await d.call('POST', '/v1/workspaces/s/snapshot', { body: { path: '../escape.tar' } })).toMatchObject({
      status: 400,
      json: { detail: 'path escapes the configured root' },
    });
    expect(await d.call('POST', '/v1/workspaces/s/snapshot', { body: { path: '/tmp/escape.tar' } })).toMatchObject({ status: 400 });
    expect(existsSync(join(d.home, 'escape.tar'))).toBe(false);
    expect((await d.call('POST', '/v1/workspaces/load', { body: { path: 'sub/s.tar', id: 's3' } })).status).toBe(201);
    expect((await run(d, 's3', 'cat dir/h.txt')).stdout).toBe('hello\n');
    expect(await d.call('POST', '/v1/workspaces/load', { body: { path: 'missing.tar' } })).toMatchObject({
      status: 400,
      json: { detail: 'snapshot not found: missing.tar' },
    });
    expect(await d.call('POST', '/v1/workspaces/load', { body: { path: '../../etc/passwd' } })).toMatchObject({
      status: 400,
      json: { detail: 'path escapes the configured root' },
    });
    for (const id of ['s', 's2', 's3']) await d.call('DELETE', `/v1/workspaces/${id}`);
  });

  it('loads nothing from a malicious tar and writes nothing outside the mount', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'mirage-outside-'));
    const diskRoot = mkdtempSync(join(tmpdir(), 'mirage-victim-'));
    try {
      const { Header } = await import('tar');
      const block = (path: string, type: string, data = '', linkpath?: string): Buffer[] => {
        const header = Buffer.alloc(512);
        new Header({ path, type: type as 'File', mode: 0o644, size: data.length, mtime: new Date(), linkpath }).encode(header, 0);
        const body = Buffer.alloc(Math.ceil(data.length / 512) * 512);
        body.write(data);
        return [header, body];
      };
      const manifest = JSON.stringify({
        format: 'mirage-snapshot',
        version: 1,
        workspace_id: 'evil',
        created_at: 0,
        config: { mounts: { '/': { resource: 'disk', mode: 'write', config: { root: diskRoot } } } },
        mounts: [{ prefix: '/', resource: 'disk', mode: 'write', files_included: true, needs_credentials: false }],
        sessions: [],
      });
      const evil = [
        [...block('files/link', 'SymbolicLink', '', outside), ...block('files/link/pwned.txt', 'File', 'pwned')],
        [...block(`files/../../${outside.split('/').pop()}/pwned.txt`, 'File', 'pwned')],
        [...block(`${outside}/pwned.txt`, 'File', 'pwned')],
      ];
      for (const entries of evil) {
        const tar = Buffer.concat([...block('manifest.json', 'File', manifest), ...entries, Buffer.alloc(1024)]);
        const answer = await upload(d, tar, { id: 'evil' });
        expect(answer.status).toBe(400);
        expect(answer.json.detail).toMatch(/^load failed: /);
      }
      expect(existsSync(join(outside, 'pwned.txt'))).toBe(false);
      expect((await d.call('GET', '/v1/workspaces/evil')).status).toBe(404);
    } finally {
      rmSync(outside, { recursive: true, force: true });
      rmSync(diskRoot, { recursive: true, force: true });
    }
  });
});

describe('s3 mounts in snapshots and versions', () => {
  let d: TestDaemon;
  let s3: S3rverFixture;
  beforeAll(async () => {
    s3 = await startS3rver('snap-bucket');
    d = await startTestDaemon();
  });
  afterAll(async () => {
    await d.close();
    await s3.stop();
  });

  it('keeps s3 as config with credentials redacted, and asks for them again on load', async () => {
    await s3.put('remote.txt', 'from the bucket\n');
    const config = { mounts: { '/': { resource: 'ram', mode: 'write' }, '/s3': { resource: 's3', mode: 'read', config: s3.config() } } };
    const created = await d.call('POST', '/v1/workspaces', { body: { config, id: 'with-s3' } });
    expect(created.status).toBe(201);
    await run(d, 'with-s3', 'echo local > l.txt');
    const tar = await download(d, 'with-s3');
    expect(tar.includes(Buffer.from(s3.config().aws_secret_access_key ?? 'S3RVER'))).toBe(false);
    const snapshot = await readSnapshot(tar);
    expect(snapshot.files.map((f) => f.path)).toEqual(['l.txt']);
    expect(snapshot.manifest.config.mounts['/s3']?.config).toMatchObject({
      aws_access_key_id: '<redacted>',
      aws_secret_access_key: '<redacted>',
      bucket: 'snap-bucket',
    });

    const refused = await upload(d, tar, { id: 'no-creds' });
    expect(refused.status).toBe(400);
    expect(refused.json.detail).toContain('/s3');
    expect((await d.call('GET', '/v1/workspaces/no-creds')).status).toBe(404);

    const creds = { aws_access_key_id: s3.config().aws_access_key_id, aws_secret_access_key: s3.config().aws_secret_access_key };
    const loaded = await upload(d, tar, { id: 'with-creds', override: { mounts: { '/s3': { config: creds } } } });
    expect(loaded.status).toBe(201);
    expect((await run(d, 'with-creds', 'cat /s3/remote.txt l.txt')).stdout).toBe('from the bucket\nlocal\n');

    // Versions keep only local files; the bucket is not copied into git.
    const commit = await d.call('POST', '/v1/workspaces/with-s3/commit', { body: { message: 'm' } });
    expect(commit.status).toBe(200);
    const tree = execFileSync('git', ['-C', join(d.home, 'repos', 'with-s3'), 'ls-tree', '-r', '--name-only', 'main'], {
      encoding: 'utf8',
    });
    expect(tree.trim().split('\n')).toEqual(['.mirage-meta.json', 'l.txt']);
    expect(
      execFileSync('git', ['-C', join(d.home, 'repos', 'with-s3'), 'show', 'main:.mirage-meta.json'], { encoding: 'utf8' }),
    ).not.toContain('S3RVER');
    // Clone at a version: credentials come from the live source, else the clone is refused naming the mount.
    const at = await d.call('POST', '/v1/workspaces/clone', { body: { source_id: 'with-s3', at: commit.json.version, id: 's3-at' } });
    expect(at.status).toBe(201);
    expect((await run(d, 's3-at', 'cat /s3/remote.txt')).stdout).toBe('from the bucket\n');
    expect((await d.call('POST', '/v1/workspaces/with-s3/close')).status).toBe(200);
    const orphan = await d.call('POST', '/v1/workspaces/clone', { body: { source_id: 'with-s3', at: commit.json.version } });
    expect(orphan.status).toBe(400);
    expect(orphan.json.detail).toContain('/s3');
    for (const id of ['with-creds', 's3-at']) await d.call('DELETE', `/v1/workspaces/${id}`);
  });
});
