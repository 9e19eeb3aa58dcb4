// The git trees of one commit: blobs are filed into directories as the live entries come in,
// then every directory is written as a tree object, children first. A directory whose entries
// equal those of the workspace's previous commit keeps that commit's tree id without hashing.
import type * as NodeGitTypes from 'nodegit';
import { VersioningError } from './errors.js';
import { encodeTree, type ObjectWriter, type TreeEntryInput } from './object-writer.js';

type NodeGit = typeof NodeGitTypes;
type Repository = NodeGitTypes.Repository;

export const FILEMODE = { blob: 0o100644, executable: 0o100755, link: 0o120000, tree: 0o040000 } as const;

/** A tree written by a commit: its entries (see treeKey) and its id. */
export interface WrittenTree {
  key: string;
  oid: string;
}

/** The trees of one commit, by directory path (`''` is the root). */
export type WrittenTrees = Map<string, WrittenTree>;

export interface TreeWriteOptions {
  /** Trees of the workspace's previous commit, by directory path. */
  previous: ReadonlyMap<string, WrittenTree>;
  /** Ids known to be in the repository: a previous tree is reused only if it is one of them. */
  present: ReadonlySet<string>;
  /** Refuses a name git would not check out; asked only for names mayNameGit lets through. */
  checkName(path: string, name: string, filemode: number): Promise<void>;
}

interface DirNode {
  blobs: Map<string, { oid: string; filemode: number }>;
  dirs: Map<string, DirNode>;
}

export class TreeBuilder {
  /** The directories of the tree being built, by path (`''` is the root). */
  private readonly index = new Map<string, DirNode>([['', { blobs: new Map(), dirs: new Map() }]]);

  /** Files a blob (or a symlink's target blob) at a tree path. */
  insertBlob(path: string, oid: string, filemode: number): void {
    const cut = path.lastIndexOf('/');
    this.dirNode(cut < 0 ? '' : path.slice(0, cut)).blobs.set(cut < 0 ? path : path.slice(cut + 1), { oid, filemode });
  }

  /** Adds the tree objects to `writer`'s batch; returns the root tree id and every tree written. */
  async write(writer: ObjectWriter, options: TreeWriteOptions): Promise<{ oid: string; trees: WrittenTrees }> {
    const trees: WrittenTrees = new Map();
    const oid = await writeTree(writer, options, trees, this.index.get('') as DirNode, '');
    return { oid, trees };
  }

  private dirNode(path: string): DirNode {
    const known = this.index.get(path);
    if (known !== undefined) return known;
    const cut = path.lastIndexOf('/');
    const parent = this.dirNode(cut < 0 ? '' : path.slice(0, cut));
    const node: DirNode = { blobs: new Map(), dirs: new Map() };
    parent.dirs.set(cut < 0 ? path : path.slice(cut + 1), node);
    this.index.set(path, node);
    return node;
  }
}

/** Adds the tree objects of a directory and its subdirectories to the batch; returns its id. */
async function writeTree(
  writer: ObjectWriter,
  options: TreeWriteOptions,
  trees: WrittenTrees,
  node: DirNode,
  path: string,
): Promise<string> {
  const entries: TreeEntryInput[] = [];
  for (const [name, child] of node.dirs) {
    // A name held both as a file and as a directory keeps the file (as libgit2's builder did).
    if (node.blobs.has(name)) continue;
    const childPath = path === '' ? name : `${path}/${name}`;
    if (mayNameGit(name)) await options.checkName(childPath, name, FILEMODE.tree);
    entries.push({ name, mode: FILEMODE.tree, oid: await writeTree(writer, options, trees, child, childPath) });
  }
  for (const [name, blob] of node.blobs) {
    if (mayNameGit(name)) await options.checkName(path === '' ? name : `${path}/${name}`, name, blob.filemode);
    entries.push({ name, mode: blob.filemode, oid: blob.oid });
  }
  const key = treeKey(entries);
  const before = options.previous.get(path);
  // The presence check guards against a stale map: a workspace deleted (and its repository
  // removed) while one of its commits was still running would otherwise put old ids back.
  const reusable = before !== undefined && before.key === key && options.present.has(before.oid);
  const oid = reusable ? before.oid : await writer.add('tree', encodeTree(entries));
  trees.set(path, { key, oid });
  return oid;
}

/** Whether a tree entry name could stand for `.git` (libgit2 then decides; see GitEntryNames). */
function mayNameGit(name: string): boolean {
  return /git/i.test(name) || (/[^\x20-\x7e]/.test(name) && /g/i.test(name));
}

/** The entries of a tree as one string, equal exactly when the entries are (names hold no NUL). */
function treeKey(entries: readonly TreeEntryInput[]): string {
  let key = '';
  for (const entry of entries) key += `${entry.mode} ${entry.name}\0${entry.oid}\0`;
  return key;
}

/**
 * Refuses tree entry names git would not check out (`.git` and the names file systems take
 * for it). The rule is libgit2's own: a name that could match is tried on a tree builder, and
 * the answer kept (an await per entry costs ~1 µs each, so only mayNameGit's names are asked).
 */
export class GitEntryNames {
  /** `<filemode>:<name>` → valid. */
  private readonly known = new Map<string, boolean>();

  async assert(git: NodeGit, repo: Repository, path: string, name: string, filemode: number): Promise<void> {
    const key = `${filemode}:${name}`;
    let valid = this.known.get(key);
    if (valid === undefined) {
      const builder = await git.Treebuilder.create(repo, undefined);
      try {
        // An object that does not exist: a valid name fails on the object instead (or passes).
        await builder.insert(name, git.Oid.fromString('f'.repeat(40)), filemode);
        valid = true;
      } catch (error) {
        valid = !/invalid name/i.test(error instanceof Error ? error.message : String(error));
      }
      if (this.known.size > 10_000) this.known.clear();
      this.known.set(key, valid);
    }
    if (!valid)
      throw new VersioningError(
        'invalid',
        `cannot version the path ${JSON.stringify(path)}: ${JSON.stringify(name)} is not a valid name in a git tree`,
      );
  }
}
