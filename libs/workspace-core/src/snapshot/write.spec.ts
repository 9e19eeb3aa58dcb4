import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { WorkspaceConfig } from '@mirage-ts/protocol';
import type { LiveTreeEntry } from '../tree.js';
import { createSnapshotStream, readSnapshot, writeSnapshotFile, type SnapshotSource } from './index.js';

const MTIME = 1_700_000_000_123;
const config: WorkspaceConfig = { mounts: { '/': { resource: 'ram', mode: 'write' } } };

/**
 * `size` patterned bytes as a view in the middle of a larger buffer whose other bytes are 0xee,
 * the way a backend may hand out part of an allocation: a writer that ignored the view's offset
 * or length would put 0xee into the tar.
 */
function patterned(size: number, seed: number): Uint8Array {
  const whole = new Uint8Array(size + 10).fill(0xee);
  const view = whole.subarray(3, 3 + size);
  for (let i = 0; i < size; i += 1) view[i] = (i * 31 + seed) & 0xff;
  return view;
}

function file(path: string, data: Uint8Array, mode = 0o644): LiveTreeEntry {
  return { path, kind: 'file', mode, size: data.byteLength, mtimeMs: MTIME, read: async () => data };
}

function symlink(path: string, target: string): LiveTreeEntry {
  return {
    path,
    kind: 'symlink',
    mode: 0o777,
    size: Buffer.byteLength(target),
    mtimeMs: MTIME,
    target,
    read: async () => new Uint8Array(),
  };
}

function directory(path: string, mode = 0o755): LiveTreeEntry {
  return { path, kind: 'directory', mode, size: 0, mtimeMs: MTIME, read: async () => new Uint8Array() };
}

/** Sizes around the 512-byte block, empty, and large enough to span many stream chunks. */
const EDGE_SIZES = [0, 1, 511, 512, 513, 1024 * 1024 + 7];

function edgeEntries(): LiveTreeEntry[] {
  const entries: LiveTreeEntry[] = [directory('a'), directory('a/b', 0o750), directory('a/b/c', 0o700)];
  EDGE_SIZES.forEach((size, i) => {
    entries.push(file(`top-${size}.bin`, patterned(size, i)));
    entries.push(file(`a/b/c/deep-${size}.bin`, patterned(size, i + 100), 0o600));
  });
  entries.push(symlink('a/b/c/far', `${'../'.repeat(40)}top-1.bin`), symlink('a/b/ünï', 'c/deep-0.bin'));
  entries.push(file(`a/${'long-name-'.repeat(15)}.bin`, patterned(513, 7)));
  // Many small files of varied sizes, around the sizes where the writer switches between
  // copying and passing bytes on, so staging buffers and batches fill and roll over.
  for (let i = 0; i < 160; i += 1) entries.push(file(`a/b/small-${i}.bin`, patterned((i * 977) % 20_000, i)));
  return entries;
}

function source(entries: Iterable<LiveTreeEntry> | AsyncIterable<LiveTreeEntry>): SnapshotSource {
  return { id: 'ws-edge', config, sessions: [{ session_id: 'default', cwd: '/', env: {} }], entries };
}

async function toBuffer(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function systemTar(args: string[]): string {
  const result = spawnSync('tar', args, { encoding: 'utf8' });
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  return result.stdout;
}

describe('snapshot writer', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mirage-snapshot-write-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips files of 0, 1, 511, 512, 513 bytes and 1 MB in nested directories byte for byte, streamed or to a file', async () => {
    const entries = edgeEntries();
    const streamed = await toBuffer(createSnapshotStream(source(entries)));
    const streamedFile = join(dir, 'streamed.tar');
    writeFileSync(streamedFile, streamed);
    const writtenFile = join(dir, 'written.tar');
    const size = await writeSnapshotFile(source(entries), writtenFile);
    expect(size).toBe(lstatSync(writtenFile).size);

    for (const tar of [streamed, readFileSync(writtenFile)]) {
      expect(tar.length % 512).toBe(0);
      expect(tar.subarray(tar.length - 1024).equals(Buffer.alloc(1024))).toBe(true);
      expect(tar.includes(Buffer.from([0xee, 0xee, 0xee]))).toBe(false);
      const loaded = await readSnapshot(tar);
      const byPath = new Map(loaded.files.map((f) => [f.path, f]));
      expect(loaded.files).toHaveLength(entries.length);
      for (const original of entries) {
        const restored = byPath.get(original.path);
        expect(restored).toMatchObject({ kind: original.kind, mode: original.mode, mtimeMs: MTIME });
        if (original.kind === 'symlink') expect(restored?.target).toBe(original.target);
        if (original.kind === 'file') expect(Buffer.from(restored?.data ?? []).equals(Buffer.from(await original.read()))).toBe(true);
      }
    }

    for (const tarFile of [streamedFile, writtenFile]) {
      // The system tar lists every entry with its size, and extracts identical bytes and modes.
      const sizes = new Map(
        systemTar(['-tvf', tarFile])
          .trim()
          .split('\n')
          .map((line) => line.trim().split(/\s+/))
          .map((fields) => [fields[fields.length - 1], Number(fields[2])]),
      );
      for (const original of entries.filter((e) => e.kind === 'file')) expect(sizes.get(`files/${original.path}`)).toBe(original.size);
      expect(sizes.get('files/a/b/c/')).toBe(0);

      const out = join(dir, `x-${tarFile === streamedFile ? 'streamed' : 'written'}`);
      mkdirSync(out);
      systemTar(['-xf', tarFile, '-C', out]);
      for (const original of entries) {
        const extracted = join(out, 'files', original.path);
        if (original.kind === 'symlink') {
          expect(readlinkSync(extracted)).toBe(original.target);
          continue;
        }
        expect(lstatSync(extracted).mode & 0o7777).toBe(original.mode);
        if (original.kind === 'file') expect(readFileSync(extracted).equals(Buffer.from(await original.read()))).toBe(true);
      }
      expect(lstatSync(join(out, 'files/top-513.bin')).mtimeMs).toBe(MTIME);
    }
  });

  it('reads files only as fast as the stream is consumed, and stops reading when it is destroyed', async () => {
    const total = 48;
    let reads = 0;
    let closed = false;
    const body = patterned(256 * 1024, 1);
    async function* entries(): AsyncGenerator<LiveTreeEntry> {
      try {
        for (let i = 0; i < total; i += 1) {
          yield {
            ...file(`f-${i}.bin`, body),
            read: async () => {
              reads += 1;
              return body;
            },
          };
        }
      } finally {
        closed = true;
      }
    }
    // Nobody reads: the writer fills about one batch (1 MB) and waits.
    const idle = createSnapshotStream(source(entries()));
    idle.on('readable', () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThanOrEqual(12);
    idle.destroy();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed).toBe(true);
    expect(reads).toBeLessThanOrEqual(12);

    // Read to the end, the same source gives every file.
    reads = 0;
    const whole = await toBuffer(createSnapshotStream(source(entries())));
    expect(reads).toBe(total);
    expect((await readSnapshot(whole)).files).toHaveLength(total);
  });

  it('fails the stream, and leaves no file behind, when reading a file fails midway', async () => {
    const failing: LiveTreeEntry = {
      ...file('broken.bin', new Uint8Array()),
      read: async () => Promise.reject(new Error('disk went away')),
    };
    const entries = [file('ok.bin', patterned(4 * 1024 * 1024, 2)), failing];
    await expect(toBuffer(createSnapshotStream(source(entries)))).rejects.toThrow('disk went away');
    await expect(writeSnapshotFile(source(entries), join(dir, 'out', 'snap.tar'))).rejects.toThrow('disk went away');
    expect(readdirSync(join(dir, 'out'))).toEqual([]);
  });
});
