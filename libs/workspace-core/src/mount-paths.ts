// Mount prefixes and the mount that owns a path, in one place. A validated prefix is canonical:
// `/` or `/a/b`, no trailing slash (normalizePrefix). It is shown with a trailing slash in
// summaries and refusals (`/a/b/`, summaryPrefix); tree paths (snapshots, versions, ram listings)
// are relative, so a mount's part of a tree starts at `a/b/` (treePrefix) and is keyed `a/b`
// (mountKey; the root mount is ``).
import type { MountConfig, WorkspaceConfig } from '@mirage-ts/protocol';

/** `/data/` → `/data`; `/` stays; undefined for a relative path or `.`/`..`/empty segments. */
export function normalizePrefix(raw: string): string | undefined {
  if (!raw.startsWith('/')) return undefined;
  const segments = raw.split('/').filter((segment, index, all) => !(segment === '' && (index === 0 || index === all.length - 1)));
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) return undefined;
  return `/${segments.join('/')}`;
}

/** `/` → `/`; `/data` → `/data/`. */
export function summaryPrefix(prefix: string): string {
  return prefix === '/' ? '/' : `${prefix}/`;
}

/** Where a canonical prefix's files start in a tree: `` for the root, `data/` for /data. */
export function treePrefix(prefix: string): string {
  return prefix === '/' ? '' : `${prefix.slice(1)}/`;
}

/** The tree key of a prefix in any spelling: `/data/`, `/data`, `data/` → `data`; `/` → ``. */
export function mountKey(prefix: string): string {
  return prefix
    .split('/')
    .filter((s) => s !== '')
    .join('/');
}

/**
 * Whether the mount at `prefix` holds `path`, both spelt alike: absolute (`/data` holds `/data`
 * and `/data/x`, `/` holds everything) or as tree keys (`data` holds `data/x`, `` everything).
 */
export function holdsPath(prefix: string, path: string): boolean {
  return prefix === '/' || prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
}

/** The mount that holds `path`: the one with the longest prefix holding it (see holdsPath). */
export function owningMount<T>(mounts: readonly T[], path: string, prefixOf: (mount: T) => string): T | undefined {
  let best: T | undefined;
  let bestLength = -1;
  for (const mount of mounts) {
    const prefix = prefixOf(mount);
    if (prefix.length > bestLength && holdsPath(prefix, path)) {
      best = mount;
      bestLength = prefix.length;
    }
  }
  return best;
}

/**
 * The backend name of a mount block. validateConfig writes `resource` into every mount it
 * accepts; blocks that have not been through it (override configs, documents saved by older
 * versions) may still spell it `vfs`, the old name, and are read here and nowhere else.
 */
export function mountResource(block: MountConfig): string | undefined {
  return block.resource ?? block.vfs;
}

/** One mount of a config document, with the config's defaults applied. */
export interface ConfigMount {
  prefix: string;
  /** `` when the block names none. */
  resource: string;
  mode: string;
  config: Record<string, unknown>;
}

/** The mounts of a config document, in config order: backend, mode (the config's default `write`) and options. */
export function configMounts(config: WorkspaceConfig): ConfigMount[] {
  const defaultMode = typeof config.mode === 'string' ? config.mode.toLowerCase() : 'write';
  return Object.entries(config.mounts ?? {}).map(([prefix, block]) => ({
    prefix,
    resource: String(mountResource(block) ?? ''),
    mode: typeof block.mode === 'string' ? block.mode.toLowerCase() : defaultMode,
    config: block.config ?? {},
  }));
}
