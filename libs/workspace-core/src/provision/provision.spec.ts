import { posix } from 'node:path';
import type { ProvisionResult } from '@mirage-ts/protocol';
import { Bash, InMemoryFs, MountableFs, type IFileSystem } from '../engine.js';
import { WorkspaceError } from '../errors.js';
import { S3Fs } from '../mounts/s3/index.js';
import { startS3rver, type S3rverFixture } from '../../../../test/support/s3rver-fixture.js';
import { S3_PRICING, provisionCommand, type ProvisionContext } from './index.js';

/** A small real workspace: a MountableFs with ram mounts (and optionally an S3Fs at /s3). */
function workspace(mounts: Record<string, { fs: IFileSystem; kind: string }>, cwd = '/'): ProvisionContext & { fs: MountableFs } {
  const fs = new MountableFs({ base: new InMemoryFs() });
  for (const [prefix, mount] of Object.entries(mounts)) fs.mount(prefix, mount.fs);
  const bash = new Bash({ fs, cwd });
  const mountOf = (path: string) =>
    Object.keys(mounts)
      .filter((prefix) => path === prefix || path.startsWith(`${prefix}/`))
      .sort((a, b) => b.length - a.length)[0];
  const sizeOf = async (path: string): Promise<number | undefined> => {
    const prefix = mountOf(path);
    const mount = prefix === undefined ? undefined : mounts[prefix];
    if (prefix !== undefined && mount?.fs instanceof S3Fs) return mount.fs.sizeOf(path.slice(prefix.length) || '/');
    if (!(await fs.exists(path))) return undefined;
    const stat = await fs.stat(path);
    if (stat.isFile) return stat.size;
    let total = 0;
    for (const name of await fs.readdir(path)) total += (await sizeOf(posix.join(path, name))) ?? 0;
    return total;
  };
  return {
    fs,
    cwd,
    env: { HOME: '/data', DIR: '/data' },
    sizeOf,
    resourceOf: (path) => {
      const prefix = mountOf(path);
      return prefix === undefined ? 'ram' : (mounts[prefix]?.kind ?? 'ram');
    },
    glob: async (pattern) => {
      // The real shell expands the pattern; nothing here re-implements globbing.
      const result = await bash.exec(`for f in ${pattern}; do [ -e "$f" ] && echo "$f"; done; true`, { cwd });
      return result.stdout.split('\n').filter((line) => line !== '');
    },
  };
}

function child(result: ProvisionResult, index: number): ProvisionResult {
  const found = result.children[index];
  if (found === undefined) throw new Error(`no child ${index} in ${JSON.stringify(result)}`);
  return found;
}

describe('provisionCommand on local (ram) mounts', () => {
  let ctx: ProvisionContext & { fs: MountableFs };

  beforeAll(async () => {
    const data = new InMemoryFs();
    ctx = workspace({ '/data': { fs: data, kind: 'ram' } });
    await ctx.fs.writeFile('/data/a.txt', 'one\ntwo\nthree\n'); // 14 bytes
    await ctx.fs.writeFile('/data/b.csv', 'x,y\n1,2\n'); // 8
    await ctx.fs.writeFile('/data/c.csv', 'x,y\n3,4\n5,6\n'); // 12
    await ctx.fs.writeFile('/data/sub/d.txt', 'deep\n'); // 5
  });

  it('returns the wire shape: kind, snake_case fields, one child per pipeline stage', async () => {
    const result = await provisionCommand('cat /data/a.txt | wc -l', ctx);
    expect(Object.keys(result).sort()).toEqual(
      [
        'kind',
        'op',
        'command',
        'children',
        'network_read_low',
        'network_read_high',
        'cache_read_low',
        'cache_read_high',
        'network_write_low',
        'network_write_high',
        'cache_write_low',
        'cache_write_high',
        'read_ops',
        'cache_hits',
        'precision',
        'estimated_cost_usd',
      ].sort(),
    );
    expect(result).toMatchObject({
      kind: 'provision',
      op: null,
      command: 'cat /data/a.txt | wc -l',
      cache_read_low: 14,
      cache_read_high: 14,
      network_read_high: 0,
      read_ops: 1,
      cache_hits: 1,
      precision: 'exact',
      estimated_cost_usd: null,
    });
    expect(result.children.map((c) => [c.op, c.command])).toEqual([
      ['cat', 'cat /data/a.txt'],
      ['wc', 'wc -l'],
    ]);
    expect(child(result, 1).read_ops).toBe(0); // reads its stdin, not a file
  });

  it('expands globs and variables, relative to cwd', async () => {
    const result = await provisionCommand('cat $DIR/*.csv', ctx);
    expect(result).toMatchObject({ cache_read_low: 20, cache_read_high: 20, read_ops: 2, precision: 'exact' });
    const relative = await provisionCommand('cd /data && wc -c *.csv sub/d.txt', ctx);
    expect(relative).toMatchObject({ cache_read_high: 25, read_ops: 3 });
    expect(await provisionCommand('cat ~/a.txt', ctx)).toMatchObject({ cache_read_high: 14 });
  });

  it('counts redirect writes with what the command prints', async () => {
    const result = await provisionCommand('cat /data/*.csv > /data/out.csv', ctx);
    expect(result).toMatchObject({ cache_read_high: 20, cache_write_low: 20, cache_write_high: 20, precision: 'exact' });
    const echo = await provisionCommand('echo hello > /data/h.txt; cat /data/h.txt', ctx);
    expect(echo).toMatchObject({ cache_write_high: 6, cache_read_high: 6, read_ops: 1, precision: 'exact' });
  });

  it('bounds head reads and marks them as a range', async () => {
    const bytes = await provisionCommand('head -c 5 /data/a.txt', ctx);
    expect(bytes).toMatchObject({ cache_read_low: 5, cache_read_high: 14, precision: 'range' });
    const lines = await provisionCommand('head -n 1 /data/a.txt > /data/first.txt', ctx);
    expect(lines).toMatchObject({ cache_read_low: 1, cache_read_high: 14, cache_write_low: 1, cache_write_high: 14, precision: 'range' });
  });

  it('treats grep -r, cp and find by their own rules', async () => {
    expect(await provisionCommand('grep -r deep /data/sub', ctx)).toMatchObject({ cache_read_high: 5, read_ops: 1 });
    expect(await provisionCommand('cp /data/a.txt /data/copy.txt', ctx)).toMatchObject({ cache_read_high: 14, cache_write_high: 14 });
    expect(await provisionCommand('mv /data/a.txt /data/moved.txt', ctx)).toMatchObject({ cache_read_high: 0, cache_write_high: 0 });
    expect(await provisionCommand('find /data -name "*.csv"', ctx)).toMatchObject({ cache_read_high: 0, read_ops: 0, precision: 'exact' });
  });

  it('says unknown for commands it does not model and operands it cannot know', async () => {
    const unknown = await provisionCommand('unknowncmd x', ctx);
    expect(unknown.precision).toBe('unknown');
    expect(child(unknown, 0).op).toBe('unknowncmd');
    expect((await provisionCommand('cat $(echo /data/a.txt)', ctx)).precision).toBe('unknown');
    expect((await provisionCommand('cat $NOT_SET', ctx)).precision).toBe('unknown');
    expect((await provisionCommand('while true; do cat /data/a.txt; done', ctx)).precision).toBe('unknown');
    const mixed = await provisionCommand('cat /data/a.txt; unknowncmd', ctx);
    expect(mixed).toMatchObject({ precision: 'unknown', cache_read_high: 14 });
    expect(child(mixed, 0).precision).toBe('exact');
  });

  it('follows for loops over known words and if branches as a range', async () => {
    const loop = await provisionCommand('for f in a.txt b.csv; do cat /data/$f; done', ctx);
    expect(loop).toMatchObject({ cache_read_high: 22, read_ops: 2, precision: 'exact' });
    expect(child(loop, 0).op).toBe('for');
    const branch = await provisionCommand('if true; then cat /data/a.txt; else cat /data/b.csv; fi', ctx);
    expect(branch).toMatchObject({ cache_read_low: 8, cache_read_high: 14, precision: 'range' });
  });

  it('models tee, sort -o, bash -c, shell functions and stderr redirects', async () => {
    expect(await provisionCommand('cat /data/b.csv | tee /data/t1 /data/t2 | wc -c', ctx)).toMatchObject({
      cache_read_high: 8,
      cache_write_low: 16,
      cache_write_high: 16,
      precision: 'exact',
    });
    expect(await provisionCommand('sort -o /data/sorted.csv /data/c.csv', ctx)).toMatchObject({
      cache_read_high: 12,
      cache_write_high: 12,
    });
    const inline = await provisionCommand("bash -c 'cat /data/a.txt /data/b.csv'", ctx);
    expect(inline).toMatchObject({ cache_read_high: 22, read_ops: 2, precision: 'exact' });
    expect(child(inline, 0).children.length).toBe(1);
    const fn = await provisionCommand('show() { cat /data/b.csv; }; show; show', ctx);
    expect(fn).toMatchObject({ cache_read_high: 16, read_ops: 2 });
    expect(await provisionCommand('cat /data/a.txt 2>/dev/null', ctx)).toMatchObject({ cache_read_high: 14, precision: 'exact' });
  });

  it('models each command family of the table: readers, writers, wrappers, declarations, archives', async () => {
    // wc prints a line per file and a total: at most 48 bytes a line plus the names.
    expect(await provisionCommand('wc -l /data/a.txt /data/b.csv > /data/n', ctx)).toMatchObject({
      cache_read_high: 22,
      cache_write_low: 6,
      cache_write_high: 166,
    });
    expect(await provisionCommand('base64 /data/a.txt > /data/e', ctx)).toMatchObject({
      cache_read_high: 14,
      cache_write_low: 20,
      cache_write_high: 22,
    });
    expect(await provisionCommand('uniq /data/a.txt /data/u', ctx)).toMatchObject({
      cache_read_high: 14,
      cache_write_low: 0,
      cache_write_high: 14,
    });
    expect(await provisionCommand('touch /data/a.txt /data/new; rm /data/b.csv; cat /data/new', ctx)).toMatchObject({
      cache_read_high: 0,
      cache_write_high: 0,
    });
    expect(await provisionCommand('nice command cat /data/a.txt', ctx)).toMatchObject({
      cache_read_high: 14,
      read_ops: 1,
      precision: 'exact',
    });
    expect(await provisionCommand('export F=/data/c.csv; cat $F', ctx)).toMatchObject({ cache_read_high: 12, precision: 'exact' });
    expect(await provisionCommand('printf x > /data/p', ctx)).toMatchObject({ precision: 'unknown' });
    const tar = await provisionCommand('tar cf /data/x.tar /data/a.txt /data/b.csv', ctx);
    expect(tar).toMatchObject({ cache_read_high: 22, cache_write_high: 22, precision: 'unknown' });
  });

  it('lets a shell function replace a command model, but not a text filter', async () => {
    // A function named like a modelled command is what runs...
    expect(await provisionCommand('grep() { cat /data/b.csv; }; grep x /data/a.txt', ctx)).toMatchObject({
      cache_read_high: 8,
      read_ops: 1,
    });
    // ...while the text filters are looked up first (as the walker always did; bash would run the function).
    expect(await provisionCommand('cat() { echo x; }; cat /data/a.txt', ctx)).toMatchObject({ cache_read_high: 14, read_ops: 1 });
  });

  it('refuses a command that does not parse', async () => {
    await expect(provisionCommand('cat "unterminated', ctx)).rejects.toThrow(WorkspaceError);
    await expect(provisionCommand('if then fi', ctx)).rejects.toThrow(/cannot parse command/);
  });

  it('runs nothing: files stay as they were', async () => {
    await provisionCommand('echo gone > /data/a.txt; rm -r /data/sub', ctx);
    expect(await ctx.fs.readFile('/data/a.txt')).toBe('one\ntwo\nthree\n');
    expect(await ctx.fs.exists('/data/sub/d.txt')).toBe(true);
  });
});

describe('provisionCommand against an s3 mount (real s3rver)', () => {
  let s3: S3rverFixture;
  let s3fs: S3Fs;
  let ctx: ProvisionContext & { fs: MountableFs };
  const big = 100_000;

  beforeAll(async () => {
    s3 = await startS3rver('mirage-provision-spec');
    await s3.put('big.bin', new Uint8Array(big).fill(7));
    await s3.put('t/one.csv', 'a,b\n1,2\n'); // 8
    await s3.put('t/two.csv', 'a,b\n3,4\n'); // 8
    s3fs = new S3Fs(s3.config());
    ctx = workspace({ '/s3': { fs: s3fs, kind: 's3' }, '/data': { fs: new InMemoryFs(), kind: 'ram' } });
  });
  afterAll(async () => {
    s3fs.destroy();
    await s3.stop();
  });

  it('counts s3 reads as network bytes and prices them', async () => {
    const result = await provisionCommand('cat /s3/big.bin | wc -c', ctx);
    expect(result).toMatchObject({
      network_read_low: big,
      network_read_high: big,
      cache_read_high: 0,
      read_ops: 1,
      cache_hits: 0,
      precision: 'exact',
    });
    const expected = S3_PRICING.getRequestUsd + (big / S3_PRICING.bytesPerGb) * S3_PRICING.egressUsdPerGb;
    expect(result.estimated_cost_usd).toBeCloseTo(expected, 12);
    expect(child(result, 0).estimated_cost_usd).toBeCloseTo(expected, 12);
    expect(child(result, 1).estimated_cost_usd).toBeNull();
  });

  it('head -c bounds the read of a big object', async () => {
    const result = await provisionCommand('head -c 10 /s3/big.bin', ctx);
    expect(result).toMatchObject({ network_read_low: 10, network_read_high: big, precision: 'range', read_ops: 1 });
  });

  it('globs on s3 and redirects to local storage', async () => {
    const result = await provisionCommand('cat /s3/t/*.csv > /data/all.csv', ctx);
    expect(result).toMatchObject({
      network_read_low: 16,
      network_read_high: 16,
      cache_write_low: 16,
      cache_write_high: 16,
      network_write_high: 0,
      read_ops: 2,
      precision: 'exact',
    });
    expect(result.estimated_cost_usd).toBeGreaterThan(0);
  });

  it('counts writes to s3 as network writes with a PUT', async () => {
    const result = await provisionCommand('cp /data/local.txt /s3/up.txt; echo hi > /s3/hi.txt', {
      ...ctx,
      sizeOf: async (path) => (path === '/data/local.txt' ? 1234 : ctx.sizeOf(path)),
    });
    expect(result).toMatchObject({ network_write_low: 1237, network_write_high: 1237, cache_read_high: 1234, cache_hits: 1 });
    expect(result.estimated_cost_usd).toBeCloseTo(2 * S3_PRICING.putRequestUsd, 12);
  });

  it('lists without reading: ls and find are metadata only', async () => {
    const result = await provisionCommand('ls /s3/t && find /s3 -type f', ctx);
    expect(result).toMatchObject({ network_read_high: 0, read_ops: 0 });
    expect(result.estimated_cost_usd).toBeCloseTo(2 * S3_PRICING.listRequestUsd, 12);
  });

  it('sizes a directory through S3Fs.sizeOf for grep -r', async () => {
    const result = await provisionCommand('grep -r 3 /s3/t', ctx);
    expect(result).toMatchObject({ network_read_high: 16, read_ops: 1 });
  });
});
