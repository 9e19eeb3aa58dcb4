import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock } from './lock.js';
import { sleep } from './process.js';

describe('acquireLock', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'mirage-lock-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('holds the file with our pid and removes it on release', async () => {
    const path = join(dir, 'spawn.lock');
    const lock = await acquireLock(path);
    expect(readFileSync(path, 'utf8')).toBe(String(process.pid));
    lock.release();
    expect(existsSync(path)).toBe(false);
  });

  it('makes a second holder wait until the first releases', async () => {
    const path = join(dir, 'spawn.lock');
    const events: string[] = [];
    const first = await acquireLock(path);
    const second = acquireLock(path, { pollMs: 10 }).then((lock) => {
      events.push('second acquired');
      return lock;
    });
    await sleep(100);
    events.push('first releases');
    first.release();
    (await second).release();
    expect(events).toEqual(['first releases', 'second acquired']);
  });

  it('breaks a lock whose owner is dead', async () => {
    const path = join(dir, 'spawn.lock');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(path, dead.stdout);
    const started = Date.now();
    const lock = await acquireLock(path, { timeoutMs: 2000 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(readFileSync(path, 'utf8')).toBe(String(process.pid));
    lock.release();
  });

  it('gives up with a clear error when a live owner keeps it', async () => {
    const path = join(dir, 'spawn.lock');
    writeFileSync(path, String(process.ppid));
    await expect(acquireLock(path, { timeoutMs: 150, pollMs: 20 })).rejects.toThrow(/timed out waiting for the lock/);
  });
});
