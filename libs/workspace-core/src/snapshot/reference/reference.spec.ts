// The reference project's snapshot format against the real peer: its published SDK (a dev
// dependency, run in a child node process) writes tars we read, and reads tars we write.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { WorkspaceConfig } from '@mirage-ts/protocol';
import { loadReferenceSnapshot, writeReferenceSnapshot } from '../../../../../test/support/reference-sdk.js';
import { WorkspaceError } from '../../errors.js';
import type { LiveTreeEntry, SessionState, TreeFile } from '../../tree.js';
import {
  readSnapshot,
  readSnapshotFile,
  referenceSnapshotBytes,
  writeReferenceSnapshotFile,
  writeSnapshotFile,
  type SnapshotSource,
} from '../index.js';
import { encodeEntryHeaders } from '../tar-header.js';

const SESSIONS: SessionState[] = [
  { session_id: 'default', cwd: '/notes', env: { A: '1' } },
  { session_id: 'other', cwd: '/', env: {} },
];
const BINARY = Buffer.from([0, 1, 2, 255, 254, 10, 13, 0]);

function tarOf(entries: Array<[string, string | Uint8Array]>): Buffer {
  const pieces: Buffer[] = [];
  for (const [path, body] of entries) {
    const data = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
    pieces.push(Buffer.from(encodeEntryHeaders({ path, type: 'file', mode: 0o644, mtimeMs: 1_700_000_000_000, size: data.length })));
    pieces.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  pieces.push(Buffer.alloc(1024));
  return Buffer.concat(pieces);
}

function referenceManifest(files: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    version: 2,
    sessions: [{ session_id: 'default', cwd: '/', env: {} }],
    history: [],
    mounts: [
      {
        index: 0,
        prefix: '/data/',
        mode: 'write',
        resource_class: 'ram',
        resource_state: { type: 'ram', files, dirs: ['/'], modified: {} },
      },
    ],
    jobs: [],
    fingerprints: [],
    ...extra,
  });
}

const contents = (files: TreeFile[]): Record<string, string> =>
  Object.fromEntries(files.map((f) => [f.path, f.kind === 'file' ? Buffer.from(f.data ?? []).toString('latin1') : f.kind]));

describe('reference snapshots', () => {
  let scratch: string;
  let sdkTar: string;
  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'mirage-reference-'));
    const disk = join(scratch, 'sdk-disk');
    mkdirSync(join(disk, 'sub'), { recursive: true });
    writeFileSync(join(disk, 'sub', 'host.txt'), 'from the host\n');
    // The SDK's printf has no escapes: binary bytes come in through the disk mount's host dir.
    writeFileSync(join(disk, 'bin.dat'), BINARY);
    sdkTar = join(scratch, 'sdk.tar');
    await writeReferenceSnapshot(sdkTar, disk, [
      'mkdir -p /data/x/y && echo hello > /data/x/a.txt',
      'cp /disk/bin.dat /data/bin.dat',
      'echo disk > /disk/sub/e.txt',
      'cd /data/x',
      'export FOO=bar',
    ]);
  }, 90_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('reads a tar the published SDK wrote: mounts and modes, files byte for byte, dirs, sessions', async () => {
    const loaded = await readSnapshotFile(sdkTar);
    expect(loaded.origin).toBe('reference');
    expect(loaded.manifest.config.mounts).toEqual({
      '/data': { resource: 'ram', mode: 'write' },
      '/disk': { resource: 'disk', mode: 'write', config: {} },
    });
    expect(contents(loaded.files)).toEqual({
      data: 'directory',
      'data/bin.dat': BINARY.toString('latin1'),
      'data/x': 'directory',
      'data/x/a.txt': 'hello\n',
      'data/x/y': 'directory',
      disk: 'directory',
      'disk/bin.dat': BINARY.toString('latin1'),
      'disk/sub': 'directory',
      'disk/sub/e.txt': 'disk\n',
      'disk/sub/host.txt': 'from the host\n',
    });
    expect(loaded.files.find((f) => f.path === 'data/x/a.txt')).toMatchObject({ mode: 0o644, mtimeMs: expect.any(Number) });
    expect(loaded.manifest.sessions).toEqual([
      { session_id: 'default', cwd: '/data/x', env: { FOO: 'bar' } },
      { session_id: 'second', cwd: '/', env: {} },
    ]);
  });

  it('reads the same tar gzip-compressed', async () => {
    const plain = await readSnapshotFile(sdkTar);
    const zipped = await readSnapshot(gzipSync(readFileSync(sdkTar)));
    expect(contents(zipped.files)).toEqual(contents(plain.files));
    expect(zipped.manifest.sessions).toEqual(plain.manifest.sessions);
  });

  it('reads version 3 and refuses other versions', async () => {
    const blob: Array<[string, string]> = [['mounts/0/files/0.bin', 'v3']];
    const v3 = await readSnapshot(
      tarOf([['manifest.json', referenceManifest({ '/a.txt': { __file: 'mounts/0/files/0.bin' } }, { version: 3 })], ...blob]),
    );
    expect(contents(v3.files)).toEqual({ data: 'directory', 'data/a.txt': 'v3' });
    await expect(readSnapshot(tarOf([['manifest.json', referenceManifest({}, { version: 4 })]]))).rejects.toThrow(
      'load failed: reference snapshot version 4 is not supported (this daemon reads 2, 3)',
    );
  });

  it.each([
    ['an absolute blob path', { '/a.txt': { __file: '/etc/passwd' } }, 'unsafe blob path "/etc/passwd"'],
    ['a .. blob path', { '/a.txt': { __file: 'mounts/0/../../escape' } }, 'unsafe blob path "mounts/0/../../escape"'],
    ['a NUL in a blob path', { '/a.txt': { __file: 'mounts/0/files/a\u0000b' } }, 'unsafe blob path "mounts/0/files/a\\u0000b"'],
    ['a .. file path', { '/../../etc/cron': { __file: 'mounts/0/files/0.bin' } }, 'unsafe file path "/../../etc/cron"'],
    ['a missing blob', { '/a.txt': { __file: 'mounts/0/files/9.bin' } }, 'blob "mounts/0/files/9.bin" is not in the archive'],
    ['an inline value', { '/a.txt': 'text' }, 'is not a {"__file": ...} reference'],
  ])('refuses %s with a clear message', async (_what, files, message) => {
    const tar = tarOf([
      ['manifest.json', referenceManifest(files)],
      ['mounts/0/files/0.bin', 'x'],
    ]);
    const error = await readSnapshot(tar).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkspaceError);
    expect(error).toMatchObject({ code: 'invalid' });
    expect((error as Error).message).toContain(message);
  });

  it('refuses a tar entry that leaves mounts/', async () => {
    const tar = tarOf([
      ['manifest.json', referenceManifest({})],
      ['mounts/../../escape.bin', 'x'],
    ]);
    await expect(readSnapshot(tar)).rejects.toThrow('load failed: unsafe blob path "mounts/../../escape.bin"');
  });

  it('refuses a resource it does not serve, naming it', async () => {
    const manifest = JSON.parse(referenceManifest({})) as { mounts: Array<Record<string, unknown>> };
    manifest.mounts[0].resource_class = 'gdrive';
    await expect(readSnapshot(tarOf([['manifest.json', JSON.stringify(manifest)]]))).rejects.toThrow(
      'load failed: mount /data/: resource "gdrive" is not served here (ram and disk are)',
    );
  });

  describe('written by us', () => {
    const config: WorkspaceConfig = {
      mounts: { '/': { resource: 'ram', mode: 'write' }, '/disk': { resource: 'disk', mode: 'read', config: { root: '/nowhere' } } },
    };
    const MTIME = 1_700_000_000_000;
    const entry = (path: string, kind: TreeFile['kind'], data = ''): LiveTreeEntry => ({
      path,
      kind,
      mode: kind === 'directory' ? 0o755 : 0o644,
      size: data.length,
      mtimeMs: MTIME,
      read: async () => (path.endsWith('.dat') ? BINARY : Buffer.from(data)),
    });
    const entries = [
      entry('notes', 'directory'),
      entry('notes/empty', 'directory'),
      entry('notes/a.txt', 'file', 'alpha\n'),
      entry('top.dat', 'file'),
      entry('disk', 'directory'),
      entry('disk/deep', 'directory'),
      entry('disk/deep/d.txt', 'file', 'on disk\n'),
    ];
    const source: SnapshotSource = {
      id: 'w1',
      config,
      sessions: SESSIONS,
      entries,
    };

    it('is read back by our reader', async () => {
      const loaded = await readSnapshot(await referenceSnapshotBytes(source));
      expect(loaded.origin).toBe('reference');
      expect(contents(loaded.files)).toEqual({
        disk: 'directory',
        'disk/deep': 'directory',
        'disk/deep/d.txt': 'on disk\n',
        notes: 'directory',
        'notes/a.txt': 'alpha\n',
        'notes/empty': 'directory',
        'top.dat': BINARY.toString('latin1'),
      });
      expect(loaded.manifest.config.mounts['/disk']).toEqual({ resource: 'disk', mode: 'read', config: {} });
      expect(loaded.manifest.sessions).toEqual(SESSIONS);
    });

    it("is read by the published SDK's Workspace.load: files, modes, sessions", async () => {
      const tar = join(scratch, 'ours.tar');
      const size = await writeReferenceSnapshotFile(source, tar);
      expect(size).toBe(readFileSync(tar).length);
      const disk = mkdtempSync(join(scratch, 'sdk-load-disk-'));
      const view = await loadReferenceSnapshot(tar, ['/notes', '/disk'], { '/disk/': disk });
      expect(view.mounts).toEqual(
        expect.arrayContaining([
          { prefix: '/', mode: 'write' },
          { prefix: '/disk/', mode: 'read' },
        ]),
      );
      expect(view.files).toEqual({ '/notes/a.txt': 'alpha\n', '/disk/deep/d.txt': 'on disk\n' });
      expect(readFileSync(join(disk, 'deep', 'd.txt'), 'utf8')).toBe('on disk\n');
      expect(view.sessions).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ session_id: 'default', cwd: '/notes', env: { A: '1' } }),
          expect.objectContaining({ session_id: 'other' }),
        ]),
      );
    }, 60_000);

    it('leaves our own format the default and unchanged', async () => {
      const tar = join(scratch, 'native.tar');
      await writeSnapshotFile(source, tar);
      const loaded = await readSnapshotFile(tar);
      expect(loaded.origin).toBe('mirage');
      expect(loaded.manifest.format).toBe('mirage-snapshot');
    });
  });
});
