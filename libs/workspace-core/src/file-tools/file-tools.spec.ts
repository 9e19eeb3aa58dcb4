// The file-tools library over real workspaces (ram and a disk mount in a temp dir): the rules the
// daemon routes and any other adapter rely on. The HTTP and CLI sides are in test/file-tools.e2e-spec.ts.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { WorkspaceError, WorkspaceRegistry, type Workspace } from '../index.js';
import {
  editFile,
  extractTree,
  globFiles,
  globRegex,
  grepFiles,
  listFiles,
  packTree,
  readFileRange,
  resolveToolPath,
  writeFileBytes,
  writeFileStream,
} from './index.js';

const scratch = mkdtempSync(join(tmpdir(), 'mirage-file-tools-'));
const registry = new WorkspaceRegistry({ env: {} });
let workspace: Workspace;
const outside = join(scratch, 'outside.txt');

beforeAll(async () => {
  mkdirSync(join(scratch, 'disk'));
  writeFileSync(outside, 'secret\n');
  // A host symlink leaving the disk root: reads through it must be refused.
  symlinkSync(outside, join(scratch, 'disk', 'escape'));
  workspace = await registry.create({
    config: {
      mounts: {
        '/': { resource: 'ram', mode: 'write' },
        '/disk': { resource: 'disk', mode: 'write', config: { root: join(scratch, 'disk') } },
      },
    },
  });
  workspace.createSession({ session_id: 'ro', mounts: { '/': 'read', '/disk': 'read' } });
});

afterAll(async () => {
  await registry.closeAll();
  rmSync(scratch, { recursive: true, force: true });
});

const text = async (body: Readable): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

async function code(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    if (error instanceof WorkspaceError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'ok';
}

describe('paths', () => {
  it('resolves relative paths against the session cwd and refuses NUL and ..', async () => {
    await workspace.execute({ command: 'mkdir -p /w && cd /w' });
    const view = workspace.fileView();
    expect(resolveToolPath(view, 'a/./b.txt')).toBe('/w/a/b.txt');
    expect(resolveToolPath(view, '/x//y/')).toBe('/x/y');
    expect(() => resolveToolPath(view, 'a/../../etc')).toThrow(/'\.\.' segments/);
    expect(() => resolveToolPath(view, 'a\0b')).toThrow(/NUL/);
    expect(() => resolveToolPath(view, '')).toThrow(/required/);
    await workspace.execute({ command: 'cd /' });
  });

  it('a disk read never follows a host symlink out of the root', async () => {
    const view = workspace.fileView();
    expect(await code(readFileRange(view, { path: '/disk/escape' }))).toMatch(/^(not_found|forbidden|invalid)/);
    expect(await code(grepFiles(view, { pattern: 'secret', path: '/disk' }))).toBe('ok');
    expect((await grepFiles(view, { pattern: 'secret', path: '/disk' })).files).toEqual([]);
  });
});

describe('read, write, edit', () => {
  it('reads byte ranges on ram and disk alike', async () => {
    for (const base of ['', '/disk']) {
      const view = workspace.fileView();
      await writeFileBytes(view, `${base}/r.txt`, Buffer.from('0123456789'));
      const range = await readFileRange(view, { path: `${base}/r.txt`, offset: '3', limit: 4 });
      expect({ size: range.size, offset: range.offset, length: range.length, text: await text(range.body) }).toEqual({
        size: 10,
        offset: 3,
        length: 4,
        text: '3456',
      });
      expect(await text((await readFileRange(view, { path: `${base}/r.txt`, offset: 8 })).body)).toBe('89');
      expect(await text((await readFileRange(view, { path: `${base}/r.txt`, offset: 50 })).body)).toBe('');
      expect(await code(readFileRange(view, { path: `${base}/r.txt`, offset: '-1' }))).toMatch(
        /^invalid: offset must be a non-negative integer/,
      );
      expect(await code(readFileRange(view, { path: `${base}/r.txt`, limit: '1.5' }))).toMatch(/^invalid: limit/);
    }
  });

  it('a session ceiling refuses every change with forbidden, before anything is touched', async () => {
    const view = workspace.fileView('ro');
    expect(await code(writeFileBytes(view, '/disk/new.txt', Buffer.from('x')))).toBe('forbidden: cannot write to read-only mount /disk/');
    expect(await code(writeFileStream(view, '/new.txt', Readable.from([Buffer.from('x')]), 100))).toBe(
      'forbidden: cannot write to read-only mount /',
    );
    expect(await code(editFile(view, { path: '/disk/r.txt', old_string: '0', new_string: '1' }))).toBe(
      'forbidden: cannot write to read-only mount /disk/',
    );
    expect(await code(extractTree(view, '/disk/t', Readable.from([Buffer.alloc(1024)])))).toBe(
      'forbidden: cannot write to read-only mount /disk/',
    );
    expect(await code(readFileRange(view, { path: '/disk/r.txt' }))).toBe('ok');
  });

  it('writeFileStream refuses more than its cap and keeps the old content', async () => {
    const view = workspace.fileView();
    for (const path of ['/cap.txt', '/disk/cap.txt']) {
      await writeFileBytes(view, path, Buffer.from('old'));
      expect(await code(writeFileStream(view, path, Readable.from([Buffer.alloc(60), Buffer.alloc(60)]), 100))).toMatch(/^too_large/);
      expect(await text((await readFileRange(view, { path })).body)).toBe('old');
    }
    expect(readFileSync(join(scratch, 'disk', 'cap.txt'), 'utf8')).toBe('old');
  });

  it('edit keeps `$&` and friends literal in the new text', async () => {
    const view = workspace.fileView();
    await writeFileBytes(view, '/e.txt', Buffer.from('price: X\n'));
    await editFile(view, { path: '/e.txt', old_string: 'X', new_string: "$& $1 $$ $'" });
    expect(await text((await readFileRange(view, { path: '/e.txt' })).body)).toBe("price: $& $1 $$ $'\n");
    expect(await code(editFile(view, { path: '/e.txt', old_string: '', new_string: 'y' }))).toMatch(
      /^invalid: old_string must be a non-empty string/,
    );
    expect(await code(editFile(view, { path: '/e.txt', old_string: 'price', new_string: 'price' }))).toMatch(
      /^invalid: old_string and new_string are the same/,
    );
    await writeFileBytes(view, '/latin1.txt', Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    expect(await code(editFile(view, { path: '/latin1.txt', old_string: 'caf', new_string: 'tea' }))).toMatch(
      /^unprocessable: cannot edit a binary file \(not valid UTF-8\)/,
    );
  });
});

describe('ls, glob, grep', () => {
  beforeAll(async () => {
    const view = workspace.fileView();
    await writeFileBytes(view, '/g/a.ts', Buffer.from('one\ntwo match\nthree\nfour\nfive match\nsix\n'));
    await writeFileBytes(view, '/g/sub/b.ts', Buffer.from('match\n'));
    await writeFileBytes(view, '/g/sub/c.md', Buffer.from('match\n'));
    await writeFileBytes(view, '/g/.hidden/d.ts', Buffer.from('match\n'));
  });

  it('globRegex: ** spans directories, braces alternate, wildcards skip dotfiles', () => {
    expect(globRegex('**/*.ts').test('a.ts')).toBe(true);
    expect(globRegex('**/*.ts').test('x/y/a.ts')).toBe(true);
    expect(globRegex('**/*.ts').test('.hidden/a.ts')).toBe(false);
    expect(globRegex('.hidden/*.ts').test('.hidden/a.ts')).toBe(true);
    expect(globRegex('*.{ts,md}').test('c.md')).toBe(true);
    expect(globRegex('*.{ts,md}').test('c.txt')).toBe(false);
    expect(globRegex('[!a]*').test('b')).toBe(true);
    expect(globRegex('[!a]*').test('a')).toBe(false);
    expect(globRegex('a.b').test('axb')).toBe(false);
    expect(globRegex('x/**').test('x/y/z')).toBe(true);
  });

  it('globFiles and listFiles', async () => {
    const view = workspace.fileView();
    expect((await globFiles(view, { pattern: '**/*.ts', path: '/g' })).paths).toEqual(['/g/a.ts', '/g/sub/b.ts']);
    expect((await globFiles(view, { pattern: '/g/sub/*' })).paths).toEqual(['/g/sub/b.ts', '/g/sub/c.md']);
    expect((await globFiles(view, { pattern: 'nope/*.ts', path: '/g' })).paths).toEqual([]);
    expect(await code(globFiles(view, { pattern: '*', path: '/g/a.ts' }))).toMatch(/^invalid: not a directory/);
    expect(await code(globFiles(view, { pattern: '*', path: '/missing' }))).toMatch(/^not_found/);
    expect((await listFiles(view, '/g')).entries.map((entry) => `${entry.name}:${entry.type}`)).toEqual([
      '.hidden:directory',
      'a.ts:file',
      'sub:directory',
    ]);
  });

  it('grep merges context, stops at max_count, honours include', async () => {
    const view = workspace.fileView();
    const found = await grepFiles(view, { pattern: 'match', path: '/g/a.ts', context: 2 });
    expect(found.files[0].lines.map((line) => `${line.line}${line.match ? ':' : '-'}${line.text}`)).toEqual([
      '1-one',
      '2:two match',
      '3-three',
      '4-four',
      '5:five match',
      '6-six',
    ]);
    const capped = await grepFiles(view, { pattern: 'MATCH', path: '/g', ignore_case: true, max_count: 1, include: '*.ts' });
    expect(capped.files.map((file) => [file.path, file.count])).toEqual([
      ['/g/.hidden/d.ts', 1],
      ['/g/a.ts', 1],
      ['/g/sub/b.ts', 1],
    ]);
    expect((await grepFiles(view, { pattern: 'a.ts', path: '/g', fixed_strings: true })).files).toEqual([]);
    expect(await code(grepFiles(view, { pattern: '[', path: '/g' }))).toMatch(/^invalid: invalid regular expression/);
    const regex = await grepFiles(view, { pattern: '^(two|f.ve) MATCH$', path: '/g/a.ts', ignore_case: true });
    expect(regex.files[0].lines.map((line) => line.line)).toEqual([2, 5]);
  });

  it('grep streams large disk files line by line, across chunk boundaries and multi-byte characters', async () => {
    const view = workspace.fileView();
    // ~3 MiB of 'é' lines (2 bytes each), so characters and lines straddle the 64 KiB read chunks.
    const line = `${'é'.repeat(999)}`;
    const lines = Array.from({ length: 1500 }, (_, i) => (i % 500 === 499 ? `${line}needle${i + 1}` : line));
    await writeFileBytes(view, '/disk/huge.txt', Buffer.from(`${lines.join('\n')}\n`));
    const all = await grepFiles(view, { pattern: 'needle[0-9]+$', path: '/disk/huge.txt' });
    expect(
      all.files[0].lines.map((found) => [found.line, found.text.endsWith(`needle${found.line}`), found.text.startsWith('éé')]),
    ).toEqual([
      [500, true, true],
      [1000, true, true],
      [1500, true, true],
    ]);
    const first = await grepFiles(view, { pattern: 'needle', path: '/disk/huge.txt', max_count: 1, context: 1 });
    expect(first.files[0].lines.map((found) => [found.line, found.match])).toEqual([
      [499, false],
      [500, true],
      [501, false],
    ]);
    expect((await grepFiles(view, { pattern: 'needle', path: '/disk', count: true, include: 'huge.*' })).files).toEqual([
      expect.objectContaining({ count: 3, lines: [] }),
    ]);
  });

  it('grep patterns run in linear time: a backtracking bomb answers at once', async () => {
    const view = workspace.fileView();
    await writeFileBytes(view, '/g/bomb.txt', Buffer.from(`${'a'.repeat(5000)}b\n`));
    const started = Date.now();
    const result = await grepFiles(view, { pattern: '(a+)+$', path: '/g/bomb.txt' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result.files).toEqual([]); // the line ends in b: no match, found without backtracking
    expect((await grepFiles(view, { pattern: '(a+)+b$', path: '/g/bomb.txt' })).files[0].count).toBe(1);
  });
});

describe('tar', () => {
  it('packTree and extractTree round-trip a tree between ram and disk, cp -r style', async () => {
    const view = workspace.fileView();
    await writeFileBytes(view, '/t/x/one.txt', Buffer.from('1'));
    await writeFileBytes(view, '/t/x/deep/two.bin', Buffer.from([0, 1, 2, 255]));
    await view.fs.symlink('one.txt', '/t/x/link');
    const first = await extractTree(view, '/disk/copy', (await packTree(view, '/t/x')).stream);
    expect(first).toEqual({ path: '/disk/copy', files: 2, directories: 2, symlinks: 1, bytes: 5 });
    // Again, into the now existing directory: lands inside it.
    const second = await extractTree(view, '/disk/copy', (await packTree(view, '/t/x')).stream);
    expect(second.path).toBe('/disk/copy/x');
    expect(readFileSync(join(scratch, 'disk', 'copy', 'deep', 'two.bin'))).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(await view.fs.readlink('/disk/copy/x/link')).toBe('one.txt');
    expect(await code(extractTree(view, '/nowhere/deeper', (await packTree(view, '/t/x')).stream))).toMatch(/^not_found/);
  });
});

describe('glob cost', () => {
  it('refuses a segment with more * wildcards than the matcher can afford, and keeps ordinary ones', () => {
    expect(() => globRegex('*a*a*a*a*a*a*b')).toThrow(/more than 3 \* wildcards/);
    expect(globRegex('*a*a*b').test(`${'a'.repeat(200)}c`)).toBe(false);
    expect(globRegex('src/**/*.test.ts').test('src/a/b/x.test.ts')).toBe(true);
  });
});
