// Version history of workspaces: one bare git repository per workspace under `root/<id>`,
// written with nodegit (libgit2). A version is a commit whose tree holds the files of every
// mount (`a.txt`, `m/a.txt`) plus `.mirage-meta.json`. Nothing here knows about HTTP or Nest.
import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { DEFAULT_BRANCH, type DiffResponse, type VersionEntry, type WorkspaceConfig } from '@mirage-ts/protocol';
import type { LiveTreeEntry, SessionState, TreeFile } from '@mirage-ts/workspace-core';
import type * as NodeGitTypes from 'nodegit';
import { BlobCache, type CachedBlob } from './blob-cache.js';
import { VersioningError } from './errors.js';
import { META_FORMAT, META_PATH, decodeMeta, encodeMeta, mountsOf, type VersionMeta } from './meta.js';
import { assertBranchName, assertRef, assertWorkspaceId, branchNameProblem, isHexRef } from './names.js';
import { ObjectWriter, gitObjectId } from './object-writer.js';
import { FILEMODE, GitEntryNames, TreeBuilder, type WrittenTrees } from './tree-builder.js';

type NodeGit = typeof NodeGitTypes;
type Repository = NodeGitTypes.Repository;

export { DEFAULT_BRANCH };
const AUTHOR = { name: 'mirage', email: 'mirage@local' } as const;
const GIT_EEXISTS = -4;
const GIT_EMODIFIED = -15;
const GIT_ITEROVER = -31;
const BLOB_WRITE_CONCURRENCY = 8;
const MAX_PRESENT_IDS = 1_000_000;
/** An empty, `.` or `..` segment anywhere in a `/`-separated path. */
const BAD_SEGMENT = /(^|\/)\.{0,2}(\/|$)/;

/** The live state of a workspace, as a commit or a diff sees it. */
export interface LiveState {
  /** Files, symlinks and directories of every versioned mount; read lazily. */
  entries: Iterable<LiveTreeEntry> | AsyncIterable<LiveTreeEntry>;
  sessions: readonly SessionState[];
  /** The workspace config with credentials already redacted; kept so a version can be rebuilt. */
  config?: WorkspaceConfig | null;
}

/** Everything a version holds, ready to restore into a workspace. */
export interface VersionContent {
  version: string;
  message: string;
  /** Directories, files and symlinks, parents before children. */
  files: TreeFile[];
  sessions: SessionState[];
  config: WorkspaceConfig | null;
}

export interface CommitOptions {
  message?: string;
  branch?: string;
}

export interface CommitResult {
  version: string;
  branch: string;
}

export interface BranchResult {
  branch: string;
  version: string;
}

/** What to compare: `a`/`b` are refs (branch names or commit ids); see VersionStore.diff. */
export interface DiffSpec {
  a?: string;
  b?: string;
  branch?: string;
}

export interface VersionStoreOptions {
  /** Directory holding one repository per workspace id; created on first commit. */
  root: string;
}

/** One file of a tree, flattened: its blob and exact permission bits. */
interface FlatEntry {
  oid: string;
  mode: number;
}

let nodegitLoading: Promise<NodeGit> | undefined;
/** nodegit costs ~0.2 s to load: only a daemon that touches versions pays for it. */
function loadNodeGit(): Promise<NodeGit> {
  nodegitLoading ??= import('nodegit').then((module) => ((module as unknown as { default?: NodeGit }).default ?? module) as NodeGit);
  return nodegitLoading;
}

function gitBlobId(data: Uint8Array): string {
  return gitObjectId('blob', data);
}

/** Code-point order: UTF-8 byte order is code-point order. */
function byCodePoint(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function gitErrno(error: unknown): number | undefined {
  const errno = (error as { errno?: unknown } | null)?.errno;
  return typeof errno === 'number' ? errno : undefined;
}

function implicitMode(filemode: number): number {
  if (filemode === FILEMODE.executable) return 0o755;
  if (filemode === FILEMODE.link) return 0o777;
  return 0o644;
}

export class VersionStore {
  readonly root: string;
  private readonly repos = new Map<string, Promise<Repository>>();
  private readonly caches = new Map<string, Promise<BlobCache>>();
  /** Per workspace: ids of objects this store wrote to (or found in) the repository. */
  private readonly present = new Map<string, Set<string>>();
  /** Per workspace: the trees of the last commit this store wrote, to reuse unchanged ones. */
  private readonly trees = new Map<string, WrittenTrees>();
  private readonly entryNames = new GitEntryNames();

  constructor(options: VersionStoreOptions) {
    this.root = resolve(options.root);
  }

  /** Directory of the repository of workspace `id` (checked to be one segment below root). */
  repoPath(id: string): string {
    assertWorkspaceId(id);
    const dir = resolve(this.root, id);
    if (!dir.startsWith(this.root + sep)) throw new VersioningError('invalid', `invalid workspace id: ${id}`);
    return dir;
  }

  /** Records the live state as a new version on `branch` (default main). */
  async commit(id: string, live: LiveState, options: CommitOptions = {}): Promise<CommitResult> {
    const branch = options.branch ?? DEFAULT_BRANCH;
    assertBranchName(branch);
    const message = options.message ?? '';
    const git = await loadNodeGit();
    const repo = await this.openRepo(id, true);
    if (repo === null) throw new Error('unreachable: repository was not created');

    const branches = await this.branchNames(repo);
    if (branches.length > 0 && !branches.includes(branch)) {
      throw new VersioningError('not_found', `no branch '${branch}'; create it first with \`mirage workspace branch\``);
    }
    const refName = `refs/heads/${branch}`;
    const parentId = branches.includes(branch) ? (await git.Reference.nameToId(repo, refName)).tostrS() : null;

    const treeId = await this.writeLiveTree(git, repo, id, live);
    const tree = await git.Tree.lookup(repo, treeId);
    const signature = git.Signature.now(AUTHOR.name, AUTHOR.email);
    const parents = parentId === null ? [] : [await git.Commit.lookup(repo, parentId)];
    const text = message === '' || message.endsWith('\n') ? message : `${message}\n`;
    const commitId = (await git.Commit.create(
      repo,
      null as unknown as string,
      signature,
      signature,
      'UTF-8',
      text,
      tree,
      parents.length,
      parents,
    )) as unknown as NodeGitTypes.Oid;

    const logMessage = `commit: ${message.split('\n')[0] ?? ''}`;
    try {
      if (parentId === null) {
        await git.Reference.create(repo, refName, commitId, 0, logMessage);
      } else {
        await git.Reference.createMatching(repo, refName, commitId, 1, git.Oid.fromString(parentId), logMessage);
      }
    } catch (error) {
      const errno = gitErrno(error);
      if (errno === GIT_EMODIFIED || errno === GIT_EEXISTS) {
        throw new VersioningError(
          'busy',
          `branch '${branch}' moved since this commit was prepared; refusing to overwrite (re-read the head and retry)`,
        );
      }
      throw error;
    }
    if (branches.length === 0 && branch !== DEFAULT_BRANCH) await repo.setHead(refName);
    return { version: commitId.tostrS(), branch };
  }

  /** Versions of `branch`, newest first; `[]` for an unknown branch or workspace. */
  async log(id: string, branch: string = DEFAULT_BRANCH): Promise<VersionEntry[]> {
    assertBranchName(branch);
    const repo = await this.openRepo(id, false);
    if (repo === null) return [];
    const git = await loadNodeGit();
    const head = await this.branchHead(git, repo, branch);
    if (head === null) return [];
    const walker = git.Revwalk.create(repo);
    walker.sorting(git.Revwalk.SORT.TOPOLOGICAL | git.Revwalk.SORT.TIME);
    walker.push(git.Oid.fromString(head));
    const versions: VersionEntry[] = [];
    for (;;) {
      let oid: NodeGitTypes.Oid;
      try {
        oid = await walker.next();
      } catch (error) {
        if (gitErrno(error) === GIT_ITEROVER) break;
        throw error;
      }
      const commit = await git.Commit.lookup(repo, oid);
      versions.push({ id: oid.tostrS(), message: commit.message().replace(/\n+$/, '') });
    }
    return versions;
  }

  /**
   * Creates branch `name` at the head of branch `from` (default main).
   * 409 if `name` exists, 404 `no such branch: <from>` if `from` does not.
   */
  async branch(id: string, name: string, from: string = DEFAULT_BRANCH): Promise<BranchResult> {
    assertBranchName(name);
    assertBranchName(from);
    const repo = await this.openRepo(id, false);
    if (repo === null) throw new VersioningError('not_found', `no such branch: ${from}`);
    const git = await loadNodeGit();
    if ((await this.branchHead(git, repo, name)) !== null) throw new VersioningError('already_exists', `branch already exists: ${name}`);
    const head = await this.branchHead(git, repo, from);
    if (head === null) throw new VersioningError('not_found', `no such branch: ${from}`);
    try {
      await git.Reference.create(repo, `refs/heads/${name}`, git.Oid.fromString(head), 0, `branch: created from ${from}`);
    } catch (error) {
      if (gitErrno(error) === GIT_EEXISTS) throw new VersioningError('already_exists', `branch already exists: ${name}`);
      throw error;
    }
    return { branch: name, version: head };
  }

  /** The full commit id `ref` (branch name, full or abbreviated commit id) names; 404 if none. */
  async resolve(id: string, ref: string): Promise<string> {
    assertRef(ref);
    const repo = await this.openRepo(id, false);
    if (repo === null) throw new VersioningError('not_found', `version not found: ${ref}`);
    return this.resolveIn(await loadNodeGit(), repo, ref);
  }

  /**
   * Compares two states; paths sorted by code point, `.mirage-meta.json` never listed.
   * - `a` and `b`: version a → version b (no live state needed);
   * - `a` only: version a → live;
   * - neither: head of `branch` (default main; empty before the first commit) → live.
   * `live` is undefined when the workspace is not live: then 404 `workspace not found`.
   */
  async diff(id: string, spec: DiffSpec, live: LiveState | undefined): Promise<DiffResponse> {
    const branch = spec.branch ?? DEFAULT_BRANCH;
    assertBranchName(branch);
    if (spec.b !== undefined && spec.a === undefined) throw new VersioningError('invalid', 'diff takes b only together with a');
    if (spec.a !== undefined) assertRef(spec.a);
    if (spec.b !== undefined) assertRef(spec.b);
    assertWorkspaceId(id);
    if (spec.b === undefined && live === undefined) throw new VersioningError('not_found', 'workspace not found');

    const repo = await this.openRepo(id, false);
    const git = await loadNodeGit();
    let base = new Map<string, FlatEntry>();
    if (spec.a !== undefined) {
      if (repo === null) throw new VersioningError('not_found', `version not found: ${spec.a}`);
      base = await this.flattenVersion(git, repo, await this.resolveIn(git, repo, spec.a));
    } else if (repo !== null) {
      const head = await this.branchHead(git, repo, branch);
      if (head !== null) base = await this.flattenVersion(git, repo, head);
    }
    let target: Map<string, FlatEntry>;
    if (spec.b !== undefined) {
      if (repo === null) throw new VersioningError('not_found', `version not found: ${spec.b}`);
      target = await this.flattenVersion(git, repo, await this.resolveIn(git, repo, spec.b));
    } else {
      target = await this.flattenLive(id, live as LiveState);
    }
    return compareTrees(base, target);
  }

  /** The content of version `ref`: files with exact modes, directories, sessions, config. */
  async read(id: string, ref: string): Promise<VersionContent> {
    assertRef(ref);
    const repo = await this.openRepo(id, false);
    if (repo === null) throw new VersioningError('not_found', `version not found: ${ref}`);
    const git = await loadNodeGit();
    const version = await this.resolveIn(git, repo, ref);
    const commit = await git.Commit.lookup(repo, version);
    const blobs = await this.treeBlobs(await commit.getTree());
    let meta = decodeMeta(null);
    const files: TreeFile[] = [];
    for (const blob of blobs) {
      const content = (await git.Blob.lookup(repo, blob.oid)).content();
      if (blob.path === META_PATH) {
        meta = decodeMeta(content);
        continue;
      }
      if (blob.filemode === FILEMODE.link) {
        files.push({ path: blob.path, kind: 'symlink', mode: 0o777, target: content.toString('utf8') });
      } else {
        files.push({ path: blob.path, kind: 'file', mode: implicitMode(blob.filemode), data: new Uint8Array(content) });
      }
    }
    for (const file of files) {
      const exact = meta.modes[file.path];
      if (typeof exact === 'number') file.mode = exact;
    }
    const dirs: TreeFile[] = Object.entries(meta.dirs).map(([path, mode]) => ({ path, kind: 'directory', mode }));
    const all = [...dirs, ...files].sort((x, y) => byCodePoint(x.path, y.path));
    return {
      version,
      message: commit.message().replace(/\n+$/, ''),
      files: all,
      sessions: meta.sessions.map((s) => ({ session_id: s.session_id, cwd: s.cwd, env: { ...s.env } })),
      config: meta.config,
    };
  }

  /** Deletes the repository of workspace `id` (no error if it has none). */
  async drop(id: string): Promise<void> {
    const dir = this.repoPath(id);
    const opening = this.repos.get(id);
    this.repos.delete(id);
    this.caches.delete(id);
    this.present.delete(id);
    this.trees.delete(id);
    if (opening !== undefined) {
      try {
        await (await opening).cleanup();
      } catch {
        // A repository that failed to open has nothing to release.
      }
    }
    await rm(dir, { recursive: true, force: true });
  }

  /** True if workspace `id` has a repository (it has been committed at least once). */
  async has(id: string): Promise<boolean> {
    return (await this.openRepo(id, false)) !== null;
  }

  // ---- internals ------------------------------------------------------------------------------

  private async openRepo(id: string, create: boolean): Promise<Repository | null> {
    const dir = this.repoPath(id);
    const open = this.repos.get(id);
    if (open !== undefined) return open;
    const exists = await access(join(dir, 'HEAD')).then(
      () => true,
      () => false,
    );
    if (!exists && !create) return null;
    const opening = (async () => {
      const git = await loadNodeGit();
      if (exists) return git.Repository.openBare(dir);
      await mkdir(this.root, { recursive: true });
      const repo = await git.Repository.init(dir, 1);
      // libgit2 0.27 starts HEAD at master; our default branch is main.
      await writeFile(join(dir, 'HEAD'), `ref: refs/heads/${DEFAULT_BRANCH}\n`);
      return repo;
    })();
    this.repos.set(id, opening);
    try {
      return await opening;
    } catch (error) {
      this.repos.delete(id);
      throw error;
    }
  }

  private cacheFor(id: string, repoDir: string | null): Promise<BlobCache> {
    const kept = this.caches.get(id);
    if (kept !== undefined) return kept;
    const cache = BlobCache.load(repoDir);
    // A cache made before the repository exists (a diff before the first commit) has nowhere to
    // save to: kept, it would stop the first commit's cache from ever being written.
    if (repoDir !== null) this.caches.set(id, cache);
    return cache;
  }

  private presentFor(id: string): Set<string> {
    let present = this.present.get(id);
    // A bound on memory: forgetting ids only means some objects are written again.
    if (present === undefined || present.size > MAX_PRESENT_IDS) {
      present = new Set();
      this.present.set(id, present);
    }
    return present;
  }

  private async branchNames(repo: Repository): Promise<string[]> {
    const git = await loadNodeGit();
    const names = await repo.getReferenceNames(git.Reference.TYPE.ALL);
    return names.filter((n) => n.startsWith('refs/heads/')).map((n) => n.slice('refs/heads/'.length));
  }

  private async branchHead(git: NodeGit, repo: Repository, branch: string): Promise<string | null> {
    try {
      return (await git.Reference.nameToId(repo, `refs/heads/${branch}`)).tostrS();
    } catch {
      return null;
    }
  }

  private async resolveIn(git: NodeGit, repo: Repository, ref: string): Promise<string> {
    if (branchNameProblem(ref) === null) {
      const head = await this.branchHead(git, repo, ref);
      if (head !== null) return head;
    }
    if (isHexRef(ref)) {
      try {
        const oid = git.Oid.fromString(ref.toLowerCase().padEnd(40, '0'));
        const commit = ref.length === 40 ? await git.Commit.lookup(repo, oid) : await git.Commit.lookupPrefix(repo, oid, ref.length);
        return commit.id().tostrS();
      } catch {
        // Unknown, ambiguous, or not a commit: all read as "no such version".
      }
    }
    throw new VersioningError('not_found', `version not found: ${ref}`);
  }

  /**
   * Writes new blobs (files whose cached blob is stored are not read again), the meta file and
   * the trees; returns the root tree id. Ids are hashed here and objects written in one batch
   * (see ObjectWriter); a tree or blob this store already wrote to the repository is skipped.
   */
  private async writeLiveTree(git: NodeGit, repo: Repository, id: string, live: LiveState): Promise<NodeGitTypes.Oid> {
    const dir = this.repoPath(id);
    const cache = await this.cacheFor(id, dir);
    const present = this.presentFor(id);
    const writer = new ObjectWriter(join(dir, 'objects'), present);
    const scanStarted = Date.now();
    const tree = new TreeBuilder();
    const meta: VersionMeta = {
      format: META_FORMAT,
      config: live.config ?? null,
      mounts: mountsOf(live.config),
      sessions: live.sessions.map((s) => ({ session_id: s.session_id, cwd: s.cwd, env: { ...s.env } })),
      modes: {},
      dirs: {},
    };
    const seen = new Set<string>();
    // Cached only once the batch is in the repository: a failed commit must not mark blobs stored.
    const written: Array<{ path: string; blob: CachedBlob }> = [];
    const store = (data: Uint8Array): Promise<string> => writer.add('blob', data);

    // Files are read a few at a time: a disk mount's reads overlap.
    const pending = new Set<Promise<void>>();
    let failure: { error: unknown } | undefined;
    const inFlight = async (task: Promise<void>): Promise<void> => {
      // Every task's failure is caught here, so none is left unhandled when the commit stops early.
      const tracked: Promise<void> = task
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => pending.delete(tracked));
      pending.add(tracked);
      if (pending.size >= BLOB_WRITE_CONCURRENCY) await Promise.race(pending);
      if (failure !== undefined) throw failure.error;
    };
    let rootTree: string;
    try {
      for (const entry of await entryList(live)) {
        const path = checkedPath(entry.path);
        const mode = entry.mode & 0o7777;
        if (entry.kind === 'directory') {
          meta.dirs[path] = mode;
          continue;
        }
        seen.add(path);
        const filemode = entry.kind === 'symlink' ? FILEMODE.link : mode & 0o100 ? FILEMODE.executable : FILEMODE.blob;
        if (implicitMode(filemode) !== mode) meta.modes[path] = mode;
        if (entry.kind === 'symlink') {
          tree.insertBlob(path, await store(Buffer.from(entry.target ?? '', 'utf8')), filemode);
          continue;
        }
        const hit = cache.lookup(path, entry.size, entry.mtimeMs, mode);
        if (hit !== undefined && hit.stored) {
          tree.insertBlob(path, hit.oid, filemode);
          continue;
        }
        const { size, mtimeMs } = entry;
        await inFlight(
          entry
            .read()
            .then(store)
            .then((oid) => {
              written.push({ path, blob: { size, mtimeMs, mode, oid, stored: true } });
              tree.insertBlob(path, oid, filemode);
            }),
        );
      }
      await Promise.all(pending);
      if (failure !== undefined) throw failure.error;
      tree.insertBlob(META_PATH, await store(encodeMeta(meta)), FILEMODE.blob);
      const checkName = (path: string, name: string, filemode: number) => this.entryNames.assert(git, repo, path, name, filemode);
      const built = await tree.write(writer, { previous: this.trees.get(id) ?? new Map(), present, checkName });
      rootTree = built.oid;
      await writer.finish();
      this.trees.set(id, built.trees);
    } catch (error) {
      await Promise.allSettled(pending);
      await writer.abort();
      throw error;
    }
    for (const { path, blob } of written) cache.remember(path, blob, scanStarted);
    cache.retainOnly(seen);
    await cache.save();
    return git.Oid.fromString(rootTree);
  }

  /** Blob ids and exact modes of the live tree, hashed in memory (nothing is written). */
  private async flattenLive(id: string, live: LiveState): Promise<Map<string, FlatEntry>> {
    const repo = await this.openRepo(id, false);
    const cache = await this.cacheFor(id, repo === null ? null : this.repoPath(id));
    const scanStarted = Date.now();
    const flat = new Map<string, FlatEntry>();
    for (const entry of await entryList(live)) {
      const path = checkedPath(entry.path);
      const mode = entry.mode & 0o7777;
      if (entry.kind === 'directory') continue;
      if (entry.kind === 'symlink') {
        flat.set(path, { oid: gitBlobId(Buffer.from(entry.target ?? '', 'utf8')), mode });
        continue;
      }
      const hit = cache.lookup(path, entry.size, entry.mtimeMs, mode);
      let oid = hit?.oid;
      if (oid === undefined) {
        oid = gitBlobId(await entry.read());
        cache.remember(path, { size: entry.size, mtimeMs: entry.mtimeMs, mode, oid, stored: false }, scanStarted);
      }
      flat.set(path, { oid, mode });
    }
    return flat;
  }

  private async flattenVersion(git: NodeGit, repo: Repository, version: string): Promise<Map<string, FlatEntry>> {
    const commit = await git.Commit.lookup(repo, version);
    const blobs = await this.treeBlobs(await commit.getTree());
    const metaBlob = blobs.find((b) => b.path === META_PATH);
    const meta = decodeMeta(metaBlob === undefined ? null : (await git.Blob.lookup(repo, metaBlob.oid)).content());
    const flat = new Map<string, FlatEntry>();
    for (const blob of blobs) {
      if (blob.path === META_PATH) continue;
      const exact = meta.modes[blob.path];
      flat.set(blob.path, { oid: blob.oid, mode: typeof exact === 'number' ? exact : implicitMode(blob.filemode) });
    }
    return flat;
  }

  private async treeBlobs(tree: NodeGitTypes.Tree, prefix = ''): Promise<Array<{ path: string; oid: string; filemode: number }>> {
    const found: Array<{ path: string; oid: string; filemode: number }> = [];
    for (const entry of tree.entries()) {
      const path = prefix === '' ? entry.name() : `${prefix}/${entry.name()}`;
      if (entry.isTree()) found.push(...(await this.treeBlobs(await entry.getTree(), path)));
      else found.push({ path, oid: entry.sha(), filemode: entry.filemode() as number });
    }
    return found;
  }
}

/** Tree paths are relative, `/`-separated, without `.`/`..`/empty segments; meta is reserved. */
function checkedPath(path: string): string {
  if (path.length === 0 || path.includes('\0') || BAD_SEGMENT.test(path)) {
    throw new VersioningError('invalid', `cannot version the path ${JSON.stringify(path)}`);
  }
  if (path === META_PATH) throw new VersioningError('invalid', `${META_PATH} at the workspace root is reserved for version metadata`);
  return path;
}

/**
 * The live entries as a sync iterable: `for await` would await every element, a promise each,
 * which a list already in hand does not need (10,000 entries: ~10 ms of a re-commit).
 */
async function entryList(live: LiveState): Promise<Iterable<LiveTreeEntry>> {
  if (Symbol.asyncIterator in live.entries) {
    const collected: LiveTreeEntry[] = [];
    for await (const entry of live.entries) collected.push(entry);
    return collected;
  }
  return live.entries;
}

function compareTrees(base: Map<string, FlatEntry>, target: Map<string, FlatEntry>): DiffResponse {
  const added: string[] = [];
  const modified: string[] = [];
  const deleted: string[] = [];
  for (const [path, entry] of target) {
    const before = base.get(path);
    if (before === undefined) added.push(path);
    else if (before.oid !== entry.oid || before.mode !== entry.mode) modified.push(path);
  }
  for (const path of base.keys()) if (!target.has(path)) deleted.push(path);
  return { added: added.sort(byCodePoint), modified: modified.sort(byCodePoint), deleted: deleted.sort(byCodePoint) };
}
