// Test data: file trees on disk (for git and tar), and the same trees as mirage snapshots loaded
// into a daemon's ram workspace through POST /v1/workspaces/load.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expectStatus } from './http.js';

/** `count` files of `size` random bytes, spread over directories of `perDir` files. */
export function writeTree(root, { count, size, perDir = 100 }) {
  for (let i = 0; i < count; i += 1) {
    const dir = join(root, `d${String(Math.floor(i / perDir)).padStart(3, '0')}`);
    if (i % perDir === 0) mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `f${String(i % perDir).padStart(3, '0')}.bin`), randomBytes(size));
  }
  return { files: count, bytes: count * size };
}

/** The disk tree as LiveTreeEntry values (parents before children), read lazily. */
function* diskEntries(root, relative = '') {
  for (const name of readdirSync(join(root, relative)).sort()) {
    if (relative === '' && name === '.git') continue;
    const path = relative === '' ? name : `${relative}/${name}`;
    const full = join(root, path);
    const stat = statSync(full);
    if (stat.isDirectory()) {
      yield { path, kind: 'directory', mode: 0o755, size: 0, mtimeMs: stat.mtimeMs, read: async () => new Uint8Array() };
      yield* diskEntries(root, path);
    } else {
      yield { path, kind: 'file', mode: 0o644, size: stat.size, mtimeMs: stat.mtimeMs, read: () => readFile(full) };
    }
  }
}

export const RAM_CONFIG = { mounts: { '/': { resource: 'ram', mode: 'write' } } };
/**
 * The same workspace pinned to the builtin engine: figures that weigh the daemon's own cost (HTTP,
 * Nest, the job table) against the engine called in-process use the same engine on both sides.
 * The sandbox engine's cost per call is figures/shell.js's subject.
 */
export const BUILTIN_RAM_CONFIG = { engine: 'builtin', ...RAM_CONFIG };

/** Writes `root` as a snapshot tar `<daemon home>/snapshots/<name>` (workspace-core's writer). */
export async function snapshotOfDisk(daemon, root, name) {
  const { writeSnapshotFile } = await import('@mirage-ts/workspace-core');
  const file = join(daemon.home, 'snapshots', name);
  await writeSnapshotFile({ id: 'bench-source', config: RAM_CONFIG, sessions: [], entries: diskEntries(root) }, file);
  return name;
}

/** Loads a snapshot (by its name under the snapshot root) as workspace `id`. */
export async function loadSnapshot(daemon, name, id) {
  await expectStatus(201, daemon.url, 'POST', '/v1/workspaces/load', { token: daemon.token, body: { path: name, id }, timeoutMs: 300000 });
}
