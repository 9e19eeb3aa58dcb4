// Credentials never leave the daemon in clear: a saved config has them `<redacted>`, and a
// restore needs them again from an override config (the same shape as a workspace config).
import type { MountConfig, WorkspaceConfig } from '@mirage-ts/protocol';
import { WorkspaceError } from '../errors.js';
import { isRedacted, redactS3Config } from '../mounts/s3/config.js';
import { mountKey, mountResource } from '../mount-paths.js';

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A deep copy of `config` with the credentials of every s3 mount replaced by `<redacted>`. */
export function redactWorkspaceConfig(config: WorkspaceConfig): WorkspaceConfig {
  const copy = structuredClone(config);
  for (const mount of Object.values(copy.mounts ?? {})) {
    const backend = mountResource(mount);
    if (backend === 's3' && isMapping(mount.config)) mount.config = redactS3Config(mount.config);
  }
  return copy;
}

/**
 * `saved` with the mounts of `override` applied: a mount of the same backend gets the override's
 * config keys on top of its own (so only the credentials need restating); a different backend
 * replaces the mount. Mount prefixes match whatever their slashes (`/s3`, `/s3/`).
 */
export function applyOverride(saved: WorkspaceConfig, override: Partial<WorkspaceConfig> | undefined): WorkspaceConfig {
  const merged = structuredClone(saved);
  if (override === undefined) return merged;
  if (override.mounts !== undefined && !isMapping(override.mounts)) {
    throw new WorkspaceError('invalid', 'override build failed: override mounts must be a mapping');
  }
  const byKey = new Map(Object.keys(merged.mounts).map((prefix) => [mountKey(prefix), prefix]));
  for (const [prefix, value] of Object.entries(override.mounts ?? {})) {
    if (!isMapping(value)) throw new WorkspaceError('invalid', `override build failed: mount ${prefix} must be a mapping`);
    const replacement = value as MountConfig;
    const existingPrefix = byKey.get(mountKey(prefix));
    const existing = existingPrefix === undefined ? undefined : merged.mounts[existingPrefix];
    if (existing === undefined || existingPrefix === undefined) {
      merged.mounts[prefix] = structuredClone(replacement);
      continue;
    }
    const savedBackend = mountResource(existing);
    const newBackend = mountResource(replacement) ?? savedBackend;
    if (newBackend !== savedBackend) {
      merged.mounts[existingPrefix] = structuredClone(replacement);
      continue;
    }
    const { config: overrideSettings, ...rest } = structuredClone(replacement);
    const settings = { ...(isMapping(existing.config) ? existing.config : {}), ...(isMapping(overrideSettings) ? overrideSettings : {}) };
    merged.mounts[existingPrefix] = { ...existing, ...rest, config: settings };
  }
  for (const [key, value] of Object.entries(override)) {
    if (key !== 'mounts') merged[key] = structuredClone(value);
  }
  return merged;
}

/** Prefixes (sorted) of the mounts whose config still holds a `<redacted>` value. */
export function mountsNeedingCredentials(config: WorkspaceConfig): string[] {
  return Object.entries(config.mounts ?? {})
    .filter(([, mount]) => isMapping(mount.config) && Object.values(mount.config).some(isRedacted))
    .map(([prefix]) => prefix)
    .sort();
}

/** Throws WorkspaceError('invalid') naming every mount that still needs its credentials. */
export function requireCredentials(config: WorkspaceConfig): void {
  const missing = mountsNeedingCredentials(config);
  if (missing.length > 0) {
    throw new WorkspaceError(
      'invalid',
      `credentials were redacted for mount${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; ` +
        'supply them again in an override config (mounts.<prefix>.config)',
    );
  }
}

/**
 * `saved` with each `<redacted>` value taken from the same mount of `live` (same prefix and
 * backend), e.g. a version's config completed by the still-running workspace it came from.
 */
export function fillRedactedFrom(saved: WorkspaceConfig, live: WorkspaceConfig): WorkspaceConfig {
  const filled = structuredClone(saved);
  const liveByKey = new Map(Object.entries(live.mounts ?? {}).map(([prefix, mount]) => [mountKey(prefix), mount]));
  for (const [prefix, mount] of Object.entries(filled.mounts)) {
    const source = liveByKey.get(mountKey(prefix));
    if (source === undefined || !isMapping(mount.config) || !isMapping(source.config)) continue;
    if (mountResource(source) !== mountResource(mount)) continue;
    for (const [key, value] of Object.entries(mount.config)) {
      if (isRedacted(value) && source.config[key] !== undefined && !isRedacted(source.config[key])) mount.config[key] = source.config[key];
    }
  }
  return filled;
}
