// Daemon-side snapshot paths (docs/protocol.md §11.2–11.3) are confined to the snapshot root: lexically, and
// again after resolving symlinks, so a link inside the root cannot lead a write outside it.
import { mkdir, realpath } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { DaemonError } from '../common/coded-error.js';

const escapes = (): DaemonError => new DaemonError('invalid', 'path escapes the configured root');

const inside = (root: string, path: string): boolean => path.startsWith(root.endsWith(sep) ? root : root + sep);

/** The absolute path `given` names under `root`; 400 when it is the root itself or outside it. */
export async function confinedPath(root: string, given: string): Promise<string> {
  const absoluteRoot = resolve(root);
  const target = resolve(absoluteRoot, given);
  if (given.includes('\0') || !inside(absoluteRoot, target)) throw escapes();
  await mkdir(absoluteRoot, { recursive: true });
  const realRoot = await realpath(absoluteRoot);
  // The deepest part of the path that exists decides where the rest will land.
  let existing = target;
  for (;;) {
    try {
      const real = await realpath(existing);
      if (real !== realRoot && !inside(realRoot, real)) throw escapes();
      if (existing === target && real === realRoot) throw escapes();
      return target;
    } catch (error) {
      if (error instanceof DaemonError) throw error;
      const parent = dirname(existing);
      if (parent === existing) throw escapes();
      existing = parent;
    }
  }
}
