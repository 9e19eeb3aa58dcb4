import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Header, Pax } from 'tar';
import { encodeEntryHeaders, type TarEntryHeader } from './tar-header.js';

/** The entry as the `tar` package decodes our blocks: ustar fields, with pax records applied. */
function decode(blocks: Buffer): { header: Header; pax?: Record<string, unknown>; blocks: number } {
  expect(blocks.length % 512).toBe(0);
  const first = new Header(blocks, 0);
  expect(first.cksumValid).toBe(true);
  if (first.type !== 'ExtendedHeader') return { header: first, blocks: 1 };
  const size = first.size ?? 0;
  const body = blocks.subarray(512, 512 + size).toString('utf8');
  const pax = Pax.parse(body, undefined);
  const headerOffset = 512 + Math.ceil(size / 512) * 512;
  expect(blocks.length).toBe(headerOffset + 512);
  const header = new Header(blocks, headerOffset, pax as unknown as Record<string, unknown>);
  expect(header.cksumValid).toBe(true);
  return { header, pax: { ...pax }, blocks: blocks.length / 512 };
}

const base: TarEntryHeader = { path: 'files/a.txt', type: 'file', mode: 0o644, mtimeMs: 1_700_000_000_000, size: 5 };

describe('tar entry headers', () => {
  it('fit one ustar block when every value fits: name, mode, size, whole-second mtime, type', () => {
    const { header, blocks } = decode(Buffer.from(encodeEntryHeaders(base)));
    expect(blocks).toBe(1);
    expect(header).toMatchObject({ path: 'files/a.txt', type: 'File', mode: 0o644, size: 5, uid: 0, gid: 0 });
    expect(header.mtime?.getTime()).toBe(1_700_000_000_000);
    const exactly100 = `files/${'x'.repeat(94)}`;
    expect(decode(Buffer.from(encodeEntryHeaders({ ...base, path: exactly100 }))).header.path).toBe(exactly100);
    // ASCII control characters fit a ustar field (NUL never reaches here: such paths are refused).
    expect(decode(Buffer.from(encodeEntryHeaders({ ...base, path: 'files/new\nline' })))).toMatchObject({
      blocks: 1,
      header: { path: 'files/new\nline' },
    });
    expect(
      decode(Buffer.from(encodeEntryHeaders({ ...base, path: 'files/d/', type: 'directory', mode: 0o4755, size: 0 }))).header,
    ).toMatchObject({
      path: 'files/d/',
      type: 'Directory',
      mode: 0o4755,
    });
    expect(decode(Buffer.from(encodeEntryHeaders({ ...base, type: 'symlink', size: 0, linkpath: '../t' }))).header).toMatchObject({
      type: 'SymbolicLink',
      linkpath: '../t',
    });
  });

  it.each([
    ['a 101-byte path', { path: `files/${'x'.repeat(95)}` }, ['path']],
    ['a non-ASCII path', { path: 'files/naïve – 文字.txt' }, ['path']],
    ['a long symlink target', { type: 'symlink' as const, size: 0, linkpath: `${'../'.repeat(40)}target` }, ['linkpath']],
    ['milliseconds of mtime', { mtimeMs: 1_700_000_000_007 }, ['mtime']],
    ['an mtime before 1970', { mtimeMs: -1_500 }, ['mtime']],
    ['a size from 8 GiB', { size: 8 * 1024 ** 3 + 1 }, ['size']],
    ['everything at once', { path: `files/${'é'.repeat(80)}`, mtimeMs: 1_234_567, size: 2 ** 40 }, ['path', 'mtime', 'size']],
  ])('carry %s in a pax record, which the tar package reads back', (_name, change, keys) => {
    const entry: TarEntryHeader = { ...base, ...change };
    const { header, pax, blocks } = decode(Buffer.from(encodeEntryHeaders(entry)));
    expect(blocks).toBe(3);
    const carried = Object.entries(pax ?? {}).filter(
      ([key, value]) => value !== undefined && ['path', 'linkpath', 'mtime', 'size'].includes(key),
    );
    expect(carried.map(([key]) => key).sort()).toEqual([...keys].sort());
    expect(header.path).toBe(entry.path);
    expect(header.size).toBe(entry.size);
    expect(header.mtime?.getTime()).toBe(entry.mtimeMs);
    // A ReadEntry applies the pax link target; the bare Header keeps the ustar field.
    if (entry.linkpath !== undefined) expect(pax?.linkpath).toBe(entry.linkpath);
  });

  it('keep whole milliseconds of a fractional mtime (disk stat gives them), and 0 for one that is not a number', () => {
    expect(decode(Buffer.from(encodeEntryHeaders({ ...base, mtimeMs: 1_700_000_000_123.789 }))).header.mtime?.getTime()).toBe(
      1_700_000_000_123,
    );
    expect(decode(Buffer.from(encodeEntryHeaders({ ...base, mtimeMs: Number.NaN }))).header.mtime?.getTime()).toBe(0);
  });

  it('are read by the system tar with the exact names, sizes and mtimes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mirage-tar-header-'));
    try {
      const entries: Array<TarEntryHeader & { data: string }> = [
        { ...base, path: 'files/plain.txt', data: 'plain', size: 5 },
        { ...base, path: `files/${'long-'.repeat(30)}.txt`, mtimeMs: 1_700_000_000_250, data: 'long', size: 4 },
        { ...base, path: 'files/ünïcode.txt', data: '', size: 0 },
      ];
      const parts: Buffer[] = [];
      for (const entry of entries) {
        parts.push(Buffer.from(encodeEntryHeaders(entry)));
        const body = Buffer.alloc(Math.ceil(entry.size / 512) * 512);
        body.write(entry.data);
        parts.push(body);
      }
      parts.push(Buffer.alloc(1024));
      const file = join(dir, 'headers.tar');
      writeFileSync(file, Buffer.concat(parts));
      const listed = spawnSync('tar', ['--full-time', '--utc', '-tvf', file], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
      expect(listed.stderr).toBe('');
      const lines = listed.stdout.trim().split('\n');
      expect(lines.map((line) => line.slice(line.indexOf('files/')))).toEqual(entries.map((entry) => entry.path));
      expect(lines.map((line) => Number(line.trim().split(/\s+/)[2]))).toEqual(entries.map((entry) => entry.size));
      expect(lines[0]).toContain('2023-11-14 22:13:20');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
