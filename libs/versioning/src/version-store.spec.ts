import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LiveTreeEntry, SessionState } from '@mirage-ts/workspace-core';
import { VersioningError } from './errors.js';
import { branchNameProblem } from './names.js';
import { VersionStore, type LiveState } from './version-store.js';

// A live tree made of plain objects; `reads` counts how often each file's bytes were read.
interface FakeFile {
  kind?: 'file' | 'symlink' | 'directory';
  data?: string | Uint8Array;
  mode?: number;
  mtimeMs?: number;
  target?: string;
}

const OLD = Date.now() - 60_000;

class FakeTree {
  readonly reads = new Map<string, number>();
  constructor(
    public files: Record<string, FakeFile>,
    public sessions: SessionState[] = [{ session_id: 'default', cwd: '/', env: { A: '1' } }],
  ) {}

  state(): LiveState {
    return { entries: this.entries(), sessions: this.sessions, config: { mounts: { '/': { resource: 'ram', mode: 'write' } } } };
  }

  private entries(): LiveTreeEntry[] {
    return Object.entries(this.files).map(([path, file]) => {
      const bytes = typeof file.data === 'string' ? Buffer.from(file.data) : (file.data ?? new Uint8Array());
      const kind = file.kind ?? 'file';
      return {
        path,
        kind,
        mode: file.mode ?? (kind === 'directory' ? 0o755 : kind === 'symlink' ? 0o777 : 0o644),
        size: bytes.byteLength,
        mtimeMs: file.mtimeMs ?? OLD,
        target: file.target,
        read: async () => {
          this.reads.set(path, (this.reads.get(path) ?? 0) + 1);
          return bytes;
        },
      };
    });
  }
}

const git = (repo: string, ...args: string[]): string => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });

async function expectError(promise: Promise<unknown>, code: string, message?: string | RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VersioningError);
  expect((error as VersioningError).code).toBe(code);
  if (typeof message === 'string') expect((error as VersioningError).message).toBe(message);
  else if (message !== undefined) expect((error as VersioningError).message).toMatch(message);
}

describe('VersionStore', () => {
  let root: string;
  let store: VersionStore;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'mirage-versions-'));
    store = new VersionStore({ root: join(root, 'repos') });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('commits into a valid bare repository on main, authored by mirage, newest first', async () => {
    const tree = new FakeTree({ 'a.txt': { data: 'one\n' }, 'm/b.txt': { data: 'bee' } });
    const first = await store.commit('ws1', tree.state(), { message: 'first' });
    tree.files['a.txt'] = { data: 'two\n', mtimeMs: OLD + 1 };
    const second = await store.commit('ws1', tree.state(), { message: 'second\n\n' });

    expect(first).toEqual({ version: expect.stringMatching(/^[0-9a-f]{40}$/), branch: 'main' });
    expect(await store.log('ws1')).toEqual([
      { id: second.version, message: 'second' },
      { id: first.version, message: 'first' },
    ]);
    const repo = join(root, 'repos', 'ws1');
    expect(git(repo, 'rev-parse', '--is-bare-repository').trim()).toBe('true');
    expect(git(repo, 'symbolic-ref', 'HEAD').trim()).toBe('refs/heads/main');
    expect(git(repo, 'log', '--format=%H %an <%ae> %s').trim().split('\n')).toEqual([
      `${second.version} mirage <mirage@local> second`,
      `${first.version} mirage <mirage@local> first`,
    ]);
    expect(git(repo, 'ls-tree', '-r', '--name-only', 'main').trim().split('\n')).toEqual(['.mirage-meta.json', 'a.txt', 'm/b.txt']);
    expect(git(repo, 'show', 'main:a.txt')).toBe('two\n');
    execFileSync('git', ['-C', repo, 'fsck', '--strict', '--no-dangling'], { stdio: 'pipe' });
  });

  it('answers [] for versions before the first commit and creates nothing', async () => {
    expect(await store.log('nobody')).toEqual([]);
    expect(await store.log('nobody', 'dev')).toEqual([]);
    expect(existsSync(join(root, 'repos'))).toBe(false);
    await store.commit('ws', new FakeTree({ 'a.txt': { data: 'x' } }).state());
    expect(await store.log('ws', 'unknown')).toEqual([]);
  });

  it('diffs HEAD, a version or two versions against live state, sorted, never listing the meta file', async () => {
    const tree = new FakeTree({ 'b.txt': { data: 'b' }, 'a.txt': { data: 'a' }, 'gone.txt': { data: 'g' } });
    expect(await store.diff('ws', {}, tree.state())).toEqual({ added: ['a.txt', 'b.txt', 'gone.txt'], modified: [], deleted: [] });

    const v1 = await store.commit('ws', tree.state(), { message: 'v1' });
    expect(await store.diff('ws', {}, tree.state())).toEqual({ added: [], modified: [], deleted: [] });

    tree.files = { 'b.txt': { data: 'B!' }, 'a.txt': { data: 'a' }, 'z/new.txt': { data: 'n' }, 'c.txt': { data: 'c' } };
    tree.sessions = [{ session_id: 'default', cwd: '/z', env: {} }];
    const expected = { added: ['c.txt', 'z/new.txt'], modified: ['b.txt'], deleted: ['gone.txt'] };
    expect(await store.diff('ws', {}, tree.state())).toEqual(expected);
    expect(await store.diff('ws', { a: v1.version }, tree.state())).toEqual(expected);

    const v2 = await store.commit('ws', tree.state(), { message: 'v2' });
    expect(await store.diff('ws', { a: v1.version, b: v2.version }, undefined)).toEqual(expected);
    expect(await store.diff('ws', { a: v2.version, b: v1.version }, undefined)).toEqual({
      added: ['gone.txt'],
      modified: ['b.txt'],
      deleted: ['c.txt', 'z/new.txt'],
    });
    // A change of mode alone is a modification.
    tree.files['a.txt'] = { data: 'a', mode: 0o600 };
    expect(await store.diff('ws', {}, tree.state())).toEqual({ added: [], modified: ['a.txt'], deleted: [] });
  });

  it('sorts diff paths by code point', async () => {
    const tree = new FakeTree({
      'é.txt': { data: '1' },
      'z.txt': { data: '2' },
      'B.txt': { data: '3' },
      '\u{1F600}.txt': { data: '4' },
      '\uFF21.txt': { data: '5' },
    });
    expect((await store.diff('ws', {}, tree.state())).added).toEqual(['B.txt', 'z.txt', 'é.txt', '\uFF21.txt', '\u{1F600}.txt']);
  });

  it('needs a live workspace unless both versions are given', async () => {
    await store.commit('ws', new FakeTree({ 'a.txt': { data: 'x' } }).state());
    await expectError(store.diff('ws', {}, undefined), 'not_found', 'workspace not found');
    await expectError(store.diff('ws', { a: 'main' }, undefined), 'not_found', 'workspace not found');
    await expectError(store.diff('ws', { a: 'f'.repeat(40), b: 'main' }, undefined), 'not_found', `version not found: ${'f'.repeat(40)}`);
  });

  it('creates branches, commits on them, and keeps per-branch logs', async () => {
    const tree = new FakeTree({ 'a.txt': { data: 'a' } });
    await expectError(store.branch('ws', 'dev'), 'not_found', 'no such branch: main');
    const base = await store.commit('ws', tree.state(), { message: 'base' });

    expect(await store.branch('ws', 'dev')).toEqual({ branch: 'dev', version: base.version });
    await expectError(store.branch('ws', 'dev'), 'already_exists', 'branch already exists: dev');
    await expectError(store.branch('ws', 'feature/x', 'nope'), 'not_found', 'no such branch: nope');

    tree.files['b.txt'] = { data: 'b' };
    const onDev = await store.commit('ws', tree.state(), { message: 'on dev', branch: 'dev' });
    expect(onDev.branch).toBe('dev');
    expect((await store.log('ws', 'dev')).map((v) => v.message)).toEqual(['on dev', 'base']);
    expect((await store.log('ws')).map((v) => v.message)).toEqual(['base']);
    expect(await store.diff('ws', { branch: 'dev' }, tree.state())).toEqual({ added: [], modified: [], deleted: [] });
    expect(await store.diff('ws', { a: 'main', b: 'dev' }, undefined)).toEqual({ added: ['b.txt'], modified: [], deleted: [] });
    expect(await store.branch('ws', 'feature/x', 'dev')).toEqual({ branch: 'feature/x', version: onDev.version });
  });

  it('refuses a commit to an unknown branch once branches exist; the first commit may create any', async () => {
    const tree = new FakeTree({ 'a.txt': { data: 'a' } });
    const first = await store.commit('ws', tree.state(), { branch: 'trunk', message: 'm' });
    expect(first.branch).toBe('trunk');
    expect(git(join(root, 'repos', 'ws'), 'log', '--format=%s').trim()).toBe('m');
    await expectError(
      store.commit('ws', tree.state(), { branch: 'main' }),
      'not_found',
      "no branch 'main'; create it first with `mirage workspace branch`",
    );
  });

  it('refuses with busy when the branch head moved while the commit was prepared', async () => {
    const other = new VersionStore({ root: join(root, 'repos') });
    const tree = new FakeTree({ 'a.txt': { data: 'a' } });
    await store.commit('ws', tree.state(), { message: 'base' });
    let moved: string | undefined;
    const racing: LiveState = {
      sessions: [],
      entries: (async function* () {
        // Another writer commits on main while this commit is still reading the workspace.
        moved = (await other.commit('ws', new FakeTree({ 'b.txt': { data: 'b' } }).state(), { message: 'other' })).version;
        yield* new FakeTree({ 'c.txt': { data: 'c' } }).state().entries as LiveTreeEntry[];
      })(),
    };
    await expectError(
      store.commit('ws', racing, { message: 'late' }),
      'busy',
      /^branch 'main' moved since this commit was prepared; refusing to overwrite/,
    );
    expect((await store.log('ws')).map((v) => v.id)[0]).toBe(moved);
  });

  it('reads a version back byte for byte with modes, symlinks, empty directories, sessions and config', async () => {
    const binary = new Uint8Array(256).map((_, i) => i);
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i}`).join('\n');
    const sessions: SessionState[] = [
      { session_id: 'default', cwd: '/sub', env: { PATH: '/bin', X: 'ü' } },
      { session_id: 's2', cwd: '/', env: {} },
    ];
    const tree = new FakeTree(
      {
        sub: { kind: 'directory', mode: 0o755 },
        'sub/run.sh': { data: '#!/bin/sh\necho hi\n', mode: 0o755 },
        'sub/secret': { data: 'x', mode: 0o600 },
        'bin.dat': { data: binary },
        'empty.txt': { data: '' },
        'naïve – 文字.txt': { data: 'unicode' },
        'big.txt': { data: lines },
        link: { kind: 'symlink', target: 'sub/run.sh' },
        'void/inner': { kind: 'directory', mode: 0o700 },
        void: { kind: 'directory', mode: 0o755 },
      },
      sessions,
    );
    const { version } = await store.commit('ws', tree.state(), { message: 'all kinds' });
    const content = await store.read('ws', version);
    expect(content.version).toBe(version);
    expect(content.message).toBe('all kinds');
    expect(content.sessions).toEqual(sessions);
    expect(content.config).toEqual({ mounts: { '/': { resource: 'ram', mode: 'write' } } });
    const byPath = new Map(content.files.map((f) => [f.path, f]));
    expect(content.files.map((f) => f.path)).toEqual([
      'big.txt',
      'bin.dat',
      'empty.txt',
      'link',
      'naïve – 文字.txt',
      'sub',
      'sub/run.sh',
      'sub/secret',
      'void',
      'void/inner',
    ]);
    expect(Buffer.from(byPath.get('bin.dat')?.data ?? [])).toEqual(Buffer.from(binary));
    expect(Buffer.from(byPath.get('big.txt')?.data ?? []).toString()).toBe(lines);
    expect(byPath.get('empty.txt')?.data?.byteLength).toBe(0);
    expect(byPath.get('sub/run.sh')).toMatchObject({ kind: 'file', mode: 0o755 });
    expect(byPath.get('sub/secret')).toMatchObject({ kind: 'file', mode: 0o600 });
    expect(byPath.get('link')).toMatchObject({ kind: 'symlink', target: 'sub/run.sh' });
    expect(byPath.get('void/inner')).toMatchObject({ kind: 'directory', mode: 0o700 });
    const repo = join(root, 'repos', 'ws');
    expect(git(repo, 'ls-tree', 'main', 'link').split(/\s/)[0]).toBe('120000');
    expect(git(repo, 'ls-tree', 'main', 'sub/run.sh').split(/\s/)[0]).toBe('100755');
    execFileSync('git', ['-C', repo, 'fsck', '--strict', '--no-dangling'], { stdio: 'pipe' });
    // Restoring the read content as the live state leaves nothing to diff.
    const restored = new FakeTree(
      Object.fromEntries(content.files.map((f) => [f.path, { kind: f.kind, mode: f.mode, data: f.data, target: f.target }])),
    );
    expect(await store.diff('ws', { a: version }, restored.state())).toEqual({ added: [], modified: [], deleted: [] });
  });

  it('does not re-read unchanged files on later commits or diffs', async () => {
    const tree = new FakeTree({ 'a.txt': { data: 'a' }, 'b.txt': { data: 'b' } });
    await store.commit('ws', tree.state(), { message: '1' });
    expect(Object.fromEntries(tree.reads)).toEqual({ 'a.txt': 1, 'b.txt': 1 });
    tree.files['b.txt'] = { data: 'bb', mtimeMs: OLD + 5 };
    await store.commit('ws', tree.state(), { message: '2' });
    expect(Object.fromEntries(tree.reads)).toEqual({ 'a.txt': 1, 'b.txt': 2 });
    expect(await store.diff('ws', {}, tree.state())).toEqual({ added: [], modified: [], deleted: [] });
    expect(Object.fromEntries(tree.reads)).toEqual({ 'a.txt': 1, 'b.txt': 2 });
    // The cache survives a new store on the same root (a restarted daemon).
    const restarted = new VersionStore({ root: join(root, 'repos') });
    await restarted.commit('ws', tree.state(), { message: '3' });
    expect(Object.fromEntries(tree.reads)).toEqual({ 'a.txt': 1, 'b.txt': 2 });
  });

  it('keeps the blob cache across a restart also when a diff came before the first commit', async () => {
    const tree = new FakeTree({ 'a.txt': { data: 'a' } });
    // a diff before any commit: everything is added, no repository exists yet
    expect((await store.diff('ws', {}, tree.state())).added).toEqual(['a.txt']);
    await store.commit('ws', tree.state(), { message: '1' });
    const readsAfterCommit = tree.reads.get('a.txt');
    const restarted = new VersionStore({ root: join(root, 'repos') });
    await restarted.commit('ws', tree.state(), { message: '2' });
    expect(tree.reads.get('a.txt')).toBe(readsAfterCommit);
  });

  it('re-reads files modified within the racy window', async () => {
    const tree = new FakeTree({ 'a.txt': { data: 'a', mtimeMs: Date.now() } });
    await store.commit('ws', tree.state());
    await store.commit('ws', tree.state());
    expect(tree.reads.get('a.txt')).toBe(2);
  });

  it('resolves branch names, full and abbreviated ids; unknown ones are not_found', async () => {
    const { version } = await store.commit('ws', new FakeTree({ 'a.txt': { data: 'a' } }).state());
    expect(await store.resolve('ws', 'main')).toBe(version);
    expect(await store.resolve('ws', version)).toBe(version);
    expect(await store.resolve('ws', version.slice(0, 12).toUpperCase())).toBe(version);
    await expectError(store.resolve('ws', '0'.repeat(40)), 'not_found', `version not found: ${'0'.repeat(40)}`);
    await expectError(store.resolve('ws', 'nobranch'), 'not_found', 'version not found: nobranch');
    await expectError(store.read('ws', 'nobranch'), 'not_found', 'version not found: nobranch');
    await expectError(store.resolve('other', 'main'), 'not_found', 'version not found: main');
    await expectError(store.resolve('ws', '../x'), 'invalid');
  });

  it.each([
    ['../x'],
    ['-x'],
    ['/abs'],
    ['a\0b'],
    ['x'.repeat(256)],
    ['a..b'],
    ['a/.hidden'],
    ['a.lock'],
    ['a b'],
    ['a~1'],
    ['a^'],
    ['a:b'],
    ['x@{1}'],
    ['HEAD'],
    ['trailing/'],
    ['dot.'],
    [''],
  ])('refuses the branch name %j and writes nothing', async (name) => {
    expect(branchNameProblem(name)).not.toBeNull();
    await expectError(store.commit('ws', new FakeTree({ 'a.txt': { data: 'a' } }).state(), { branch: name }), 'invalid');
    await expectError(store.branch('ws', name), 'invalid');
    await expectError(store.branch('ws', 'ok', name), 'invalid');
    await expectError(store.log('ws', name), 'invalid');
    expect(existsSync(join(root, 'repos'))).toBe(false);
  });

  it.each([['feature/x-1'], ['v1.2'], ['UPPER_case'], ['x'.repeat(255)]])('accepts the branch name %j', (name) => {
    expect(branchNameProblem(name)).toBeNull();
  });

  it.each([['..'], ['.'], ['../escape'], ['a/b'], [''], ['a\0b'], ['/abs']])(
    'refuses the workspace id %j and writes nothing',
    async (id) => {
      await expectError(store.commit(id, new FakeTree({ 'a.txt': { data: 'a' } }).state()), 'invalid', `invalid workspace id: ${id}`);
      await expectError(store.log(id), 'invalid');
      await expectError(store.drop(id), 'invalid');
      expect(readdirSync(root)).toEqual([]);
    },
  );

  it('refuses tree paths that could escape and the reserved meta name', async () => {
    await expectError(store.commit('ws', new FakeTree({ '../x': { data: 'a' } }).state()), 'invalid');
    await expectError(store.commit('ws', new FakeTree({ '.mirage-meta.json': { data: '{}' } }).state()), 'invalid', /reserved/);
  });

  it('fails a commit whose file cannot be read, leaving the branch where it was', async () => {
    const tree = new FakeTree({ 'a.txt': { data: 'a' } });
    const base = await store.commit('ws', tree.state());
    const entries = Array.from({ length: 20 }, (_, i): LiveTreeEntry => ({
      path: `f${i}.txt`,
      kind: 'file',
      mode: 0o644,
      size: 1,
      mtimeMs: OLD,
      read: async () => {
        if (i % 7 === 3) throw new Error(`EIO reading f${i}.txt`);
        return Buffer.from('x');
      },
    }));
    await expect(store.commit('ws', { entries, sessions: [] })).rejects.toThrow(/EIO reading f3\.txt/);
    expect((await store.log('ws')).map((v) => v.id)).toEqual([base.version]);
  });

  it('drops a repository', async () => {
    await store.commit('ws', new FakeTree({ 'a.txt': { data: 'a' } }).state());
    expect(await store.has('ws')).toBe(true);
    await store.drop('ws');
    expect(existsSync(join(root, 'repos', 'ws'))).toBe(false);
    expect(await store.log('ws')).toEqual([]);
    await store.drop('never-existed');
    // A later commit under the same id starts a fresh history.
    await store.commit('ws', new FakeTree({ 'b.txt': { data: 'b' } }).state(), { message: 'fresh' });
    expect((await store.log('ws')).map((v) => v.message)).toEqual(['fresh']);
  });
});

// What git itself says about a committed tree: every path with its mode and blob id.
function lsTree(repo: string, ref: string): Map<string, { mode: string; oid: string }> {
  const listing = new Map<string, { mode: string; oid: string }>();
  for (const record of git(repo, 'ls-tree', '-r', '-z', ref).split('\0')) {
    if (record === '') continue;
    const [info, path] = record.split('\t') as [string, string];
    const [mode, , oid] = info.split(' ') as [string, string, string];
    listing.set(path, { mode, oid });
  }
  return listing;
}

function blobId(data: string | Uint8Array): string {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  return createHash('sha1').update(`blob ${bytes.byteLength}\0`).update(bytes).digest('hex');
}

/** The listing a FakeTree should commit to (meta file left out), as git would record it. */
function expectedListing(tree: FakeTree): Map<string, { mode: string; oid: string }> {
  const listing = new Map<string, { mode: string; oid: string }>();
  for (const [path, file] of Object.entries(tree.files)) {
    if (file.kind === 'directory') continue;
    if (file.kind === 'symlink') listing.set(path, { mode: '120000', oid: blobId(file.target ?? '') });
    else listing.set(path, { mode: (file.mode ?? 0o644) & 0o100 ? '100755' : '100644', oid: blobId(file.data ?? '') });
  }
  return listing;
}

function fsck(repo: string): void {
  execFileSync('git', ['-C', repo, 'fsck', '--strict', '--no-dangling', '--full'], { stdio: 'pipe' });
}

describe('VersionStore objects', () => {
  let root: string;
  let store: VersionStore;
  const repo = (): string => join(root, 'repos', 'ws');

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'mirage-objects-'));
    store = new VersionStore({ root: join(root, 'repos') });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** Commits, then checks the history with the git CLI: fsck, listing, and a read round trip. */
  async function commitAndCheck(tree: FakeTree, message: string): Promise<string> {
    const { version } = await store.commit('ws', tree.state(), { message });
    fsck(repo());
    const listing = lsTree(repo(), version);
    expect(listing.get('.mirage-meta.json')?.mode).toBe('100644');
    listing.delete('.mirage-meta.json');
    expect(Object.fromEntries(listing)).toEqual(Object.fromEntries(expectedListing(tree)));
    const content = await store.read('ws', version);
    expect(await store.diff('ws', { a: version }, tree.state())).toEqual({ added: [], modified: [], deleted: [] });
    const dirs = Object.entries(tree.files).filter(([, f]) => f.kind === 'directory');
    expect(content.files.filter((f) => f.kind === 'directory').map((f) => [f.path, f.mode])).toEqual(
      dirs.map(([path, f]) => [path, f.mode ?? 0o755]).sort(([a], [b]) => ((a as string) < (b as string) ? -1 : 1)),
    );
    return version;
  }

  function manyFiles(count: number): Record<string, FakeFile> {
    const files: Record<string, FakeFile> = {};
    for (let i = 0; i < count; i += 1) files[`d${Math.floor(i / 10)}/f${i % 10}.txt`] = { data: `file ${i}\n`.repeat(1 + (i % 5)) };
    return files;
  }

  it('writes trees byte-identical to the ones git builds, in git entry order', async () => {
    const files: Record<string, FakeFile> = {
      'a/inner.txt': { data: 'inner' },
      'a.txt': { data: 'dot' },
      'a-b': { data: 'dash' },
      a0: { data: 'zero' },
      ab: { data: 'ab' },
      'run.sh': { data: '#!/bin/sh\n', mode: 0o755 },
      link: { kind: 'symlink', target: 'a/inner.txt' },
      'é/ü.txt': { data: 'unicode' },
      'Z/deep/er/x': { data: 'x' },
    };
    const { version } = await store.commit('ws', new FakeTree(files).state());
    // The same files in a working tree, staged by git itself.
    const work = join(root, 'work');
    mkdirSync(work);
    git(work, 'init', '-q');
    for (const [path, file] of Object.entries(files)) {
      mkdirSync(join(work, path, '..'), { recursive: true });
      if (file.kind === 'symlink') symlinkSync(file.target ?? '', join(work, path));
      else writeFileSync(join(work, path), file.data ?? '');
      if (file.mode !== undefined) chmodSync(join(work, path), file.mode);
    }
    git(work, 'add', '-A');
    const expected = git(work, 'ls-files', '-s', '-z');
    expect(expected).toContain('a-b');
    for (const dir of ['a', 'é', 'Z', 'Z/deep']) {
      expect(git(repo(), 'rev-parse', `${version}:${dir}`).trim()).toBe(git(work, 'write-tree', `--prefix=${dir}/`).trim());
    }
    // The root differs from git's only by the meta file: removing it from ours gives git's tree.
    const ours = git(repo(), 'ls-tree', '-z', version)
      .split('\0')
      .filter((e) => e !== '' && !e.endsWith('\t.mirage-meta.json'));
    expect(ours).toEqual(
      git(work, 'ls-tree', '-z', git(work, 'write-tree').trim())
        .split('\0')
        .filter((e) => e !== ''),
    );
    fsck(repo());
  });

  it('re-commits after one change, a deleted file and dir, a new nested dir, a mode change and empty dirs', async () => {
    const tree = new FakeTree({
      ...manyFiles(150),
      'keep/empty': { kind: 'directory', mode: 0o700 },
      keep: { kind: 'directory', mode: 0o755 },
    });
    const first = await commitAndCheck(tree, 'many');
    // 150 files and their trees are more than a handful of objects: one pack, no loose objects.
    const packDir = join(repo(), 'objects', 'pack');
    expect(readdirSync(packDir).filter((f) => f.endsWith('.pack'))).toHaveLength(1);
    execFileSync('git', ['-C', repo(), 'verify-pack', join(packDir, readdirSync(packDir).find((f) => f.endsWith('.idx')) as string)]);

    tree.files['d3/f4.txt'] = { data: 'changed\n', mtimeMs: OLD + 1 };
    const second = await commitAndCheck(tree, 'one change');
    expect(git(repo(), 'diff-tree', '-r', '--name-only', '--no-commit-id', first, second).trim().split('\n')).toEqual(['d3/f4.txt']);
    // Only the changed file's tree and the root were rewritten; the others are the same objects.
    expect(git(repo(), 'rev-parse', `${first}:d4`)).toBe(git(repo(), 'rev-parse', `${second}:d4`));
    expect(git(repo(), 'rev-parse', `${first}:d3`)).not.toBe(git(repo(), 'rev-parse', `${second}:d3`));

    delete tree.files['d2/f1.txt'];
    for (let i = 0; i < 10; i += 1) delete tree.files[`d5/f${i}.txt`];
    tree.files['new/a/b/c.txt'] = { data: 'nested' };
    tree.files['new/a/empty'] = { kind: 'directory', mode: 0o750 };
    tree.files['d1/f1.txt'] = { ...tree.files['d1/f1.txt'], mode: 0o755 };
    tree.files['d1/f2.txt'] = { ...tree.files['d1/f2.txt'], mode: 0o600 };
    const third = await commitAndCheck(tree, 'reshaped');
    expect(lsTree(repo(), third).has('d5/f0.txt')).toBe(false);
    expect(() => git(repo(), 'rev-parse', '--verify', '-q', `${third}:d5`)).toThrow();
    expect((await store.read('ws', third)).files.find((f) => f.path === 'd1/f2.txt')?.mode).toBe(0o600);

    // The file comes back with its mode back: a mode change alone is a new version too.
    tree.files['d1/f1.txt'] = { ...tree.files['d1/f1.txt'], mode: 0o644 };
    await commitAndCheck(tree, 'mode back');
  });

  it('commits the same state twice as the same tree without writing objects again', async () => {
    const tree = new FakeTree(manyFiles(30));
    const first = await commitAndCheck(tree, 'one');
    const objects = (): string[] =>
      readdirSync(join(repo(), 'objects'))
        .filter((d) => /^[0-9a-f]{2}$/.test(d))
        .flatMap((d) => readdirSync(join(repo(), 'objects', d)).map((f) => d + f));
    const before = objects();
    const second = await commitAndCheck(tree, 'two');
    expect(git(repo(), 'rev-parse', `${first}^{tree}`)).toBe(git(repo(), 'rev-parse', `${second}^{tree}`));
    // The only new object is the commit itself.
    expect(objects().filter((o) => !before.includes(o))).toEqual([second]);
    // A restarted store (nothing in memory) writes the same tree again, still valid.
    store = new VersionStore({ root: join(root, 'repos') });
    const third = await commitAndCheck(tree, 'three');
    expect(git(repo(), 'rev-parse', `${third}^{tree}`)).toBe(git(repo(), 'rev-parse', `${first}^{tree}`));
  });

  it('stores large, incompressible and compressible files that git reads back byte for byte', async () => {
    const noise = new Uint8Array(randomBytes(300_000));
    const text = Buffer.from('all work and no play\n'.repeat(20_000));
    // Sizes around a stored deflate block (65,535 bytes) and an empty file, all inside the pack.
    const files: Record<string, FakeFile> = {
      ...manyFiles(120),
      'noise.bin': { data: noise },
      'text.txt': { data: text },
      'small.bin': { data: noise.subarray(0, 70_000) },
      'block.bin': { data: noise.subarray(0, 65_535) },
      'block1.bin': { data: noise.subarray(0, 65_536) },
      'empty.bin': { data: '' },
    };
    const tree = new FakeTree(files);
    const { version } = await store.commit('ws', tree.state());
    fsck(repo());
    // (Buffer.equals: jest's deep equality is slow on large buffers.)
    const blob = (spec: string): Buffer => execFileSync('git', ['-C', repo(), 'cat-file', 'blob', spec], { maxBuffer: 1 << 24 });
    expect(blob(`${version}:noise.bin`).equals(noise)).toBe(true);
    expect(blob(`${version}:small.bin`).equals(noise.subarray(0, 70_000))).toBe(true);
    expect(blob(`${version}:text.txt`).equals(text)).toBe(true);
    expect(blob(`${version}:block.bin`).equals(noise.subarray(0, 65_535))).toBe(true);
    expect(blob(`${version}:block1.bin`).equals(noise.subarray(0, 65_536))).toBe(true);
    expect(blob(`${version}:empty.bin`).byteLength).toBe(0);
    // Compressible text is stored compressed.
    const pack = readdirSync(join(repo(), 'objects', 'pack')).find((f) => f.endsWith('.pack')) as string;
    const packed = git(repo(), 'verify-pack', '-v', join(repo(), 'objects', 'pack', pack));
    const textLine = packed.split('\n').find((l) => l.startsWith(blobId(text))) as string;
    expect(Number(textLine.split(/\s+/)[3])).toBeLessThan(text.byteLength / 10);
    // A few new objects afterwards are written loose, as git does.
    const flipped = noise.map((b) => b ^ 1);
    tree.files['noise.bin'] = { data: flipped, mtimeMs: OLD + 1 };
    const { version: next } = await store.commit('ws', tree.state());
    fsck(repo());
    expect(readdirSync(join(repo(), 'objects', 'pack')).filter((f) => f.endsWith('.pack'))).toHaveLength(1);
    expect(blob(`${next}:noise.bin`).equals(flipped)).toBe(true);
  });

  it('leaves no partial pack behind when a commit fails half way', async () => {
    const entries: LiveTreeEntry[] = Array.from({ length: 200 }, (_, i) => ({
      path: `f${i}.txt`,
      kind: 'file',
      mode: 0o644,
      size: 3,
      mtimeMs: OLD,
      read: async () => {
        if (i === 150) throw new Error('EIO reading f150.txt');
        return Buffer.from(`x${i}`);
      },
    }));
    await expect(store.commit('ws', { entries, sessions: [] })).rejects.toThrow(/EIO/);
    const packDir = join(repo(), 'objects', 'pack');
    expect(existsSync(packDir) ? readdirSync(packDir) : []).toEqual([]);
    expect(await store.log('ws')).toEqual([]);
    // Nothing was remembered as stored: the next commit writes every blob.
    const tree = new FakeTree(manyFiles(100));
    await commitAndCheck(tree, 'after failure');
  });

  it('survives a damaged blob cache journal by reading the files again', async () => {
    const tree = new FakeTree(manyFiles(20));
    await commitAndCheck(tree, 'one');
    const journal = join(repo(), 'mirage-blob-cache.jsonl');
    expect(existsSync(journal)).toBe(true);
    writeFileSync(journal, '["d0/f0.txt",1,2,3,"not-an-oid",true]\n{garbage');
    tree.reads.clear();
    const restarted = new VersionStore({ root: join(root, 'repos') });
    store = restarted;
    tree.files['d0/f0.txt'] = { data: 'new', mtimeMs: OLD + 9 };
    await commitAndCheck(tree, 'two');
    expect(tree.reads.size).toBe(20);
  });

  it('takes over a blob cache saved in the earlier whole-file format, then keeps a journal', async () => {
    const tree = new FakeTree(manyFiles(12));
    const { version } = await store.commit('ws', tree.state());
    const legacy: Record<string, unknown> = {};
    for (const [path, { oid }] of lsTree(repo(), version)) {
      if (path !== '.mirage-meta.json')
        legacy[path] = { size: tree.files[path]?.data?.length, mtimeMs: OLD, mode: 0o644, oid, stored: true };
    }
    rmSync(join(repo(), 'mirage-blob-cache.jsonl'));
    writeFileSync(join(repo(), 'mirage-blob-cache.json'), JSON.stringify(legacy));
    tree.reads.clear();
    store = new VersionStore({ root: join(root, 'repos') });
    await commitAndCheck(tree, 'from legacy cache');
    expect(tree.reads.size).toBe(0);
    expect(existsSync(join(repo(), 'mirage-blob-cache.json'))).toBe(false);
    expect(existsSync(join(repo(), 'mirage-blob-cache.jsonl'))).toBe(true);
  });

  it('refuses names git would not check out, and keeps other names with "git" in them', async () => {
    for (const path of ['.git/config', 'sub/.git', 'sub/.GIT', 'sub/git~1']) {
      await expectError(store.commit('ws', new FakeTree({ [path]: { data: 'x' } }).state()), 'invalid', /not a valid name in a git tree/);
    }
    await commitAndCheck(new FakeTree({ '.gitignore': { data: 'x' }, 'digit.txt': { data: 'y' }, 'gitlab/.gitkeep': { data: '' } }), 'ok');
  });
});
