// A lock file in MIRAGE_HOME so that CLIs started at the same moment spawn one daemon between them.
// The file is created with O_EXCL and holds the owner's PID; a lock whose owner is gone is stale
// and is broken (renamed away first, so two CLIs cannot both break it and both win).
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { CliError } from './errors.js';
import { isAlive, sleep } from './process.js';

export interface LockOptions {
  /** Give up after this long; default 15 s (longer than a spawn's 5 s health wait). */
  timeoutMs?: number;
  pollMs?: number;
}

export interface HeldLock {
  release(): void;
}

function ownerOf(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function tryCreate(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, String(process.pid));
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Breaks the lock at `path` if its owner is dead. Returns true when the lock is now free. */
function breakIfStale(path: string, staleOwner: number): boolean {
  const aside = `${path}.stale.${process.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return true; // already gone: retry creating
  }
  // We may have renamed a fresh lock taken between our read and our rename: put it back.
  const owner = ownerOf(aside);
  if (owner !== undefined && owner !== staleOwner && isAlive(owner)) {
    try {
      renameSync(aside, path);
    } catch {
      /* best effort */
    }
    return false;
  }
  try {
    unlinkSync(aside);
  } catch {
    /* already removed */
  }
  return true;
}

/** Waits for and takes the lock at `path`. */
export async function acquireLock(path: string, options: LockOptions = {}): Promise<HeldLock> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  const pollMs = options.pollMs ?? 50;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let emptySince: number | undefined;
  for (;;) {
    if (tryCreate(path)) {
      return {
        release: () => {
          if (ownerOf(path) === process.pid) unlinkSync(path);
        },
      };
    }
    const owner = ownerOf(path);
    if (owner !== undefined && !isAlive(owner)) {
      breakIfStale(path, owner);
      continue;
    }
    if (owner === undefined) {
      // A lock without a PID is being written right now, or its writer died mid-write.
      emptySince ??= Date.now();
      if (Date.now() - emptySince > 2000 && breakIfStale(path, -1)) continue;
    } else emptySince = undefined;
    if (Date.now() > deadline) throw new CliError(`timed out waiting for the lock ${path} (held by PID ${owner ?? '?'})`, 1);
    await sleep(pollMs);
  }
}
