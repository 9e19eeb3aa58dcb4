import { InMemoryFs } from './engine.js';
import { ModeGuardFs } from './mounts/guard.js';
import { walkBackend } from './tree-io.js';

async function trickyTree(): Promise<InMemoryFs> {
  const fs = new InMemoryFs();
  // names whose plain string order differs from depth-first order ('a b' < 'a/c' as strings)
  for (const dir of ['/a', '/a/c', '/a b', '/a-b', '/a0', '/é', '/z/y/x']) await fs.mkdir(dir, { recursive: true });
  await fs.writeFile('/a/c/deep.txt', 'deep');
  await fs.writeFile('/a/file', 'A');
  await fs.writeFile('/a b/space', 'B');
  await fs.writeFile('/a-b/dash', 'C');
  await fs.writeFile('/a.txt', 'dot');
  await fs.writeFile('/é/accent', 'é');
  await fs.writeFile('/z/y/x/leaf', '');
  await fs.chmod('/a.txt', 0o755);
  await fs.symlink('/a', '/link-to-a');
  return fs;
}

const shape = async (entries: Awaited<ReturnType<typeof walkBackend>>) =>
  Promise.all(
    entries.map(async (entry) => ({
      path: entry.path,
      kind: entry.kind,
      mode: entry.mode,
      size: entry.size,
      target: entry.target,
      bytes: Buffer.from(await entry.read()).toString('utf8'),
    })),
  );

describe('walkBackend', () => {
  it('lists a ram backend from its path list in the same order and shape as a directory walk', async () => {
    const fs = await trickyTree();
    const fromPaths = await walkBackend(fs, 'mnt/');
    // the guard is not an InMemoryFs, so it takes the readdir walk over the same files
    const fromWalk = await walkBackend(new ModeGuardFs(fs, 'write', '/'), 'mnt/');
    expect(await shape(fromPaths)).toEqual(await shape(fromWalk));
    const paths = fromPaths.map((entry) => entry.path);
    expect(paths.slice(0, 5)).toEqual(['mnt/a', 'mnt/a/c', 'mnt/a/c/deep.txt', 'mnt/a/file', 'mnt/a b']);
    expect(paths).not.toContain('mnt/link-to-a/file');
    expect(fromPaths.find((entry) => entry.path === 'mnt/link-to-a')).toMatchObject({ kind: 'symlink', target: '/a' });
    expect(fromPaths.find((entry) => entry.path === 'mnt/a.txt')).toMatchObject({ kind: 'file', mode: 0o755, size: 3 });
  });

  it('leaves out what a walk cannot reach: paths written through a symlink or below a file', async () => {
    const fs = await trickyTree();
    // the ram store keeps these under their literal paths
    await fs.writeFile('/link-to-a/through-link', 'x');
    await fs.writeFile('/a.txt/below-a-file', 'y');
    await fs.mkdir('/a.txt/dir-below-a-file', { recursive: true });
    expect(fs.getAllPaths()).toEqual(expect.arrayContaining(['/link-to-a/through-link', '/a.txt/below-a-file']));
    const fromPaths = await walkBackend(fs, '');
    const fromWalk = await walkBackend(new ModeGuardFs(fs, 'write', '/'), '');
    expect(await shape(fromPaths)).toEqual(await shape(fromWalk));
    const paths = fromPaths.map((entry) => entry.path);
    expect(paths.filter((path) => path.startsWith('link-to-a/') || path.startsWith('a.txt/'))).toEqual([]);
  });

  it('lists an empty ram backend as nothing', async () => {
    expect(await walkBackend(new InMemoryFs(), '')).toEqual([]);
  });
});
