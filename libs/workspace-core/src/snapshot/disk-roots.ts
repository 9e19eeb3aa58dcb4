// A disk mount writes into a host directory. A clone or load must never clear the directory a
// live workspace is using: such mounts are given a directory of their own instead.
import { resolve, sep } from 'node:path';
import type { WorkspaceConfig } from '@mirage-ts/protocol';
import { WorkspaceError } from '../errors.js';
import { configMounts, mountKey } from '../mount-paths.js';

export interface DiskRootInUse {
  root: string;
  workspaceId: string;
}

/** The host root of every disk mount of `config`, by prefix (absolute, normalised). */
export function diskRoots(config: WorkspaceConfig): Array<{ prefix: string; root: string }> {
  const roots: Array<{ prefix: string; root: string }> = [];
  for (const { prefix, resource, config: settings } of configMounts(config)) {
    if (resource === 'disk' && typeof settings.root === 'string' && settings.root !== '')
      roots.push({ prefix, root: resolve(settings.root) });
  }
  return roots;
}

const overlaps = (a: string, b: string): boolean =>
  a === b || a.startsWith(b.endsWith(sep) ? b : b + sep) || b.startsWith(a.endsWith(sep) ? a : a + sep);

/**
 * Moves disk mounts of `config` to fresh directories from `freshRoot(prefix key)`: all of them
 * when `always`, else those overlapping a root in use. A root the caller chose explicitly
 * (`keep`) is never moved; if it is in use, the request is refused (409) rather than clearing
 * another workspace's files.
 */
export function relocateDiskRoots(
  config: WorkspaceConfig,
  inUse: readonly DiskRootInUse[],
  freshRoot: (key: string) => string,
  options: { always?: boolean; keep?: ReadonlySet<string> } = {},
): { config: WorkspaceConfig; relocated: string[]; rootless: string[] } {
  const result = structuredClone(config);
  const relocated: string[] = [];
  const rootless: string[] = [];
  // A disk mount saved without its host directory (a reference snapshot keeps only the files)
  // always gets one of its own.
  for (const { prefix, resource, config: settings } of configMounts(config)) {
    const mount = result.mounts[prefix];
    if (resource !== 'disk' || mount === undefined || (typeof settings.root === 'string' && settings.root !== '')) continue;
    const fresh = freshRoot(mountKey(prefix) === '' ? 'root' : mountKey(prefix).replace(/\//g, '_'));
    mount.config = { ...(mount.config ?? {}), root: fresh };
    relocated.push(fresh);
    rootless.push(fresh);
  }
  for (const { prefix, root } of diskRoots(config)) {
    const user = inUse.find((used) => overlaps(used.root, root));
    if (options.keep?.has(mountKey(prefix))) {
      if (user !== undefined) {
        throw new WorkspaceError(
          'busy',
          `disk root ${root} of mount ${prefix} is in use by workspace ${user.workspaceId}; choose another root`,
        );
      }
      continue;
    }
    if (options.always !== true && user === undefined) continue;
    const mount = result.mounts[prefix];
    if (mount === undefined) continue;
    const fresh = freshRoot(mountKey(prefix) === '' ? 'root' : mountKey(prefix).replace(/\//g, '_'));
    mount.config = { ...(mount.config ?? {}), root: fresh };
    relocated.push(fresh);
  }
  return { config: result, relocated, rootless };
}

/** Keys (mountKey) of the mounts whose `config.root` an override sets explicitly. */
export function overriddenRoots(override: Partial<WorkspaceConfig> | undefined): Set<string> {
  const keys = new Set<string>();
  for (const [prefix, mount] of Object.entries(override?.mounts ?? {})) {
    if (mount !== null && typeof mount === 'object' && typeof mount.config?.root === 'string') keys.add(mountKey(prefix));
  }
  return keys;
}
