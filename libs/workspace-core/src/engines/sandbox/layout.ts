// Where a sandboxed workspace lives on the host: one directory per workspace under the daemon's
// sandbox root (tmpfs: /dev/shm by default), holding each ram mount's files and each session's
// private $HOME, /tmp and stdio FIFOs. Removed with the workspace.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { mountQuota, unmountUnder } from './quota.js';

/**
 * The sandbox root of a daemon, stable across its restarts (named after its state folder): what
 * a crashed daemon left there is replaced when the workspace comes back, not leaked.
 */
export function sandboxRootFor(key: string): string {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  return join(base, `mirage-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`);
}

/**
 * The sandbox root of a daemon that is starting (one per state folder), emptied of what a crashed
 * run left: the workspaces it restores are rebuilt from the state store, the rest is garbage.
 */
export function claimSandboxRoot(key: string): string {
  const root = sandboxRootFor(key);
  // A crashed run's per-workspace tmpfs quotas (quota.ts) are still mounted: unmounted first.
  unmountUnder(root);
  rmSync(root, { recursive: true, force: true });
  // Made now, private, by this daemon: the name is predictable and /dev/shm is world-writable, so
  // a directory someone else made there first (to swap a workspace's mount for a link) is refused.
  mkdirSync(root, { mode: 0o700 });
  assertPrivateDirectory(root);
  return root;
}

/** Throws unless `path` is a real directory (no link) owned by this process and closed to others. */
export function assertPrivateDirectory(path: string): void {
  const stat = lstatSync(path);
  const uid = process.getuid?.();
  if (!stat.isDirectory() || stat.isSymbolicLink() || (uid !== undefined && stat.uid !== uid) || (stat.mode & 0o077) !== 0) {
    throw new Error(
      `sandbox root ${path} is not a private directory of this daemon (owner ${stat.uid}, mode ${(stat.mode & 0o777).toString(8)})`,
    );
  }
}

export interface SessionDirs {
  home: string;
  tmp: string;
  /** FIFOs for the call's stdout and stderr (real pipes: `/dev/stdout` opens); `stdin` is a plain file's path. */
  fifos: { stdin: string; stdout: string; stderr: string };
}

export class SandboxLayout {
  constructor(readonly directory: string) {}

  /**
   * Makes the workspace's directory empty and present (a reused id starts clean); with
   * `quotaBytes`, its ram mounts get a tmpfs of that size (quota.ts: root only).
   */
  create(quotaBytes?: number): void {
    mkdirSync(dirname(this.directory), { recursive: true, mode: 0o700 });
    assertPrivateDirectory(dirname(this.directory));
    unmountUnder(this.directory);
    rmSync(this.directory, { recursive: true, force: true });
    mkdirSync(join(this.directory, 'mounts'), { recursive: true, mode: 0o700 });
    mkdirSync(join(this.directory, 'sessions'), { recursive: true, mode: 0o700 });
    if (quotaBytes !== undefined) mountQuota(join(this.directory, 'mounts'), quotaBytes);
  }

  /** The host directory of the ram mount at index `index` of the workspace config. */
  mountDir(index: number): string {
    const directory = join(this.directory, 'mounts', String(index));
    mkdirSync(directory, { recursive: true, mode: 0o755 });
    return directory;
  }

  /** The session's directories, made on first use. Ids may be `.` or `..`: prefixed, never a path. */
  session(sessionId: string): SessionDirs {
    const base = join(this.directory, 'sessions', `s-${sessionId}`);
    const dirs: SessionDirs = {
      home: join(base, 'home'),
      tmp: join(base, 'tmp'),
      fifos: { stdin: join(base, 'io', 'in'), stdout: join(base, 'io', 'out'), stderr: join(base, 'io', 'err') },
    };
    if (!existsSync(dirs.fifos.stderr)) {
      mkdirSync(dirs.home, { recursive: true, mode: 0o700 });
      mkdirSync(dirs.tmp, { recursive: true, mode: 0o1777 });
      mkdirSync(join(base, 'io'), { recursive: true, mode: 0o700 });
      // Node cannot make a FIFO itself.
      const made = spawnSync('mkfifo', ['-m', '600', dirs.fifos.stdout, dirs.fifos.stderr], { stdio: 'ignore', env: {} });
      if (made.status !== 0) throw new Error(`mkfifo failed for session ${sessionId}`);
    }
    return dirs;
  }

  /** New FIFOs for a session whose old ones may still have a stray writer. */
  resetFifos(sessionId: string): void {
    const dirs = this.session(sessionId);
    rmSync(dirs.fifos.stdout, { force: true });
    rmSync(dirs.fifos.stderr, { force: true });
    this.session(sessionId);
  }

  dropSession(sessionId: string): void {
    rmSync(join(this.directory, 'sessions', `s-${sessionId}`), { recursive: true, force: true });
  }

  remove(): void {
    unmountUnder(this.directory);
    rmSync(this.directory, { recursive: true, force: true });
  }
}
