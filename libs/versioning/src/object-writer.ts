// Writes git objects straight into a repository's object directory, without a libgit2 call per
// object. Ids are hashed here; a handful of new objects become loose objects (as `git commit`
// writes them), a larger batch becomes one packfile with its version-2 index (as `git
// receive-pack` keeps a push), which costs two file writes instead of one file per object.
// libgit2 rescans `objects/pack` when it misses an object, so readers see a new pack at once.
import { createHash, randomBytes } from 'node:crypto';
import { link, mkdir, open, rename, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { crc32, deflate as deflateCallback, deflateSync } from 'node:zlib';

const deflateAsync = promisify(deflateCallback);

export type GitObjectType = 'commit' | 'tree' | 'blob';

/** Pack entry type codes (Documentation/gitformat-pack.txt). */
const PACK_TYPE: Record<GitObjectType, number> = { commit: 1, tree: 2, blob: 3 };
/**
 * At most this many new objects (and bytes) are written loose; beyond, one pack. 100 is git's
 * receive.unpackLimit: small commits do not pile up packs (nothing here repacks them).
 */
const LOOSE_LIMIT_OBJECTS = 100;
const LOOSE_LIMIT_BYTES = 4 * 1024 * 1024;
/** Objects this large are deflated on the thread pool rather than on the event loop. */
const ASYNC_DEFLATE_BYTES = 256 * 1024;
/** link(2) errors of file systems that have no hard links. */
const NO_HARD_LINKS: ReadonlySet<string> = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'ENOSYS']);
/** Pack bytes gathered before a write; and queued before `add` waits for the disk. */
const FLUSH_BYTES = 1024 * 1024;
const MAX_QUEUED_BYTES = 32 * 1024 * 1024;
/** Fast compression, as git uses for loose objects (core.looseCompression 1). */
const ZLIB_LEVEL = 1;

/** The id git gives an object of `type` holding `data`. */
export function gitObjectId(type: GitObjectType, data: Uint8Array): string {
  return createHash('sha1').update(`${type} ${data.byteLength}\0`).update(data).digest('hex');
}

export interface TreeEntryInput {
  name: string;
  /** Git file mode: 0o100644, 0o100755, 0o120000 or 0o040000 (tree). */
  mode: number;
  oid: string;
}

const TREE_MODE = 0o040000;

/**
 * The body of a git tree object. Entries are ordered as git orders them: by the bytes of the
 * name, a tree's name compared as if it ended with `/`.
 */
export function encodeTree(entries: readonly TreeEntryInput[]): Buffer {
  const keyed = entries.map((entry) => {
    const name = Buffer.from(entry.name, 'utf8');
    const key = entry.mode === TREE_MODE ? Buffer.concat([name, Buffer.from('/')]) : name;
    return { entry, name, key };
  });
  keyed.sort((a, b) => Buffer.compare(a.key, b.key));
  const parts: Buffer[] = [];
  for (const { entry, name } of keyed) {
    parts.push(Buffer.from(`${entry.mode.toString(8)} `, 'latin1'), name, Buffer.from([0]), Buffer.from(entry.oid, 'hex'));
  }
  return Buffer.concat(parts);
}

interface PackedObject {
  oid: Buffer;
  offset: number;
  crc: number;
}

interface HeldObject {
  oid: string;
  type: GitObjectType;
  data: Uint8Array;
}

function packEntryHeader(type: GitObjectType, size: number): Buffer {
  const bytes: number[] = [];
  let byte = (PACK_TYPE[type] << 4) | (size % 16);
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    bytes.push(byte | 0x80);
    byte = rest % 128;
    rest = Math.floor(rest / 128);
  }
  bytes.push(byte);
  return Buffer.from(bytes);
}

/**
 * True when the bytes look like noise (compressed or encrypted data): nearly as many distinct
 * byte values in a sample as uniform random bytes would show. Deflating such data costs several
 * times more than storing it and saves nothing.
 */
function looksIncompressible(data: Uint8Array): boolean {
  const sample = Math.min(data.byteLength, 256);
  const seen = new Uint8Array(256);
  let distinct = 0;
  for (let i = 0; i < sample; i += 1) {
    const byte = data[i] as number;
    if (seen[byte] === 0) {
      seen[byte] = 1;
      distinct += 1;
    }
  }
  const uniform = 256 * (1 - Math.pow(255 / 256, sample));
  return distinct >= uniform * 0.85;
}

function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  // 5552 bytes is the longest run whose sums cannot overflow before the modulo (zlib's NMAX).
  for (let start = 0; start < data.byteLength; start += 5552) {
    const end = Math.min(start + 5552, data.byteLength);
    for (let i = start; i < end; i += 1) {
      a += data[i] as number;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** A zlib stream of stored (uncompressed) deflate blocks: valid for every inflater, no CPU. */
function storedZlib(data: Uint8Array): Buffer {
  const blocks = Math.max(1, Math.ceil(data.byteLength / 65535));
  const out = Buffer.allocUnsafe(2 + blocks * 5 + data.byteLength + 4);
  out[0] = 0x78;
  out[1] = 0x01;
  let at = 2;
  for (let block = 0; block < blocks; block += 1) {
    const start = block * 65535;
    const length = Math.min(65535, data.byteLength - start);
    out[at] = block === blocks - 1 ? 1 : 0;
    out.writeUInt16LE(length, at + 1);
    out.writeUInt16LE(~length & 0xffff, at + 3);
    at += 5;
    out.set(data.subarray(start, start + length), at);
    at += length;
  }
  out.writeUInt32BE(adler32(data), at);
  return out;
}

/** zlib-compressed bytes: fast deflate, or stored blocks for tiny or noise-like data. */
function compress(data: Uint8Array): Promise<Buffer> | Buffer {
  const noise = data.byteLength < 64 || looksIncompressible(data);
  if (data.byteLength >= ASYNC_DEFLATE_BYTES) return deflateAsync(data, { level: noise ? 0 : ZLIB_LEVEL });
  return noise ? storedZlib(data) : deflateSync(data, { level: ZLIB_LEVEL });
}

/**
 * One batch of new objects for the repository whose object directory is `objectsDir`.
 * `present` holds ids known to be in the repository already (they are skipped); ids written by
 * `finish` are added to it. Nothing is visible to readers before `finish` resolves.
 */
export class ObjectWriter {
  /** Objects waiting for `finish` while the batch is small enough to be written loose. */
  private held: HeldObject[] = [];
  private heldBytes = 0;
  private readonly added = new Set<string>();
  private pack: Promise<PackFile> | undefined;
  private done = false;

  constructor(
    private readonly objectsDir: string,
    private readonly present: Set<string>,
  ) {}

  /** Adds an object (if new) and returns its id. */
  async add(type: GitObjectType, data: Uint8Array): Promise<string> {
    if (this.done) throw new Error('object batch already finished');
    const oid = gitObjectId(type, data);
    if (this.present.has(oid) || this.added.has(oid)) return oid;
    this.added.add(oid);
    if (this.pack === undefined) {
      this.held.push({ oid, type, data });
      this.heldBytes += data.byteLength;
      if (this.held.length <= LOOSE_LIMIT_OBJECTS && this.heldBytes <= LOOSE_LIMIT_BYTES) return oid;
      // Set before any await: concurrent adds must all go to this one pack.
      this.pack = this.startPack();
      await this.pack;
      return oid;
    }
    await (await this.pack).append(oid, type, data);
    return oid;
  }

  /** Makes every added object durable in the repository. */
  async finish(): Promise<void> {
    if (this.done) return;
    this.done = true;
    if (this.pack !== undefined) {
      await (await this.pack).finish();
    } else {
      await Promise.all(this.held.map((object) => this.writeLoose(object)));
    }
    for (const oid of this.added) this.present.add(oid);
    this.held = [];
  }

  /** Discards the batch: a half-written pack is removed, loose objects were never written. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.held = [];
    const pack = await this.pack?.catch(() => undefined);
    await pack?.abort();
  }

  private async startPack(): Promise<PackFile> {
    const pack = await PackFile.create(join(this.objectsDir, 'pack'));
    try {
      const held = this.held;
      this.held = [];
      for (const object of held) await pack.append(object.oid, object.type, object.data);
    } catch (error) {
      await pack.abort();
      throw error;
    }
    return pack;
  }

  private async writeLoose(object: HeldObject): Promise<void> {
    const dir = join(this.objectsDir, object.oid.slice(0, 2));
    const file = join(dir, object.oid.slice(2));
    if (await exists(file)) return;
    await mkdir(dir, { recursive: true });
    const header = Buffer.from(`${object.type} ${object.data.byteLength}\0`, 'latin1');
    const compressed = await compress(Buffer.concat([header, object.data]));
    const partial = join(dir, `tmp_obj_${randomBytes(6).toString('hex')}`);
    await writeFile(partial, compressed, { mode: 0o444 });
    try {
      // link fails if another writer got there first: the object is then already complete. File
      // systems without hard links (some FUSE, SMB and VM shares) get a rename, as git does there.
      await link(partial, file).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST') return;
        if (error.code !== undefined && NO_HARD_LINKS.has(error.code)) await rename(partial, file);
        else throw error;
      });
    } finally {
      await unlink(partial).catch(() => undefined);
    }
  }
}

/** Appends all of `data` at the file position (a write may take fewer bytes than asked). */
async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  for (let at = 0; at < data.byteLength;) {
    const { bytesWritten } = await handle.write(data, at, data.byteLength - at);
    at += bytesWritten;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** A pack being written to a temporary file in `objects/pack`, and its index. */
class PackFile {
  private readonly objects: PackedObject[] = [];
  private offset = 12;
  private queue: Buffer[] = [];
  /** Bytes in `queue`, and bytes handed to writes that have not completed. */
  private queuedBytes = 0;
  private writingBytes = 0;
  private writing: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;
  private constructor(
    private readonly dir: string,
    private readonly partial: string,
    private readonly handle: FileHandle,
  ) {}

  static async create(dir: string): Promise<PackFile> {
    await mkdir(dir, { recursive: true });
    const partial = join(dir, `tmp_pack_${randomBytes(6).toString('hex')}`);
    const handle = await open(partial, 'wx+', 0o444);
    const pack = new PackFile(dir, partial, handle);
    // The object count is patched in when the pack is finished.
    pack.enqueue(Buffer.from([0x50, 0x41, 0x43, 0x4b, 0, 0, 0, 2, 0, 0, 0, 0]));
    return pack;
  }

  async append(oid: string, type: GitObjectType, data: Uint8Array): Promise<void> {
    const compressed = await compress(data);
    if (this.failure !== undefined) throw this.failure.error;
    // From here to the end of the method nothing awaits, so entries never interleave.
    const header = packEntryHeader(type, data.byteLength);
    this.objects.push({ oid: Buffer.from(oid, 'hex'), offset: this.offset, crc: crc32(compressed, crc32(header)) });
    this.offset += header.byteLength + compressed.byteLength;
    this.enqueue(header, compressed);
    if (this.queuedBytes >= FLUSH_BYTES) this.flush();
    if (this.queuedBytes + this.writingBytes >= MAX_QUEUED_BYTES) await this.writing;
  }

  async finish(): Promise<void> {
    try {
      this.flush();
      await this.writing;
      if (this.failure !== undefined) throw this.failure.error;
      // The header said 0 objects while entries streamed in; the checksum covers the real count.
      const count = Buffer.alloc(4);
      count.writeUInt32BE(this.objects.length);
      await this.handle.write(count, 0, 4, 8);
      const checksum = await this.checksum();
      await this.handle.write(checksum, 0, checksum.byteLength, this.offset);
      await this.handle.close();
      // The index last: readers look for `.idx` files, so they never see a pack without one.
      const index = join(this.dir, `tmp_idx_${randomBytes(6).toString('hex')}`);
      await writeFile(index, this.index(checksum), { mode: 0o444 });
      const name = join(this.dir, `pack-${checksum.toString('hex')}`);
      try {
        await rename(this.partial, `${name}.pack`);
        await rename(index, `${name}.idx`);
      } finally {
        await unlink(index).catch(() => undefined);
      }
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  async abort(): Promise<void> {
    await this.writing;
    await this.handle.close().catch(() => undefined);
    await unlink(this.partial).catch(() => undefined);
  }

  private enqueue(...chunks: Buffer[]): void {
    for (const chunk of chunks) {
      this.queue.push(chunk);
      this.queuedBytes += chunk.byteLength;
    }
  }

  private flush(): void {
    if (this.queue.length === 0) return;
    const chunks = this.queue;
    this.queue = [];
    const bytes = this.queuedBytes;
    this.queuedBytes = 0;
    this.writingBytes += bytes;
    this.writing = this.writing.then(async () => {
      if (this.failure !== undefined) return;
      try {
        // One contiguous write: cheaper than a writev of thousands of small entries.
        await writeAll(this.handle, Buffer.concat(chunks));
      } catch (error) {
        this.failure = { error };
      } finally {
        this.writingBytes -= bytes;
      }
    });
  }

  /** SHA-1 of the whole file as it now is: the header's count is only known at the end. */
  private async checksum(): Promise<Buffer> {
    const hash = createHash('sha1');
    const chunk = Buffer.alloc(Math.min(FLUSH_BYTES * 4, this.offset));
    for (let position = 0; position < this.offset;) {
      const { bytesRead } = await this.handle.read(chunk, 0, Math.min(chunk.byteLength, this.offset - position), position);
      if (bytesRead === 0) throw new Error('pack file shorter than written');
      hash.update(chunk.subarray(0, bytesRead));
      position += bytesRead;
    }
    return hash.digest();
  }

  private index(checksum: Buffer): Buffer {
    const objects = [...this.objects].sort((a, b) => Buffer.compare(a.oid, b.oid));
    const large = objects.filter((o) => o.offset >= 0x80000000);
    const size = 8 + 256 * 4 + objects.length * (20 + 4 + 4) + large.length * 8 + 40;
    const out = Buffer.alloc(size);
    let at = out.writeUInt32BE(0xff744f63, 0);
    at = out.writeUInt32BE(2, at);
    const fanout = new Uint32Array(256);
    for (const object of objects) fanout[object.oid[0] as number] += 1;
    let running = 0;
    for (let i = 0; i < 256; i += 1) {
      running += fanout[i] as number;
      at = out.writeUInt32BE(running, at);
    }
    for (const object of objects) at += object.oid.copy(out, at);
    for (const object of objects) at = out.writeUInt32BE(object.crc >>> 0, at);
    let largeIndex = 0;
    for (const object of objects) {
      at = out.writeUInt32BE(object.offset >= 0x80000000 ? (0x80000000 | largeIndex++) >>> 0 : object.offset, at);
    }
    for (const object of large) at = out.writeBigUInt64BE(BigInt(object.offset), at);
    at += checksum.copy(out, at);
    createHash('sha1').update(out.subarray(0, at)).digest().copy(out, at);
    return out;
  }
}
