// A just-bash file system over an S3 bucket (or a key prefix inside one).
//
// Paths map to keys under the configured prefix: `/dir/file.txt` -> `<prefix>dir/file.txt`.
// Directories are implied by key prefixes; `mkdir` writes a zero-byte `dir/` marker so an empty
// directory exists. S3 has no symlinks, hard links or permission bits: links are refused,
// chmod/utimes only check that the path exists. Errors are shaped like node's fs errors: the
// `CODE: text, op 'path'` message just-bash's own file systems print, and `code`, `errno`,
// `syscall` and `path` set (an S3 failure behind one is its `cause`).
import { constants } from 'node:os';
import { posix } from 'node:path';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  type ListObjectsCommandOutput,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import {
  runTrusted,
  unsafeBytesFromLatin1,
  type BufferEncoding,
  type ByteString,
  type CpOptions,
  type DirentEntry,
  type FileContent,
  type FsStat,
  type IFileSystem,
  type MkdirOptions,
  type ReadFileOptions,
  type RmOptions,
  type WriteFileOptions,
} from '../../engine.js';
import type { S3MountConfig } from './config.js';
import { driftOf, fingerprintOf, type S3Fingerprint } from './fingerprint.js';

const FILE_MODE = 0o644;
const DIR_MODE = 0o755;
/** Listings and stats are reused this long, so `ls -l` or `find` do not re-list per entry. */
const CACHE_TTL_MS = 1500;
/** Parallel requests for recursive copy and delete. */
const PARALLEL_REQUESTS = 8;
/** Up to this many keys, a directory is listed recursively in one go (see `list`). */
const TREE_LISTING_LIMIT = 5000;

interface Listing {
  /** Direct child files: name -> size and mtime. */
  files: Map<string, { size: number; mtime: Date }>;
  /** Direct child directories (common prefixes). */
  dirs: Set<string>;
  /** Whether anything (a child or this directory's own marker) exists under the prefix. */
  present: boolean;
}

type Cached<T> = { value: T; at: number };

/** The fields node sets on its own fs errors (NodeJS.ErrnoException, with all of them present). */
export interface S3FsError extends Error {
  code: string;
  errno: number;
  syscall: string;
  path: string;
}

function fsError(code: keyof typeof constants.errno, text: string, op: string, path: string, cause?: unknown): S3FsError {
  const error = new Error(`${code}: ${text}, ${op} '${path}'`, cause === undefined ? undefined : { cause }) as S3FsError;
  error.code = code;
  // Negative, as node reports it (libuv's convention).
  error.errno = -constants.errno[code];
  error.syscall = op;
  error.path = path;
  return error;
}
const enoent = (op: string, path: string) => fsError('ENOENT', 'no such file or directory', op, path);

function errorName(error: unknown): string {
  if (error && typeof error === 'object') {
    const e = error as { name?: unknown; $metadata?: { httpStatusCode?: number } };
    if (typeof e.name === 'string' && e.name !== 'Error' && e.name !== 'UnknownError') return e.name;
    if (e.$metadata?.httpStatusCode === 404) return 'NotFound';
  }
  return 'Error';
}

function isNotFound(error: unknown): boolean {
  const name = errorName(error);
  return name === 'NotFound' || name === 'NoSuchKey';
}

/** Turns an S3 failure that is not "not found" into an fs-style error a command can print. */
function s3Failure(error: unknown, op: string, path: string): Error {
  const name = errorName(error);
  if (name === 'AccessDenied' || name === 'Forbidden' || name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch') {
    return fsError('EACCES', `permission denied (s3: ${name})`, op, path, error);
  }
  const detail = error instanceof Error ? error.message : String(error);
  return fsError('EIO', `s3 request failed (${name}: ${detail})`, op, path, error);
}

function encodingOf(options: ReadFileOptions | WriteFileOptions | BufferEncoding | undefined | null): BufferEncoding {
  if (typeof options === 'string') return options;
  return options?.encoding ?? 'utf8';
}

function toBytes(content: FileContent, encoding: BufferEncoding): Uint8Array {
  if (typeof content !== 'string') return content;
  return Buffer.from(content, encoding === 'utf-8' ? 'utf8' : encoding);
}

async function inBatches<T>(items: readonly T[], fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += PARALLEL_REQUESTS) {
    await Promise.all(items.slice(i, i + PARALLEL_REQUESTS).map(fn));
  }
}

export class S3Fs implements IFileSystem {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly keyPrefix: string;
  private readonly listings = new Map<string, Cached<Listing>>();
  private readonly stats = new Map<string, Cached<FsStat | null>>();

  constructor(config: S3MountConfig) {
    this.bucket = config.bucket;
    this.keyPrefix = config.prefix ?? '';
    const options: S3ClientConfig = {
      region: config.region,
      forcePathStyle: config.force_path_style ?? config.endpoint_url !== undefined,
    };
    if (config.endpoint_url !== undefined) {
      options.endpoint = config.endpoint_url;
      // S3-compatible servers often reject the SDK's default CRC checksums: send them only when
      // the operation requires one.
      options.requestChecksumCalculation = 'WHEN_REQUIRED';
      options.responseChecksumValidation = 'WHEN_REQUIRED';
    }
    if (config.aws_access_key_id !== undefined && config.aws_secret_access_key !== undefined) {
      options.credentials = {
        accessKeyId: config.aws_access_key_id,
        secretAccessKey: config.aws_secret_access_key,
        ...(config.aws_session_token !== undefined ? { sessionToken: config.aws_session_token } : {}),
      };
    }
    this.client = new S3Client(options);
  }

  /**
   * A fingerprint of every file under the mount, sorted by path: ETags from one listing, and,
   * when the bucket keeps versions, each file's VersionId from a HeadObject.
   */
  async fingerprints(): Promise<S3Fingerprint[]> {
    const found: S3Fingerprint[] = [];
    try {
      for await (const page of this.pages(this.keyPrefix)) {
        for (const object of page.Contents ?? []) {
          if (object.Key === undefined || object.Key.endsWith('/')) continue;
          found.push(fingerprintOf(`/${object.Key.slice(this.keyPrefix.length)}`, { ETag: object.ETag }));
        }
      }
      if (await this.versioned()) {
        await inBatches(found, async (fingerprint) => {
          const head = await this.send(() =>
            this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.fileKey(fingerprint.path) })),
          );
          Object.assign(fingerprint, fingerprintOf(fingerprint.path, head));
        });
      }
    } catch (error) {
      throw s3Failure(error, 'snapshot', '/');
    }
    return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** The first of `recorded` (in its order) whose file changed, with why; undefined when none did. */
  async firstDrift(recorded: readonly S3Fingerprint[]): Promise<{ path: string; reason: string } | undefined> {
    const current = new Map((await this.fingerprints()).map((f) => [f.path, f]));
    for (const fingerprint of recorded) {
      const reason = driftOf(fingerprint, current.get(fingerprint.path));
      if (reason !== undefined) return { path: fingerprint.path, reason };
    }
    return undefined;
  }

  /** Whether the bucket keeps versions; a server without the call (s3rver) does not. */
  private async versioned(): Promise<boolean> {
    try {
      const answer = await this.send(() => this.client.send(new GetBucketVersioningCommand({ Bucket: this.bucket })));
      return answer.Status === 'Enabled' || answer.Status === 'Suspended';
    } catch {
      return false;
    }
  }

  /** Closes the client's sockets. */
  destroy(): void {
    this.client.destroy();
  }

  // ---- paths and keys ------------------------------------------------------------------------

  private normalize(path: string, op: string): string {
    if (path.includes('\0')) throw enoent(op, path);
    const normal = posix.normalize(`/${path}`);
    return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
  }

  private fileKey(path: string): string {
    return this.keyPrefix + path.slice(1);
  }

  private dirPrefix(path: string): string {
    return path === '/' ? this.keyPrefix : `${this.keyPrefix}${path.slice(1)}/`;
  }

  private send<T>(fn: () => Promise<T>): Promise<T> {
    return runTrusted(fn);
  }

  private invalidate(): void {
    this.listings.clear();
    this.stats.clear();
  }

  private fresh<T>(entry: Cached<T> | undefined): entry is Cached<T> {
    return entry !== undefined && Date.now() - entry.at < CACHE_TTL_MS;
  }

  // ---- S3 primitives -------------------------------------------------------------------------

  /**
   * One page of a key listing. This uses ListObjects (v1, marker paging), not v2: s3rver, the
   * S3-protocol server of our tests, fails every truncated v2 listing on Node 17+ (its
   * continuation tokens use DES, which OpenSSL 3 dropped); AWS serves both.
   */
  private listPage(prefix: string, delimiter?: string, marker?: string, maxKeys?: number): Promise<ListObjectsCommandOutput> {
    return this.send(() =>
      this.client.send(
        new ListObjectsCommand({ Bucket: this.bucket, Prefix: prefix, Delimiter: delimiter, Marker: marker, MaxKeys: maxKeys }),
      ),
    );
  }

  /** Every page of a listing; the next marker is NextMarker or else the last key or prefix seen. */
  private async *pages(prefix: string, delimiter?: string): AsyncGenerator<ListObjectsCommandOutput> {
    let marker: string | undefined;
    for (;;) {
      const page = await this.listPage(prefix, delimiter, marker);
      yield page;
      if (!page.IsTruncated) return;
      const last = [page.Contents?.at(-1)?.Key, page.CommonPrefixes?.at(-1)?.Prefix]
        .filter((value): value is string => value !== undefined)
        .sort()
        .at(-1);
      const next = page.NextMarker ?? last;
      if (next === undefined || next === marker) return;
      marker = next;
    }
  }

  /** The direct children of a directory (delimiter listing), cached briefly. */
  private async list(path: string, op: string): Promise<Listing> {
    const cached = this.listings.get(path);
    if (this.fresh(cached)) return cached.value;
    try {
      // A bounded recursive listing first: one answer then serves every subdirectory (`find`,
      // `grep -r`, `ls -R`) and does not depend on the server computing common prefixes (s3rver
      // misses a prefix holding only nested keys). A bigger tree falls back to a delimiter listing.
      const tree = await this.listTree(path);
      if (tree !== undefined) return tree;
      return await this.listShallow(path);
    } catch (error) {
      throw s3Failure(error, op, path);
    }
  }

  private async listTree(path: string): Promise<Listing | undefined> {
    const prefix = this.dirPrefix(path);
    const objects: { key: string; size: number; mtime: Date }[] = [];
    for await (const page of this.pages(prefix)) {
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        objects.push({ key: object.Key, size: object.Size ?? 0, mtime: object.LastModified ?? new Date(0) });
      }
      if (objects.length > TREE_LISTING_LIMIT) return undefined;
    }
    const listings = new Map<string, Listing>();
    const listingOf = (dir: string): Listing => {
      let listing = listings.get(dir);
      if (listing === undefined) {
        listing = { files: new Map(), dirs: new Set(), present: true };
        listings.set(dir, listing);
      }
      return listing;
    };
    const root = listingOf(path);
    root.present = objects.length > 0;
    for (const object of objects) {
      const segments = object.key.slice(prefix.length).split('/');
      const isMarker = segments.at(-1) === '';
      if (isMarker) segments.pop();
      if (segments.some((segment) => segment === '')) continue; // `a//b`: no path names it
      let dir = path;
      for (let i = 0; i < segments.length; i++) {
        const name = segments[i] as string;
        const isLeafFile = i === segments.length - 1 && !isMarker;
        if (isLeafFile) {
          listingOf(dir).files.set(name, { size: object.size, mtime: object.mtime });
        } else {
          listingOf(dir).dirs.add(name);
          dir = posix.join(dir, name);
          listingOf(dir);
        }
      }
    }
    for (const [dir, listing] of listings) this.remember(dir, listing);
    return root;
  }

  private async listShallow(path: string): Promise<Listing> {
    const prefix = this.dirPrefix(path);
    const listing: Listing = { files: new Map(), dirs: new Set(), present: false };
    for await (const page of this.pages(prefix, '/')) {
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        listing.present = true;
        const name = object.Key.slice(prefix.length);
        if (name === '' || name.includes('/')) continue; // this directory's own marker
        listing.files.set(name, { size: object.Size ?? 0, mtime: object.LastModified ?? new Date(0) });
      }
      for (const common of page.CommonPrefixes ?? []) {
        if (common.Prefix === undefined) continue;
        listing.present = true;
        const name = common.Prefix.slice(prefix.length, -1);
        if (name !== '') listing.dirs.add(name);
      }
    }
    this.remember(path, listing);
    return listing;
  }

  /** Caches a directory listing and the stats of its children. */
  private remember(path: string, listing: Listing): void {
    const now = Date.now();
    this.listings.set(path, { value: listing, at: now });
    for (const [name, file] of listing.files) {
      this.stats.set(posix.join(path, name), { value: this.fileStat(file.size, file.mtime), at: now });
    }
    for (const name of listing.dirs) {
      if (!listing.files.has(name)) this.stats.set(posix.join(path, name), { value: this.dirStat(), at: now });
    }
  }

  /** Every key under a directory (no delimiter), with sizes. */
  private async listAll(path: string, op: string): Promise<{ key: string; size: number }[]> {
    const prefix = this.dirPrefix(path);
    const keys: { key: string; size: number }[] = [];
    try {
      for await (const page of this.pages(prefix)) {
        for (const object of page.Contents ?? []) {
          if (object.Key !== undefined) keys.push({ key: object.Key, size: object.Size ?? 0 });
        }
      }
    } catch (error) {
      throw s3Failure(error, op, path);
    }
    return keys;
  }

  private fileStat(size: number, mtime: Date): FsStat {
    return { isFile: true, isDirectory: false, isSymbolicLink: false, mode: FILE_MODE, size, mtime };
  }

  private dirStat(): FsStat {
    return { isFile: false, isDirectory: true, isSymbolicLink: false, mode: DIR_MODE, size: 0, mtime: new Date(0) };
  }

  /** Stat or null when absent. A key wins over a directory prefix of the same name. */
  private async lookup(path: string, op: string): Promise<FsStat | null> {
    if (path === '/') return this.dirStat();
    const cached = this.stats.get(path);
    if (this.fresh(cached)) return cached.value;
    // A fresh listing of the parent that does not name it means it is absent.
    const parent = this.listings.get(posix.dirname(path));
    if (this.fresh(parent) && !parent.value.files.has(posix.basename(path)) && !parent.value.dirs.has(posix.basename(path))) {
      return null;
    }
    // Two prefix listings in parallel rather than HEAD: the exact key sorts first under its own
    // prefix, and any key under `path/` makes it a directory. (LIST also answers sizes, and some
    // S3-compatible servers fail a HEAD on a name that is also a prefix.)
    const key = this.fileKey(path);
    let stat: FsStat | null = null;
    try {
      const [asFile, asDir] = await Promise.all([
        this.listPage(key, undefined, undefined, 1),
        this.listPage(`${key}/`, undefined, undefined, 1),
      ]);
      const first = asFile.Contents?.[0];
      if (first?.Key === key) stat = this.fileStat(first.Size ?? 0, first.LastModified ?? new Date(0));
      else if ((asDir.Contents?.length ?? 0) > 0) stat = this.dirStat();
    } catch (error) {
      throw s3Failure(error, op, path);
    }
    this.stats.set(path, { value: stat, at: Date.now() });
    return stat;
  }

  private async getObject(path: string, op: string): Promise<Uint8Array> {
    try {
      return await this.send(async () => {
        const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.fileKey(path) }));
        if (response.Body === undefined) return new Uint8Array();
        return await response.Body.transformToByteArray();
      });
    } catch (error) {
      if (!isNotFound(error)) throw s3Failure(error, op, path);
      const stat = await this.lookup(path, op);
      if (stat?.isDirectory) throw fsError('EISDIR', 'illegal operation on a directory', 'read', path);
      throw enoent(op, path);
    }
  }

  /** `length` bytes from `offset` (a ranged GET: only the range crosses the network). For the file tools. */
  async readRange(path: string, offset: number, length: number): Promise<Uint8Array> {
    if (length <= 0) return new Uint8Array();
    try {
      return await this.send(async () => {
        const range = `bytes=${offset}-${offset + length - 1}`;
        const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.fileKey(path), Range: range }));
        if (response.Body === undefined) return new Uint8Array();
        return await response.Body.transformToByteArray();
      });
    } catch (error) {
      if (!isNotFound(error)) throw s3Failure(error, 'read', path);
      throw enoent('read', path);
    }
  }

  private async putObject(key: string, body: Uint8Array, op: string, path: string): Promise<void> {
    try {
      await this.send(() => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body })));
    } catch (error) {
      throw s3Failure(error, op, path);
    } finally {
      this.invalidate();
    }
  }

  private async deleteKeys(keys: readonly string[], op: string, path: string): Promise<void> {
    try {
      await inBatches(keys, (key) => this.send(() => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }))));
    } catch (error) {
      throw s3Failure(error, op, path);
    } finally {
      this.invalidate();
    }
  }

  private async copyKey(from: string, to: string, op: string, path: string): Promise<void> {
    // CopySource is `bucket/key`, URL-encoded except for the separators.
    const source = encodeURIComponent(`${this.bucket}/${from}`).replace(/%2F/g, '/');
    try {
      await this.send(() => this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: to, CopySource: source })));
    } catch (error) {
      if (!isNotFound(error)) throw s3Failure(error, op, path);
      // Some S3-compatible servers decode CopySource loosely (s3rver leaves `%2B` encoded):
      // copy through the client instead; a source that is really gone is ENOENT from the GET.
      const body = await this.getObject(`/${from.slice(this.keyPrefix.length)}`, op);
      await this.putObject(to, body, op, path);
    } finally {
      this.invalidate();
    }
  }

  /** Refuses to write a file where a directory is, or under a path that is a file. */
  private async checkWritable(path: string, op: string): Promise<void> {
    const stat = await this.lookup(path, op);
    if (stat?.isDirectory) throw fsError('EISDIR', 'illegal operation on a directory', op, path);
    for (let parent = posix.dirname(path); parent !== '/'; parent = posix.dirname(parent)) {
      const parentStat = await this.lookup(parent, op);
      if (parentStat?.isFile) throw fsError('ENOTDIR', 'not a directory', op, path);
      if (parentStat?.isDirectory) break;
    }
  }

  // ---- IFileSystem ---------------------------------------------------------------------------

  async readFile(path: string, options?: ReadFileOptions | BufferEncoding): Promise<string> {
    const bytes = await this.readFileBuffer(path);
    const encoding = encodingOf(options);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(encoding === 'utf-8' ? 'utf8' : encoding);
  }

  async readFileBytes(path: string): Promise<ByteString> {
    const bytes = await this.readFileBuffer(path);
    return unsafeBytesFromLatin1(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'));
  }

  async readFileBuffer(path: string): Promise<Uint8Array> {
    const normal = this.normalize(path, 'open');
    if (normal === '/') throw fsError('EISDIR', 'illegal operation on a directory', 'read', normal);
    return this.getObject(normal, 'open');
  }

  async writeFile(path: string, content: FileContent, options?: WriteFileOptions | BufferEncoding): Promise<void> {
    const normal = this.normalize(path, 'open');
    if (normal === '/') throw fsError('EISDIR', 'illegal operation on a directory', 'write', normal);
    await this.checkWritable(normal, 'open');
    await this.putObject(this.fileKey(normal), toBytes(content, encodingOf(options)), 'open', normal);
  }

  async appendFile(path: string, content: FileContent, options?: WriteFileOptions | BufferEncoding): Promise<void> {
    const normal = this.normalize(path, 'open');
    if (normal === '/') throw fsError('EISDIR', 'illegal operation on a directory', 'write', normal);
    await this.checkWritable(normal, 'open');
    const stat = await this.lookup(normal, 'open');
    const before = stat?.isFile ? await this.getObject(normal, 'open') : new Uint8Array();
    const added = toBytes(content, encodingOf(options));
    const joined = new Uint8Array(before.byteLength + added.byteLength);
    joined.set(before, 0);
    joined.set(added, before.byteLength);
    await this.putObject(this.fileKey(normal), joined, 'open', normal);
  }

  async exists(path: string): Promise<boolean> {
    if (path.includes('\0')) return false;
    return (await this.lookup(this.normalize(path, 'access'), 'access')) !== null;
  }

  async stat(path: string): Promise<FsStat> {
    const normal = this.normalize(path, 'stat');
    const stat = await this.lookup(normal, 'stat');
    if (stat === null) throw enoent('stat', normal);
    return stat;
  }

  async lstat(path: string): Promise<FsStat> {
    const normal = this.normalize(path, 'lstat');
    const stat = await this.lookup(normal, 'lstat');
    if (stat === null) throw enoent('lstat', normal);
    return stat;
  }

  async mkdir(path: string, options?: MkdirOptions): Promise<void> {
    const normal = this.normalize(path, 'mkdir');
    const existing = await this.lookup(normal, 'mkdir');
    if (existing !== null) {
      if (options?.recursive && existing.isDirectory) return;
      throw fsError('EEXIST', 'file already exists', 'mkdir', normal);
    }
    const parent = posix.dirname(normal);
    const parentStat = await this.lookup(parent, 'mkdir');
    if (parentStat?.isFile) throw fsError('ENOTDIR', 'not a directory', 'mkdir', normal);
    if (parentStat === null) {
      if (!options?.recursive) throw enoent('mkdir', normal);
      await this.checkWritable(normal, 'mkdir');
    }
    // One marker for the leaf: its parents are implied by the key prefix.
    await this.putObject(this.dirPrefix(normal), new Uint8Array(), 'mkdir', normal);
  }

  private async listDirectory(path: string): Promise<Listing> {
    const normal = this.normalize(path, 'scandir');
    const listing = await this.list(normal, 'scandir');
    if (!listing.present && normal !== '/') {
      const stat = await this.lookup(normal, 'scandir');
      if (stat?.isFile) throw fsError('ENOTDIR', 'not a directory', 'scandir', normal);
      if (stat === null) throw enoent('scandir', normal);
    }
    return listing;
  }

  async readdir(path: string): Promise<string[]> {
    const listing = await this.listDirectory(path);
    return [...new Set([...listing.files.keys(), ...listing.dirs])].sort();
  }

  async readdirWithFileTypes(path: string): Promise<DirentEntry[]> {
    const listing = await this.listDirectory(path);
    const names = [...new Set([...listing.files.keys(), ...listing.dirs])].sort();
    return names.map((name) => {
      const isFile = listing.files.has(name);
      return { name, isFile, isDirectory: !isFile, isSymbolicLink: false };
    });
  }

  async rm(path: string, options?: RmOptions): Promise<void> {
    const normal = this.normalize(path, 'rm');
    const stat = await this.lookup(normal, 'rm');
    if (stat === null) {
      if (options?.force) return;
      throw enoent('rm', normal);
    }
    if (stat.isFile) {
      await this.deleteKeys([this.fileKey(normal)], 'rm', normal);
      return;
    }
    const keys = await this.listAll(normal, 'rm');
    const marker = this.dirPrefix(normal);
    if (!options?.recursive && keys.some((entry) => entry.key !== marker)) {
      throw fsError('ENOTEMPTY', 'directory not empty', 'rm', normal);
    }
    // On the mount root this empties the bucket prefix; the mount point itself stays.
    await this.deleteKeys(
      keys.map((entry) => entry.key),
      'rm',
      normal,
    );
  }

  async cp(src: string, dest: string, options?: CpOptions): Promise<void> {
    const from = this.normalize(src, 'cp');
    const to = this.normalize(dest, 'cp');
    const stat = await this.lookup(from, 'cp');
    if (stat === null) throw enoent('cp', from);
    if (stat.isFile) {
      if (from === to) throw fsError('EINVAL', `cannot copy '${from}' onto itself`, 'cp', to);
      await this.checkWritable(to, 'cp');
      await this.copyKey(this.fileKey(from), this.fileKey(to), 'cp', from);
      return;
    }
    if (!options?.recursive) throw fsError('EISDIR', 'is a directory', 'cp', from);
    if (to === from || to.startsWith(`${from === '/' ? '' : from}/`)) {
      throw fsError('EINVAL', `cannot copy '${from}' into itself`, 'cp', to);
    }
    const target = await this.lookup(to, 'cp');
    if (target?.isFile) throw fsError('ENOTDIR', 'not a directory', 'cp', to);
    const sourcePrefix = this.dirPrefix(from);
    const targetPrefix = this.dirPrefix(to);
    const keys = await this.listAll(from, 'cp');
    if (!keys.some((entry) => entry.key === sourcePrefix)) keys.push({ key: sourcePrefix, size: 0 });
    await inBatches(keys, async (entry) => {
      const destKey = targetPrefix + entry.key.slice(sourcePrefix.length);
      if (entry.key === sourcePrefix) {
        await this.putObject(destKey, new Uint8Array(), 'cp', to);
      } else {
        await this.copyKey(entry.key, destKey, 'cp', from);
      }
    });
  }

  async mv(src: string, dest: string): Promise<void> {
    const from = this.normalize(src, 'mv');
    const to = this.normalize(dest, 'mv');
    const stat = await this.lookup(from, 'mv');
    if (stat === null) throw enoent('mv', from);
    if (from === to) return;
    if (stat.isDirectory && (from === '/' || to.startsWith(`${from}/`))) {
      throw fsError('EINVAL', `cannot move '${from}' into itself`, 'mv', to);
    }
    if (stat.isFile) {
      await this.checkWritable(to, 'mv');
      await this.copyKey(this.fileKey(from), this.fileKey(to), 'mv', from);
      await this.deleteKeys([this.fileKey(from)], 'mv', from);
      return;
    }
    await this.cp(from, to, { recursive: true });
    await this.rm(from, { recursive: true });
  }

  resolvePath(base: string, path: string): string {
    return path.startsWith('/') ? posix.normalize(path) : posix.normalize(posix.join(base, path));
  }

  /** S3 listings are asynchronous; globbing walks directories with readdir instead. */
  getAllPaths(): string[] {
    return [];
  }

  async chmod(path: string, _mode: number): Promise<void> {
    // S3 objects have no permission bits: accept, as long as the path exists.
    const normal = this.normalize(path, 'chmod');
    if ((await this.lookup(normal, 'chmod')) === null) throw enoent('chmod', normal);
  }

  async symlink(_target: string, linkPath: string): Promise<void> {
    throw fsError('ENOTSUP', 'operation not supported on an s3 mount', 'symlink', this.normalize(linkPath, 'symlink'));
  }

  async link(_existingPath: string, newPath: string): Promise<void> {
    throw fsError('ENOTSUP', 'operation not supported on an s3 mount', 'link', this.normalize(newPath, 'link'));
  }

  async readlink(path: string): Promise<string> {
    const normal = this.normalize(path, 'readlink');
    if ((await this.lookup(normal, 'readlink')) === null) throw enoent('readlink', normal);
    throw fsError('EINVAL', 'invalid argument', 'readlink', normal);
  }

  async realpath(path: string): Promise<string> {
    const normal = this.normalize(path, 'realpath');
    if ((await this.lookup(normal, 'realpath')) === null) throw enoent('realpath', normal);
    return normal;
  }

  async utimes(path: string, _atime: Date, _mtime: Date): Promise<void> {
    // S3 sets LastModified itself; `touch` on an existing object is a no-op.
    const normal = this.normalize(path, 'utimes');
    if ((await this.lookup(normal, 'utimes')) === null) throw enoent('utimes', normal);
  }

  /** Bytes of the file at `path`, or the total bytes under the directory; undefined if absent. */
  async sizeOf(path: string): Promise<number | undefined> {
    const normal = this.normalize(path, 'stat');
    const stat = await this.lookup(normal, 'stat');
    if (stat === null) return undefined;
    if (stat.isFile) return stat.size;
    const keys = await this.listAll(normal, 'stat');
    return keys.reduce((total, entry) => total + entry.size, 0);
  }

  /** How many objects (files) `sizeOf` counted: 1 for a file, the keys under a directory. */
  async objectCount(path: string): Promise<number | undefined> {
    const normal = this.normalize(path, 'stat');
    const stat = await this.lookup(normal, 'stat');
    if (stat === null) return undefined;
    if (stat.isFile) return 1;
    const keys = await this.listAll(normal, 'stat');
    return keys.filter((entry) => !entry.key.endsWith('/')).length;
  }
}
