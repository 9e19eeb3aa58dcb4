// Whether bubblewrap can build a sandbox on this host: one `bwrap ... true` with the same
// namespaces the engine uses. Run once per registry (the daemon: at start-up).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { EngineAvailability } from '../engine.js';

/** bwrap from the usual places (the daemon's PATH is not trusted to have it). */
export function findBwrap(): string | undefined {
  return ['/usr/bin/bwrap', '/usr/local/bin/bwrap', '/bin/bwrap'].find((path) => existsSync(path));
}

export function probeSandbox(bwrap: string | undefined = findBwrap(), timeoutMs = 5000): Promise<EngineAvailability> {
  if (bwrap === undefined) return Promise.resolve({ name: 'sandbox', available: false, reason: 'bubblewrap (bwrap) is not installed' });
  if (!existsSync('/bin/bash') || !existsSync('/usr'))
    return Promise.resolve({ name: 'sandbox', available: false, reason: '/bin/bash or /usr is missing' });
  return new Promise((resolve) => {
    const args = [
      '--unshare-all',
      '--die-with-parent',
      '--new-session',
      '--cap-drop',
      'ALL',
      '--ro-bind',
      '/usr',
      '/usr',
      '--ro-bind',
      '/bin',
      '/bin',
      '--ro-bind',
      '/lib',
      '/lib',
      '--ro-bind-try',
      '/lib64',
      '/lib64',
      '--proc',
      '/proc',
      '--dev',
      '/dev',
      '/bin/bash',
      '-c',
      'true',
    ];
    const child = spawn(bwrap, args, { stdio: ['ignore', 'ignore', 'pipe'], env: {} });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ name: 'sandbox', available: false, reason: `bwrap could not start: ${error.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ name: 'sandbox', available: true });
      else
        resolve({
          name: 'sandbox',
          available: false,
          reason: `bwrap probe failed (${signal ?? `exit ${String(code)}`}): ${stderr.trim().split('\n')[0] ?? ''}`.trim(),
        });
    });
  });
}
