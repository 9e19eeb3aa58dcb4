// Mount modes are enforced here, not by the backends: a `read` mount refuses every change with
// EROFS and a message naming the mount. `write` and `exec` pass everything through: just-bash
// runs no host executables, so `exec` (read, write, execute) differs from `write` only in name
// (scripts stored on a `write` mount can still be run with `bash file` or `source file`).
// For ram mounts the guard also resolves symlinks before a write (builtin/links.ts) and keeps
// the workspace's `limits.max_bytes` quota (builtin/quota.ts).
import type { MountMode } from '@mirage-ts/protocol';
import { unsafeBytesFromLatin1 } from '../engine.js';
import type { BufferEncoding, ByteString, CpOptions, FileContent, FsStat, IFileSystem, MkdirOptions, RmOptions } from '../engine.js';
import { resolveWritePath } from '../builtin/links.js';
import type { LinkScope } from '../builtin/links.js';
import { contentBytes } from '../builtin/quota.js';
import type { RamQuota } from '../builtin/quota.js';

export class ReadOnlyMountError extends Error {
  readonly code = 'EROFS';
  constructor(readonly mountLabel: string) {
    super(`cannot write to read-only mount ${mountLabel}`);
    this.name = 'ReadOnlyMountError';
  }
}

type WriteOptions = Parameters<IFileSystem['writeFile']>[2];
type ReadOptions = Parameters<IFileSystem['readFile']>[1];
type Dirent = Awaited<ReturnType<NonNullable<IFileSystem['readdirWithFileTypes']>>>[number];

export interface GuardOptions {
  /** Resolve symlinks in the paths of writes (backends that store writes under the literal path). */
  links?: LinkScope;
  /** The byte quota writes are counted against. */
  quota?: RamQuota;
}

/** Passes reads through; refuses writes when the mount's effective mode is `read`. */
export class ModeGuardFs implements IFileSystem {
  constructor(
    readonly inner: IFileSystem,
    readonly mode: MountMode,
    /** The mount as users see it: `/data/`, `/`. */
    readonly label: string,
    readonly options: GuardOptions = {},
  ) {}

  private refuse(): void {
    if (this.mode === 'read') throw new ReadOnlyMountError(this.label);
  }

  /** The path a write lands on (symlinks followed when the backend needs it). */
  private target(path: string, followLast: boolean): Promise<string> {
    const links = this.options.links;
    return links === undefined ? Promise.resolve(path) : resolveWritePath(this.inner, path, followLast, links);
  }

  /**
   * Runs a read; when it finds nothing and the path crosses a symlink whose absolute target the
   * backend cannot follow itself (inside a mount other than `/`, targets are namespace paths),
   * runs it again on the resolved path. The first error stands when resolving changes nothing.
   */
  private async read<T>(path: string, followLast: boolean, op: (path: string) => Promise<T>): Promise<T> {
    try {
      return await op(path);
    } catch (error) {
      const links = this.options.links;
      if (links === undefined || links.prefix === '/' || !isNotFound(error)) throw error;
      const resolved = await resolveWritePath(this.inner, path, followLast, links).catch(() => path);
      if (resolved === path) throw error;
      return op(resolved);
    }
  }

  /** Bytes of a file, or of a whole tree for a directory (0 when absent). */
  private async sizeOf(path: string): Promise<number> {
    let stat: FsStat;
    try {
      stat = await this.inner.lstat(path);
    } catch {
      return 0;
    }
    if (stat.isFile) return stat.size;
    if (!stat.isDirectory) return 0;
    let total = 0;
    const base = path.endsWith('/') ? path : `${path}/`;
    for (const name of await this.inner.readdir(path)) total += await this.sizeOf(`${base}${name}`);
    return total;
  }

  private async reserve(bytes: number, path: string): Promise<void> {
    await this.options.quota?.reserve(bytes, `${this.label.replace(/\/$/, '')}${path}`);
  }

  private encodingOf(options?: WriteOptions | BufferEncoding): string | undefined {
    return typeof options === 'string' ? options : (options?.encoding ?? undefined);
  }

  readFile(path: string, options?: ReadOptions | BufferEncoding): Promise<string> {
    return this.read(path, true, (at) => this.inner.readFile(at, options));
  }
  readFileBuffer(path: string): Promise<Uint8Array> {
    return this.read(path, true, (at) => this.inner.readFileBuffer(at));
  }
  // The two optional fast paths are forwarded: without them just-bash falls back to slower calls.
  async readFileBytes(path: string): Promise<ByteString> {
    const inner = this.inner;
    if (inner.readFileBytes !== undefined) return this.read(path, true, (at) => inner.readFileBytes!(at));
    return unsafeBytesFromLatin1(Buffer.from(await this.readFileBuffer(path)).toString('latin1'));
  }
  async readdirWithFileTypes(path: string): Promise<Dirent[]> {
    const inner = this.inner;
    if (inner.readdirWithFileTypes !== undefined) return this.read(path, true, (at) => inner.readdirWithFileTypes!(at));
    const names = await this.inner.readdir(path);
    const base = path.endsWith('/') ? path : `${path}/`;
    return Promise.all(
      names.map(async (name) => {
        const stat = await this.inner.lstat(`${base}${name}`);
        return { name, isFile: stat.isFile, isDirectory: stat.isDirectory, isSymbolicLink: stat.isSymbolicLink };
      }),
    );
  }
  async writeFile(path: string, content: FileContent, options?: WriteOptions | BufferEncoding): Promise<void> {
    this.refuse();
    const target = await this.target(path, true);
    if (this.options.quota !== undefined)
      await this.reserve(contentBytes(content, this.encodingOf(options)) - (await this.sizeOf(target)), path);
    return this.inner.writeFile(target, content, options);
  }
  async appendFile(path: string, content: FileContent, options?: WriteOptions | BufferEncoding): Promise<void> {
    this.refuse();
    const target = await this.target(path, true);
    if (this.options.quota !== undefined) await this.reserve(contentBytes(content, this.encodingOf(options)), path);
    return this.inner.appendFile(target, content, options);
  }
  async exists(path: string): Promise<boolean> {
    if (await this.inner.exists(path)) return true;
    return this.read(path, true, async (at) => {
      if (at === path || !(await this.inner.exists(at))) throw notFound(path);
      return true;
    }).catch(() => false);
  }
  stat(path: string): Promise<FsStat> {
    return this.read(path, true, (at) => this.inner.stat(at));
  }
  lstat(path: string): Promise<FsStat> {
    return this.read(path, false, (at) => this.inner.lstat(at));
  }
  async mkdir(path: string, options?: MkdirOptions): Promise<void> {
    this.refuse();
    return this.inner.mkdir(await this.target(path, false), options);
  }
  readdir(path: string): Promise<string[]> {
    return this.read(path, true, (at) => this.inner.readdir(at));
  }
  async rm(path: string, options?: RmOptions): Promise<void> {
    this.refuse();
    return this.inner.rm(await this.target(path, false), options);
  }
  async cp(src: string, dest: string, options?: CpOptions): Promise<void> {
    this.refuse();
    const [from, to] = [await this.target(src, false), await this.target(dest, false)];
    if (this.options.quota !== undefined) await this.reserve((await this.sizeOf(from)) - (await this.sizeOf(to)), dest);
    return this.inner.cp(from, to, options);
  }
  async mv(src: string, dest: string): Promise<void> {
    this.refuse();
    return this.inner.mv(await this.target(src, false), await this.target(dest, false));
  }
  resolvePath(base: string, path: string): string {
    return this.inner.resolvePath(base, path);
  }
  getAllPaths(): string[] {
    return this.inner.getAllPaths();
  }
  async chmod(path: string, mode: number): Promise<void> {
    this.refuse();
    return this.inner.chmod(await this.target(path, true), mode);
  }
  async symlink(target: string, linkPath: string): Promise<void> {
    this.refuse();
    return this.inner.symlink(target, await this.target(linkPath, false));
  }
  async link(existingPath: string, newPath: string): Promise<void> {
    this.refuse();
    return this.inner.link(await this.target(existingPath, true), await this.target(newPath, false));
  }
  readlink(path: string): Promise<string> {
    return this.read(path, false, (at) => this.inner.readlink(at));
  }
  realpath(path: string): Promise<string> {
    return this.read(path, true, (at) => this.inner.realpath(at));
  }
  async utimes(path: string, atime: Date, mtime: Date): Promise<void> {
    this.refuse();
    return this.inner.utimes(await this.target(path, true), atime, mtime);
  }
}

function isNotFound(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (error as { code?: unknown }).code === 'ENOENT' || error.message.startsWith('ENOENT');
}

function notFound(path: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, stat '${path}'`), { code: 'ENOENT' });
}
