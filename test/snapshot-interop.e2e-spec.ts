// Snapshot interop with the reference project, end to end: its published SDK (a dev dependency,
// run in a child node) writes a tar that the real CLI loads into a real daemon, and reads a tar
// the daemon wrote with `workspace snapshot --format reference`. Build first: `npm run build`.
import { jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeEntryHeaders } from '../libs/workspace-core/src/snapshot/tar-header.js';
import { freePort, makeSandbox, runCli, stopDaemon, type CliRun, type Sandbox } from './support/cli.js';
import { loadReferenceSnapshot, writeReferenceSnapshot } from './support/reference-sdk.js';

jest.setTimeout(90_000);

const BINARY = Buffer.from([0, 1, 2, 255, 254, 10, 13, 0, 128]);

function expectExit(run: CliRun, code: number): void {
  if (run.code !== code) throw new Error(`expected exit ${code}, got ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
}

function tarOf(entries: Array<[string, string]>): Buffer {
  const pieces: Buffer[] = [];
  for (const [path, body] of entries) {
    const data = Buffer.from(body);
    pieces.push(Buffer.from(encodeEntryHeaders({ path, type: 'file', mode: 0o644, mtimeMs: 1_700_000_000_000, size: data.length })));
    pieces.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  pieces.push(Buffer.alloc(1024));
  return Buffer.concat(pieces);
}

describe('snapshot interop with the reference SDK', () => {
  let box: Sandbox;
  const cli = (args: string[]) => runCli(args, { env: box.env });

  beforeAll(async () => {
    const port = await freePort();
    box = makeSandbox({
      MIRAGE_DAEMON_URL: `http://127.0.0.1:${port}`,
      MIRAGE_DAEMON_PORT: String(port),
      MIRAGE_IDLE_GRACE_SECONDS: '600',
    });
  });
  afterAll(async () => {
    await stopDaemon(box.home);
    box.cleanup();
  });

  it('loads a tar the SDK wrote: files byte for byte, dirs, mount modes, sessions', async () => {
    const sdkDisk = join(box.root, 'sdk-disk');
    mkdirSync(join(sdkDisk, 'sub'), { recursive: true });
    writeFileSync(join(sdkDisk, 'bin.dat'), BINARY);
    const tar = join(box.root, 'sdk.tar');
    await writeReferenceSnapshot(tar, sdkDisk, [
      'mkdir -p /data/x/y && echo hello > /data/x/a.txt',
      'cp /disk/bin.dat /data/bin.dat',
      'echo on-disk > /disk/sub/e.txt',
      'cd /data/x',
      'export FOO=bar',
    ]);

    const loaded = await cli(['workspace', 'load', tar, '--id', 'from-sdk']);
    expectExit(loaded, 0);
    expect(loaded.json.mounts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ prefix: '/data/', resource: 'ram', mode: 'write' }),
        expect.objectContaining({ prefix: '/disk/', resource: 'disk', mode: 'write' }),
      ]),
    );
    const run = async (command: string) =>
      (await cli(['execute', '-w', 'from-sdk', '-c', command])).json as { stdout: string; exit_code: number };
    expect((await run('cat /data/x/a.txt')).stdout).toBe('hello\n');
    expect((await run('cat /disk/sub/e.txt')).stdout).toBe('on-disk\n');
    expect((await run('test -d /data/x/y && echo dir')).stdout).toBe('dir\n');
    expect((await run('base64 /data/bin.dat')).stdout.trim()).toBe(BINARY.toString('base64'));
    expect((await run('stat -c %a /data/x/a.txt')).stdout).toBe('644\n');
    // The default session kept its cwd and env; the other session came along.
    expect((await run('pwd; echo $FOO')).stdout).toBe('/data/x\nbar\n');
    const sessions = await cli(['session', 'list', 'from-sdk']);
    expect(sessions.json.map((s: { session_id: string }) => s.session_id)).toEqual(expect.arrayContaining(['default', 'second']));

    // The disk mount got a directory of its own (the format keeps no host root): a write there
    // leaves the SDK's directory alone.
    expectExit(await cli(['execute', '-w', 'from-sdk', '-c', 'echo changed > /disk/sub/e.txt']), 0);
    expect(readFileSync(join(sdkDisk, 'sub', 'e.txt'), 'utf8')).toBe('on-disk\n');
  });

  it("writes a tar with --format reference that the SDK's Workspace.load reads", async () => {
    const root = mkdtempSync(join(box.root, 'disk-'));
    const config = join(box.root, 'ws.yaml');
    writeFileSync(
      config,
      `mounts:\n  /:\n    resource: ram\n    mode: write\n  /disk:\n    resource: disk\n    mode: read\n    config:\n      root: ${root}\n`,
    );
    writeFileSync(join(root, 'host.txt'), 'from host\n');
    expectExit(await cli(['workspace', 'create', config, '--id', 'ours']), 0);
    expectExit(
      await cli(['execute', '-w', 'ours', '-c', 'mkdir -p /notes/empty && echo alpha > /notes/a.txt && cd /notes && export A=1']),
      0,
    );
    expectExit(await cli(['session', 'create', 'ours', '--id', 'agent-2']), 0);

    const out = join(box.root, 'ours-ref.tar');
    const snap = await cli(['workspace', 'snapshot', 'ours', out, '--format', 'reference']);
    expectExit(snap, 0);
    expect(snap.json.size).toBe(readFileSync(out).length);
    const manifest = JSON.parse(execFileSync('tar', ['xOf', out, 'manifest.json'], { encoding: 'utf8' })) as { version: number };
    expect(manifest.version).toBe(2);

    const sdkDisk = mkdtempSync(join(box.root, 'sdk-load-'));
    const view = await loadReferenceSnapshot(out, ['/notes', '/disk'], { '/disk/': sdkDisk });
    expect(view.files).toEqual({ '/notes/a.txt': 'alpha\n', '/disk/host.txt': 'from host\n' });
    expect(view.mounts).toEqual(
      expect.arrayContaining([
        { prefix: '/', mode: 'write' },
        { prefix: '/disk/', mode: 'read' },
      ]),
    );
    const byId = Object.fromEntries(view.sessions.map((s) => [s.session_id, s]));
    expect(Object.keys(byId)).toEqual(expect.arrayContaining(['agent-2']));
    const moved = view.sessions.find((s) => s.cwd === '/notes');
    expect(moved?.env).toMatchObject({ A: '1' });

    // The default format is still ours.
    const native = join(box.root, 'ours.tar');
    expectExit(await cli(['workspace', 'snapshot', 'ours', native]), 0);
    expect(readFileSync(native).toString('latin1')).toContain('"format": "mirage-snapshot"');
    const bad = await cli(['workspace', 'snapshot', 'ours', join(box.root, 'x.tar'), '--format', 'zip']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('Expected --format=zip to be one of: mirage, reference');
    expect(existsSync(join(box.root, 'x.tar'))).toBe(false);
  });

  it('the HTTP routes take format (GET query, POST body) and drift, refusing other values with 400', async () => {
    const url = box.env.MIRAGE_DAEMON_URL;
    const headers = {
      authorization: `Bearer ${readFileSync(join(box.home, 'auth_token'), 'utf8').trim()}`,
      'content-type': 'application/json',
    };
    const badGet = await fetch(`${url}/v1/workspaces/ours/snapshot?format=zip`, { headers });
    expect(badGet.status).toBe(400);
    expect(await badGet.json()).toEqual({ detail: 'format must be one of mirage, reference' });
    const get = await fetch(`${url}/v1/workspaces/ours/snapshot?format=reference`, { headers });
    expect(get.status).toBe(200);
    const downloaded = join(box.root, 'downloaded.tar');
    writeFileSync(downloaded, Buffer.from(await get.arrayBuffer()));
    expect(JSON.parse(execFileSync('tar', ['xOf', downloaded, 'manifest.json'], { encoding: 'utf8' }))).toMatchObject({ version: 2 });

    const post = await fetch(`${url}/v1/workspaces/ours/snapshot`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ path: 'ref.tar', format: 'reference' }),
    });
    expect(post.status).toBe(200);
    const written = join(box.home, 'snapshots', 'ref.tar');
    expect(JSON.parse(execFileSync('tar', ['xOf', written, 'manifest.json'], { encoding: 'utf8' }))).toMatchObject({ version: 2 });
    const badDrift = await fetch(`${url}/v1/workspaces/load`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ path: 'ref.tar', drift: 'maybe' }),
    });
    expect(badDrift.status).toBe(400);
    expect(await badDrift.json()).toEqual({ detail: 'drift must be one of strict, off' });
    const load = await fetch(`${url}/v1/workspaces/load`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ path: 'ref.tar', id: 'via-path', drift: 'off' }),
    });
    expect(load.status).toBe(201);
    const cat = await cli(['execute', '-w', 'via-path', '-c', 'cat /notes/a.txt']);
    expect(cat.json.stdout).toBe('alpha\n');
    // A read-only disk mount saved without a root is seeded in the directory made for it.
    const host = await cli(['execute', '-w', 'via-path', '-c', 'cat /disk/host.txt']);
    expect(host.json.stdout).toBe('from host\n');
  });

  it.each([
    ['an absolute blob path', '/etc/passwd', 'load failed: unsafe blob path "/etc/passwd"'],
    ['a .. blob path', 'mounts/0/../../../escape', 'load failed: unsafe blob path "mounts/0/../../../escape"'],
  ])('refuses %s with a 400, nothing written', async (_what, blob, message) => {
    const manifest = JSON.stringify({
      version: 2,
      sessions: [],
      history: [],
      jobs: [],
      fingerprints: [],
      mounts: [
        {
          index: 0,
          prefix: '/',
          mode: 'write',
          resource_class: 'ram',
          resource_state: { type: 'ram', files: { '/a.txt': { __file: blob } }, dirs: ['/'], modified: {} },
        },
      ],
    });
    const tar = join(box.root, 'evil.tar');
    writeFileSync(tar, tarOf([['manifest.json', manifest]]));
    const before = (await cli(['workspace', 'list'])).json.map((w: { id: string }) => w.id);
    const clones = join(box.home, 'state', 'clones');
    const clonesBefore = existsSync(clones) ? readdirSync(clones) : [];
    const run = await cli(['workspace', 'load', tar, '--id', 'evil']);
    expectExit(run, 2);
    expect(run.stderr).toBe(`daemon error 400: ${message}\n`);
    expect((await cli(['workspace', 'list'])).json.map((w: { id: string }) => w.id)).toEqual(before);
    expect(existsSync(clones) ? readdirSync(clones) : []).toEqual(clonesBefore);
  });
});
