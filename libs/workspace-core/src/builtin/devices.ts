// The `/dev` of every builtin workspace, whatever is mounted at `/`: null, zero, random, urandom,
// full and the std streams. Without it a redirect to /dev/null fails on a read-only root and
// /dev/zero does not exist. just-bash itself routes `> /dev/stdout`/`> /dev/stderr` redirects to
// the streams; a command that writes one of them by path (tee /dev/stderr) writes to nothing here.
import { randomFillSync } from 'node:crypto';
import type { BufferEncoding, ByteString, DirentEntry, FileContent, FsStat, IFileSystem, ReadFileOptions } from '../engine.js';
import { unsafeBytesFromLatin1 } from '../engine.js';
import { fsError } from './errors.js';

/** What one read of an endless device returns: a finite, generous slice. */
export const ENDLESS_DEVICE_BYTES = 1024 * 1024;

type Device = 'null' | 'zero' | 'random' | 'urandom' | 'full' | 'stdin' | 'stdout' | 'stderr';
const DEVICES: readonly Device[] = ['full', 'null', 'random', 'stderr', 'stdin', 'stdout', 'urandom', 'zero'];
const BOOT = new Date(0);

export class DeviceFs implements IFileSystem {
  private device(path: string, op: string): Device | undefined {
    const name = path.replace(/^\/+/, '').replace(/\/+$/, '');
    if (name === '') return undefined;
    if ((DEVICES as readonly string[]).includes(name)) return name as Device;
    throw fsError('ENOENT', `no such file or directory, ${op} '/dev/${name}'`);
  }

  private bytes(path: string): Uint8Array {
    const device = this.device(path, 'open');
    if (device === undefined) throw fsError('EISDIR', `illegal operation on a directory, read '/dev'`);
    if (device === 'zero' || device === 'full') return new Uint8Array(ENDLESS_DEVICE_BYTES);
    if (device === 'random' || device === 'urandom') return randomFillSync(new Uint8Array(ENDLESS_DEVICE_BYTES));
    return new Uint8Array(0);
  }

  async readFile(path: string, options?: ReadFileOptions | BufferEncoding): Promise<string> {
    const encoding = typeof options === 'string' ? options : (options?.encoding ?? 'utf8');
    return Buffer.from(this.bytes(path)).toString(encoding === 'utf-8' ? 'utf8' : encoding);
  }
  async readFileBuffer(path: string): Promise<Uint8Array> {
    return this.bytes(path);
  }
  async readFileBytes(path: string): Promise<ByteString> {
    return unsafeBytesFromLatin1(Buffer.from(this.bytes(path)).toString('latin1'));
  }
  async writeFile(path: string, _content: FileContent): Promise<void> {
    this.sink(path);
  }
  async appendFile(path: string, _content: FileContent): Promise<void> {
    this.sink(path);
  }
  private sink(path: string): void {
    const device = this.device(path, 'open');
    if (device === undefined) throw fsError('EISDIR', `illegal operation on a directory, open '/dev'`);
    if (device === 'full') throw fsError('ENOSPC', 'No space left on device');
  }
  async exists(path: string): Promise<boolean> {
    try {
      this.device(path, 'stat');
      return true;
    } catch {
      return false;
    }
  }
  async stat(path: string): Promise<FsStat> {
    const device = this.device(path, 'stat');
    if (device === undefined) return { isFile: false, isDirectory: true, isSymbolicLink: false, mode: 0o40755, size: 0, mtime: BOOT };
    // Character devices read like files to just-bash's commands (`[ -c ]` is answered by name).
    return { isFile: true, isDirectory: false, isSymbolicLink: false, mode: 0o20666, size: 0, mtime: BOOT };
  }
  lstat(path: string): Promise<FsStat> {
    return this.stat(path);
  }
  async readdir(path: string): Promise<string[]> {
    if (this.device(path, 'scandir') !== undefined) throw fsError('ENOTDIR', `not a directory, scandir '${path}'`);
    return [...DEVICES];
  }
  async readdirWithFileTypes(path: string): Promise<DirentEntry[]> {
    return (await this.readdir(path)).map((name) => ({ name, isFile: true, isDirectory: false, isSymbolicLink: false }));
  }
  async mkdir(path: string): Promise<void> {
    throw this.denied('mkdir', path);
  }
  async rm(path: string): Promise<void> {
    throw this.denied('rm', path);
  }
  async cp(_src: string, dest: string): Promise<void> {
    throw this.denied('cp', dest);
  }
  async mv(_src: string, dest: string): Promise<void> {
    throw this.denied('mv', dest);
  }
  resolvePath(base: string, path: string): string {
    if (path.startsWith('/')) return path;
    return `${base.replace(/\/+$/, '')}/${path}`;
  }
  getAllPaths(): string[] {
    return ['/', ...DEVICES.map((name) => `/${name}`)];
  }
  async chmod(path: string): Promise<void> {
    this.device(path, 'chmod');
  }
  async symlink(_target: string, linkPath: string): Promise<void> {
    throw this.denied('symlink', linkPath);
  }
  async link(_existing: string, newPath: string): Promise<void> {
    throw this.denied('link', newPath);
  }
  async readlink(path: string): Promise<string> {
    this.device(path, 'readlink');
    throw fsError('EINVAL', `invalid argument, readlink '/dev${path}'`);
  }
  async realpath(path: string): Promise<string> {
    const device = this.device(path, 'realpath');
    return device === undefined ? '/' : `/${device}`;
  }
  async utimes(path: string): Promise<void> {
    this.device(path, 'utime');
  }

  private denied(op: string, path: string): Error {
    return fsError('EACCES', `permission denied, ${op} '/dev${path === '/' ? '' : path}'`);
  }
}
