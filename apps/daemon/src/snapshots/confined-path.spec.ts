import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DaemonError } from '../common/coded-error.js';
import { confinedPath } from './confined-path.js';

describe('confinedPath', () => {
  let base: string;
  let root: string;
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'mirage-confined-'));
    root = join(base, 'snapshots');
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it('resolves relative and absolute paths inside the root, creating the root', async () => {
    expect(await confinedPath(root, 'a.tar')).toBe(join(root, 'a.tar'));
    expect(await confinedPath(root, 'deep/er/a.tar')).toBe(join(root, 'deep/er/a.tar'));
    expect(await confinedPath(root, join(root, 'x', '..', 'b.tar'))).toBe(join(root, 'b.tar'));
    expect(readdirSync(base)).toEqual(['snapshots']);
  });

  it.each([['../escape.tar'], ['/etc/passwd'], ['.'], [''], ['a/../../x'], ['a\0b']])(
    'refuses %j with 400 path escapes the configured root',
    async (given) => {
      const error = await confinedPath(root, given).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DaemonError);
      expect(error).toMatchObject({ code: 'invalid', message: 'path escapes the configured root' });
    },
  );

  it('refuses a path that leaves the root through a symlink', async () => {
    mkdirSync(root, { recursive: true });
    const outside = join(base, 'outside');
    mkdirSync(outside);
    symlinkSync(outside, join(root, 'link'));
    await expect(confinedPath(root, 'link/a.tar')).rejects.toMatchObject({ code: 'invalid' });
    await expect(confinedPath(root, 'link/new/dir/a.tar')).rejects.toMatchObject({ code: 'invalid' });
    expect(readdirSync(outside)).toEqual([]);
  });
});
