import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkspaceConfig } from '@mirage-ts/protocol';
import { Header } from 'tar';
import { WorkspaceError } from '../errors.js';
import type { LiveTreeEntry, TreeFile } from '../tree.js';
import {
  applyOverride,
  createSnapshotStream,
  mountsNeedingCredentials,
  readSnapshot,
  readSnapshotFile,
  requireCredentials,
  writeSnapshotFile,
  type SnapshotSource,
} from './index.js';

const binary = new Uint8Array(1024).map((_, i) => (i * 7) % 256);
const bigText = `${Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(i % 17)}`).join('\n')}\n`;
const MTIME = 1_700_000_000_123;

function entry(path: string, kind: TreeFile['kind'], mode: number, data?: string | Uint8Array, target?: string): LiveTreeEntry {
  const bytes = typeof data === 'string' ? Buffer.from(data) : (data ?? new Uint8Array());
  return { path, kind, mode, size: bytes.byteLength, mtimeMs: MTIME, target, read: async () => bytes };
}

const config: WorkspaceConfig = {
  mounts: {
    '/': { resource: 'ram', mode: 'write' },
    '/disk': { resource: 'disk', mode: 'write', config: { root: '/somewhere' } },
    '/s3': {
      resource: 's3',
      mode: 'read',
      config: { bucket: 'bkt', region: 'us-east-1', aws_access_key_id: 'AKIAEXAMPLE', aws_secret_access_key: 'sekrit' },
    },
  },
};

function source(): SnapshotSource {
  return {
    id: 'ws-1',
    config,
    sessions: [{ session_id: 'default', cwd: '/disk', env: { FOO: 'bär' } }],
    entries: [
      entry('bin.dat', 'file', 0o644, binary),
      entry('empty.txt', 'file', 0o644, ''),
      entry('naïve – 文字.txt', 'file', 0o644, 'unicode name'),
      entry('disk', 'directory', 0o755),
      entry('disk/nested', 'directory', 0o750),
      entry('disk/nested/deep', 'directory', 0o700),
      entry('disk/nested/deep/big.txt', 'file', 0o600, bigText),
      entry('disk/run.sh', 'file', 0o755, '#!/bin/sh\necho hi\n'),
      entry('disk/link', 'symlink', 0o777, undefined, 'nested/deep/big.txt'),
      entry(`${'long-dir-name/'.repeat(12)}file.txt`, 'file', 0o644, 'long path'),
      entry('s3/object.txt', 'file', 0o644, 'remote data, not snapshotted'),
    ],
  };
}

async function toBuffer(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/** A hand-made tar: the given headers (with data) and the end-of-archive blocks. */
function handMadeTar(entries: Array<{ path: string; type?: string; data?: string; linkpath?: string }>, withManifest = true): Buffer {
  const blocks: Buffer[] = [];
  const add = (path: string, type: string, data = '', linkpath?: string) => {
    const header = Buffer.alloc(512);
    new Header({ path, type: type as 'File', mode: 0o644, size: Buffer.byteLength(data), mtime: new Date(MTIME), linkpath }).encode(
      header,
      0,
    );
    blocks.push(header);
    if (data.length > 0) {
      const body = Buffer.alloc(Math.ceil(Buffer.byteLength(data) / 512) * 512);
      body.write(data);
      blocks.push(body);
    }
  };
  if (withManifest) {
    const manifest = {
      format: 'mirage-snapshot',
      version: 1,
      workspace_id: 'x',
      created_at: 1,
      config: { mounts: { '/': { resource: 'ram' } } },
      mounts: [{ prefix: '/', resource: 'ram', mode: 'write', files_included: true, needs_credentials: false }],
      sessions: [],
    };
    add('manifest.json', 'File', JSON.stringify(manifest));
  }
  for (const e of entries) add(e.path, e.type ?? 'File', e.data ?? '', e.linkpath);
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

async function expectRefused(input: Buffer, message: RegExp): Promise<void> {
  const error = await readSnapshot(input).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkspaceError);
  expect((error as WorkspaceError).code).toBe('invalid');
  expect((error as WorkspaceError).message).toMatch(message);
}

describe('snapshot format', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mirage-snapshot-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips files byte for byte with modes, mtimes, symlinks and directories; s3 keeps only its config', async () => {
    const tar = await toBuffer(createSnapshotStream(source()));
    expect(tar.subarray(257, 262).toString()).toBe('ustar');
    const loaded = await readSnapshot(tar);

    const byPath = new Map(loaded.files.map((f) => [f.path, f]));
    expect([...byPath.keys()].some((p) => p.startsWith('s3/'))).toBe(false);
    expect(Buffer.from(byPath.get('bin.dat')?.data ?? [])).toEqual(Buffer.from(binary));
    expect(byPath.get('empty.txt')?.data?.byteLength).toBe(0);
    expect(Buffer.from(byPath.get('naïve – 文字.txt')?.data ?? []).toString()).toBe('unicode name');
    expect(Buffer.from(byPath.get('disk/nested/deep/big.txt')?.data ?? []).toString()).toBe(bigText);
    expect(byPath.get('disk/nested/deep/big.txt')).toMatchObject({ kind: 'file', mode: 0o600, mtimeMs: MTIME });
    expect(byPath.get('disk/run.sh')).toMatchObject({ kind: 'file', mode: 0o755 });
    expect(byPath.get('disk/nested')).toMatchObject({ kind: 'directory', mode: 0o750 });
    expect(byPath.get('disk/link')).toMatchObject({ kind: 'symlink', target: 'nested/deep/big.txt' });
    expect(Buffer.from(byPath.get(`${'long-dir-name/'.repeat(12)}file.txt`)?.data ?? []).toString()).toBe('long path');

    expect(loaded.manifest.sessions).toEqual([{ session_id: 'default', cwd: '/disk', env: { FOO: 'bär' } }]);
    expect(loaded.manifest.workspace_id).toBe('ws-1');
    expect(loaded.manifest.mounts.map((m) => [m.prefix, m.resource, m.files_included, m.needs_credentials])).toEqual([
      ['/', 'ram', true, false],
      ['/disk', 'disk', true, false],
      ['/s3', 's3', false, true],
    ]);
    // Credentials are never written in clear.
    expect(tar.includes(Buffer.from('sekrit'))).toBe(false);
    expect(tar.includes(Buffer.from('AKIAEXAMPLE'))).toBe(false);
    expect(loaded.manifest.config.mounts['/s3']?.config).toEqual({
      bucket: 'bkt',
      region: 'us-east-1',
      aws_access_key_id: '<redacted>',
      aws_secret_access_key: '<redacted>',
    });
  });

  it('is readable by the system tar, which extracts identical bytes, modes and links', async () => {
    const file = join(dir, 'out', 'snap.tar');
    const size = await writeSnapshotFile(source(), file);
    expect(size).toBe(readFileSync(file).length);
    const listing = execFileSync('tar', ['-tf', file], { encoding: 'utf8' });
    expect(listing.split('\n')[0]).toBe('manifest.json');
    const out = join(dir, 'x');
    mkdirSync(out);
    execFileSync('tar', ['-xf', file, '-C', out]);
    expect(readFileSync(join(out, 'files/bin.dat'))).toEqual(Buffer.from(binary));
    expect(readFileSync(join(out, 'files/disk/nested/deep/big.txt'), 'utf8')).toBe(bigText);
    expect(readFileSync(join(out, 'files/naïve – 文字.txt'), 'utf8')).toBe('unicode name');
    expect(lstatSync(join(out, 'files/disk/run.sh')).mode & 0o777).toBe(0o755);
    expect(readlinkSync(join(out, 'files/disk/link'))).toBe('nested/deep/big.txt');
    expect(lstatSync(join(out, 'files/bin.dat')).mtimeMs).toBe(MTIME);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).format).toBe('mirage-snapshot');
    // Leaves no temporary file beside the snapshot.
    expect(readdirSync(join(dir, 'out'))).toEqual(['snap.tar']);
    expect((await readSnapshotFile(file)).files.length).toBeGreaterThan(5);
  });

  it('reports a missing snapshot file by the name the caller gave', async () => {
    await expect(readSnapshotFile(join(dir, 'nope.tar'), 'nope.tar')).rejects.toThrow('snapshot not found: nope.tar');
  });

  it('refuses input that is not a tar, or not a mirage snapshot', async () => {
    await expectRefused(Buffer.from('{"this": "is json, not a tar"}'), /^load failed: not a valid tar archive/);
    await expectRefused(Buffer.alloc(0), /^load failed: /);
    await expectRefused(handMadeTar([{ path: 'files/a.txt', data: 'a' }], false), /no manifest\.json/);
    await expectRefused(handMadeTar([{ path: 'manifest.json', data: '{}' }], false), /not a mirage snapshot/);
  });

  it.each([
    ['a parent-directory path', [{ path: 'files/../../escape.txt', data: 'x' }], /unsafe or unexpected entry/],
    ['an absolute path', [{ path: '/etc/evil', data: 'x' }], /unsafe or unexpected entry/],
    ['an absolute path under files', [{ path: 'files//etc/evil', data: 'x' }], /unsafe or unexpected entry/],
    ['a path outside files/', [{ path: 'other.txt', data: 'x' }], /unsafe or unexpected entry/],
    ['a dot segment', [{ path: 'files/a/./b', data: 'x' }], /unsafe or unexpected entry/],
    [
      'a file beneath a symlink',
      [
        { path: 'files/link', type: 'SymbolicLink', linkpath: '/etc' },
        { path: 'files/link/passwd', data: 'pwned' },
      ],
      /lies beneath symlink files\/link/,
    ],
    [
      'a file beneath a file',
      [
        { path: 'files/f', data: 'x' },
        { path: 'files/f/g', data: 'y' },
      ],
      /lies beneath file files\/f/,
    ],
    ['a hard link', [{ path: 'files/hard', type: 'Link', linkpath: '/etc/passwd' }], /unsupported type Link/],
    ['a device', [{ path: 'files/dev', type: 'CharacterDevice' }], /unsupported type CharacterDevice/],
    [
      'a duplicate entry',
      [
        { path: 'files/a', data: 'x' },
        { path: 'files/a', data: 'y' },
      ],
      /appears twice/,
    ],
  ])('refuses a tar with %s', async (_name, entries, message) => {
    await expectRefused(handMadeTar(entries), message);
  });

  it('keeps symlink targets as data, whatever they point to', async () => {
    const loaded = await readSnapshot(handMadeTar([{ path: 'files/up', type: 'SymbolicLink', linkpath: '../../etc/passwd' }]));
    expect(loaded.files).toEqual([{ path: 'up', kind: 'symlink', mode: 0o777, target: '../../etc/passwd', mtimeMs: 1_700_000_000_000 }]);
  });

  it('reads a snapshot re-packed by the system tar (./ prefixes, directory entries)', async () => {
    const first = join(dir, 'first.tar');
    await writeSnapshotFile(source(), first);
    const out = join(dir, 'x');
    mkdirSync(out);
    execFileSync('tar', ['-xf', first, '-C', out]);
    const repacked = join(dir, 'repacked.tar');
    execFileSync('tar', ['-cf', repacked, '-C', out, '.']);
    const loaded = await readSnapshotFile(repacked);
    expect(Buffer.from(loaded.files.find((f) => f.path === 'bin.dat')?.data ?? [])).toEqual(Buffer.from(binary));
    expect(loaded.files.find((f) => f.path === 'disk/link')).toMatchObject({ kind: 'symlink', target: 'nested/deep/big.txt' });
  });

  it('needs credentials for redacted mounts, named, and takes them from an override', async () => {
    const loaded = await readSnapshot(await toBuffer(createSnapshotStream(source())));
    expect(mountsNeedingCredentials(loaded.manifest.config)).toEqual(['/s3']);
    expect(() => requireCredentials(applyOverride(loaded.manifest.config, undefined))).toThrow(
      /^credentials were redacted for mount \/s3; supply them again/,
    );
    const merged = applyOverride(loaded.manifest.config, {
      mounts: { '/s3/': { resource: 's3', config: { aws_access_key_id: 'NEWKEY', aws_secret_access_key: 'newsecret' } } },
    });
    expect(() => requireCredentials(merged)).not.toThrow();
    expect(merged.mounts['/s3']?.config).toEqual({
      bucket: 'bkt',
      region: 'us-east-1',
      aws_access_key_id: 'NEWKEY',
      aws_secret_access_key: 'newsecret',
    });
    expect(merged.mounts['/disk']).toEqual(config.mounts['/disk']);
    // A different backend replaces the mount whole.
    const replaced = applyOverride(loaded.manifest.config, { mounts: { '/s3': { resource: 'ram', mode: 'write' } } });
    expect(replaced.mounts['/s3']).toEqual({ resource: 'ram', mode: 'write' });
    expect(() => applyOverride(config, { mounts: [] as unknown as WorkspaceConfig['mounts'] })).toThrow(
      /override mounts must be a mapping/,
    );
  });

  it('writes nothing when a source path is unsafe', async () => {
    const bad: SnapshotSource = { ...source(), entries: [entry('../escape', 'file', 0o644, 'x')] };
    await expect(writeSnapshotFile(bad, join(dir, 'bad.tar'))).rejects.toThrow(/unsafe path/);
    expect(readdirSync(dir)).toEqual([]);
    writeFileSync(join(dir, 'keep'), '');
  });
});
