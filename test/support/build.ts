// Builds the packages (tsc -b) once per test file when a dist output is older than its sources,
// so process tests run the code under test, not a stale build.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Runs `npx tsc -b tsconfig.build.json` unless `<pkg>/dist/<entry>` is newer than every source of the given packages. */
export function ensureBuilt(packages: readonly string[], entries: readonly string[]): void {
  const built = entries.map((entry) => join(REPO_ROOT, entry));
  const oldestOutput = Math.min(...built.map((path) => (existsSync(path) ? statSync(path).mtimeMs : 0)));
  const newestSource = Math.max(...packages.map((pkg) => newestMtime(join(REPO_ROOT, pkg, 'src'))));
  if (oldestOutput > newestSource) return;
  execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'tsconfig.build.json'], {
    cwd: REPO_ROOT,
    stdio: 'pipe',
  });
}
