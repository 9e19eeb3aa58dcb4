// Builds the backend file system of each mount: ram = InMemoryFs (builtin engine) or, for the
// sandbox engine, a ReadWriteFs over the mount's real directory; disk = ReadWriteFs rooted at
// config.root (symlinks allowed but confined to the root), s3 = the s3 module's S3Fs.
import { InMemoryFs, ReadWriteFs } from '../engine.js';
import type { IFileSystem } from '../engine.js';
import type { MountSpec } from '../config.js';
import { WorkspaceError } from '../errors.js';
import { loadS3Module } from './s3-loader.js';
import { parseS3MountConfig } from './s3/config.js';
import { sandboxDirView } from '../engines/sandbox/hidden-fs.js';
import type { S3MountConfig } from './s3/config.js';

export { ModeGuardFs, ReadOnlyMountError } from './guard.js';
export { loadS3Module } from './s3-loader.js';
export type { S3Module } from './s3-loader.js';

/**
 * For a sandboxed workspace: where a ram mount keeps its files, and what of a root mount's
 * directory is bwrap's, not the agent's (engines/sandbox/hidden-fs.ts).
 */
export interface SandboxDirOptions {
  ramDir?: string;
  hidden?: ReadonlySet<string>;
}

export async function buildBackend(spec: MountSpec, sandbox?: SandboxDirOptions): Promise<IFileSystem> {
  try {
    if (sandbox !== undefined && (spec.resource === 'ram' || spec.resource === 'disk')) {
      // The same confinement as disk: a symlink the agent made (`ln -s /etc/shadow x`) is read
      // as a link, never followed out of the directory; links are kept as bash made them.
      const root = spec.resource === 'ram' ? String(sandbox.ramDir) : String(spec.config.root);
      return sandboxDirView(new ReadWriteFs({ root, allowSymlinks: true, maxFileReadSize: 1024 * 1024 * 1024 }), root, sandbox.hidden);
    }
    if (spec.resource === 'ram') return new InMemoryFs();
    if (spec.resource === 'disk') {
      // ReadWriteFs confines every path, `..` and symlink target to the root (tested in
      // workspace.spec.ts); symlinks are allowed so trees round-trip with their links.
      return new ReadWriteFs({ root: String(spec.config.root), allowSymlinks: true, maxFileReadSize: 1024 * 1024 * 1024 });
    }
    const { S3Fs } = await loadS3Module();
    return new S3Fs((spec.parsed ?? parseS3MountConfig(spec.config, spec.prefix)) as S3MountConfig);
  } catch (error) {
    if (error instanceof WorkspaceError) throw error;
    throw new WorkspaceError('build_failed', `resource build failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The prompt text of a mount (MountSummary.description, before truncation). */
export function describeMount(spec: Pick<MountSpec, 'resource' | 'mode' | 'config'>): string {
  const access = spec.mode === 'read' ? 'read-only' : spec.mode === 'exec' ? 'read, write and execute' : 'read-write';
  if (spec.resource === 'ram') return `In-memory file system (${access}); contents live as long as the workspace.`;
  if (spec.resource === 'disk') return `Host directory ${String(spec.config.root)} (${access}).`;
  const bucket = typeof spec.config.bucket === 'string' ? spec.config.bucket : '?';
  const prefix = typeof spec.config.prefix === 'string' && spec.config.prefix !== '' ? `/${spec.config.prefix}` : '';
  return `S3 bucket ${bucket}${prefix} (${access}).`;
}

/** Truncates to 120 code points: 119 + `…` after trimming trailing whitespace. */
export function truncateDescription(text: string): string {
  const points = [...text];
  if (points.length <= 120) return text;
  return `${points.slice(0, 119).join('').trimEnd()}…`;
}
