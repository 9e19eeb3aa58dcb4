// Mount modes are enforced here, not by the backends: a `read` mount refuses every change with
// EROFS and a message naming the mount. `write` and `exec` pass everything through: just-bash
// runs no host executables, so `exec` (read, write, execute) differs from `write` only in name
// (scripts stored on a `write` mount can still be run with `bash file` or `source file`).
import type { MountMode } from '@mirage-ts/protocol';
import { unsafeBytesFromLatin1 } from '../engine.js';
import type { BufferEncoding, ByteString, CpOptions, FileContent, FsStat, IFileSystem, MkdirOptions, RmOptions } from '../engine.js';

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

/** Passes reads through; refuses writes when the mount's effective mode is `read`. */
export class ModeGuardFs implements IFileSystem {
  constructor(
    readonly inner: IFileSystem,
    readonly mode: MountMode,
    /** The mount as users see it: `/data/`, `/`. */
    readonly label: string,
  ) {}

  private refuse(): void {
    if (this.mode === 'read') throw new ReadOnlyMountError(this.label);
  }

  readFile(path: string, options?: ReadOptions | BufferEncoding): Promise<string> {
    return this.inner.readFile(path, options);
  }
  readFileBuffer(path: string): Promise<Uint8Array> {
    return this.inner.readFileBuffer(path);
  }
  // The two optional fast paths are forwarded: without them just-bash falls back to slower calls.
  async readFileBytes(path: string): Promise<ByteString> {
    if (this.inner.readFileBytes !== undefined) return this.inner.readFileBytes(path);
    return unsafeBytesFromLatin1(Buffer.from(await this.inner.readFileBuffer(path)).toString('latin1'));
  }
  async readdirWithFileTypes(path: string): Promise<Dirent[]> {
    if (this.inner.readdirWithFileTypes !== undefined) return this.inner.readdirWithFileTypes(path);
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
    return this.inner.writeFile(path, content, options);
  }
  async appendFile(path: string, content: FileContent, options?: WriteOptions | BufferEncoding): Promise<void> {
    this.refuse();
    return this.inner.appendFile(path, content, options);
  }
  exists(path: string): Promise<boolean> {
    return this.inner.exists(path);
  }
  stat(path: string): Promise<FsStat> {
    return this.inner.stat(path);
  }
  lstat(path: string): Promise<FsStat> {
    return this.inner.lstat(path);
  }
  async mkdir(path: string, options?: MkdirOptions): Promise<void> {
    this.refuse();
    return this.inner.mkdir(path, options);
  }
  readdir(path: string): Promise<string[]> {
    return this.inner.readdir(path);
  }
  async rm(path: string, options?: RmOptions): Promise<void> {
    this.refuse();
    return this.inner.rm(path, options);
  }
  async cp(src: string, dest: string, options?: CpOptions): Promise<void> {
    this.refuse();
    return this.inner.cp(src, dest, options);
  }
  async mv(src: string, dest: string): Promise<void> {
    this.refuse();
    return this.inner.mv(src, dest);
  }
  resolvePath(base: string, path: string): string {
    return this.inner.resolvePath(base, path);
  }
  getAllPaths(): string[] {
    return this.inner.getAllPaths();
  }
  async chmod(path: string, mode: number): Promise<void> {
    this.refuse();
    return this.inner.chmod(path, mode);
  }
  async symlink(target: string, linkPath: string): Promise<void> {
    this.refuse();
    return this.inner.symlink(target, linkPath);
  }
  async link(existingPath: string, newPath: string): Promise<void> {
    this.refuse();
    return this.inner.link(existingPath, newPath);
  }
  readlink(path: string): Promise<string> {
    return this.inner.readlink(path);
  }
  realpath(path: string): Promise<string> {
    return this.inner.realpath(path);
  }
  async utimes(path: string, atime: Date, mtime: Date): Promise<void> {
    this.refuse();
    return this.inner.utimes(path, atime, mtime);
  }
}
