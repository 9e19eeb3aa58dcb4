// `limits.max_bytes` for a sandboxed workspace: as root, its ram mounts live on a tmpfs of their
// own (`size=max_bytes,nosuid,nodev`) mounted on the layout's `mounts/` directory, so a write past
// the quota is the kernel's ENOSPC (bash: `No space left on device`, exit 1). Without root there is
// no per-workspace quota (a plain /dev/shm directory): the workspace says so. The tmpfs outlives a
// crashed daemon; the next start unmounts it (claimSandboxRoot) before restored workspaces are
// rebuilt from the state store. See docs/limits.md.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Whether this process may mount a tmpfs (root on Linux), or why not. */
export function quotaSupport(): { usable: true } | { usable: false; reason: string } {
  if (process.platform !== 'linux') return { usable: false, reason: 'tmpfs quotas need Linux' };
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    return { usable: false, reason: 'the daemon is not root (a per-workspace tmpfs needs root)' };
  return { usable: true };
}

/** Mounts a tmpfs of `bytes` on `dir` (an existing empty directory); throws with mount's message. */
export function mountQuota(dir: string, bytes: number): void {
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},nosuid,nodev,mode=0755`, 'mirage-ram', dir], {
    encoding: 'utf8',
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
  });
  if (result.status !== 0) throw new Error(`mount tmpfs on ${dir} failed: ${(result.stderr ?? result.error?.message ?? '').trim()}`);
}

/** Every mount point at or below `dir`, deepest first (from /proc/self/mountinfo). */
export function mountsUnder(dir: string): string[] {
  let text: string;
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const points = text
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined)
    .map((point) => point.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))))
    .filter((point) => point === dir || point.startsWith(`${dir}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Unmounts whatever is mounted at or below `dir` (lazily when busy); true when nothing is left. */
export function unmountUnder(dir: string): boolean {
  for (const point of mountsUnder(dir)) {
    const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };
    if (spawnSync('umount', [point], { stdio: 'ignore', env }).status !== 0) spawnSync('umount', ['-l', point], { stdio: 'ignore', env });
  }
  return mountsUnder(dir).length === 0;
}
