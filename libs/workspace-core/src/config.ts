// Validation of the workspace config (the YAML of `workspace create`, sent as JSON). Every problem
// is collected and reported in one `invalid` error; an unknown backend is a build failure (502).
//
// Network: `network: { allow: [<url prefix>, ...] }` enables `curl` for those URL prefixes only
// (GET/HEAD), and only when the daemon itself allows network (WorkspaceCoreOptions.allowNetwork).
// Without both, `curl` does not exist in the workspace ("command not found").
import { statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { ConfigLoadError, MOUNT_MODES, interpolateEnv, isRecord } from '@mirage-ts/protocol';
import type { MountMode, WorkspaceConfig } from '@mirage-ts/protocol';
import { WorkspaceError } from './errors.js';
import { ENGINE_CHOICES } from './engines/engine.js';
import type { EngineChoice } from './engines/engine.js';
import { parseS3MountConfig } from './mounts/s3/config.js';

export type ResourceName = 'ram' | 'disk' | 's3';
export const RESOURCES: readonly ResourceName[] = ['ram', 'disk', 's3'];

/** One validated mount. `prefix` is `/` or `/a/b` (no trailing slash). */
export interface MountSpec {
  prefix: string;
  resource: ResourceName;
  mode: MountMode;
  /** The backend's options, interpolated, credentials included. */
  config: Record<string, unknown>;
  /** For s3: what the S3 helper's parser returned. */
  parsed?: unknown;
}

export interface ValidatedConfig {
  config: WorkspaceConfig;
  mounts: MountSpec[];
  defaultSessionId: string;
  workspaceId?: string;
  /** URL prefixes `curl` may reach (empty: no network). */
  networkAllow: string[];
  /** `engine:` of the config (docs/engines.md); undefined = the daemon's default. */
  engine?: EngineChoice;
}

const TOP_LEVEL_KEYS = new Set([
  'mounts', 'mode', 'consistency', 'read', 'write', 'cache', 'index', 'store', 'console', 'io', 'runtimes',
  'runtime', 'profiles', 'profile', 'route_policy', 'secrets', 'env', 'clis', 'command_limits',
  'default_session_id', 'default_agent_id', 'workspace_id', 'network', 'engine',
]);
const MOUNT_KEYS = new Set([
  'resource', 'vfs', 'mode', 'config', 'read', 'write', 'ttl', 'index', 'command_limits', 'command_safeguards',
  'backend', 'mountpoint', 'fuse',
]);
const DISK_KEYS = new Set(['root']);

export const SESSION_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

/** Parses a mode case-insensitively; undefined when it is not read, write or exec. */
export function parseMode(value: unknown): MountMode | undefined {
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  return (MOUNT_MODES as readonly string[]).includes(lower) ? (lower as MountMode) : undefined;
}

/** `/data/` → `/data`; `/` stays; undefined for a relative path or `.`/`..`/empty segments. */
export function normalizePrefix(raw: string): string | undefined {
  if (!raw.startsWith('/')) return undefined;
  const segments = raw.split('/').filter((segment, index, all) => !(segment === '' && (index === 0 || index === all.length - 1)));
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) return undefined;
  return `/${segments.join('/')}`;
}

function sortedNames(names: Iterable<string>): string {
  return [...names].sort().join(', ');
}

export async function validateConfig(raw: unknown, env: Record<string, string | undefined>): Promise<ValidatedConfig> {
  if (!isRecord(raw)) throw new WorkspaceError('invalid', 'config must be a mapping');
  const problems: string[] = [];
  let document: Record<string, unknown> = raw;
  try {
    document = interpolateEnv(raw, env);
  } catch (error) {
    if (!(error instanceof ConfigLoadError)) throw error;
    problems.push(error.message);
  }

  const unknownTop = Object.keys(document).filter((key) => !TOP_LEVEL_KEYS.has(key));
  if (unknownTop.length > 0) problems.push(`unknown config keys: ${sortedNames(unknownTop)}`);

  let defaultMode: MountMode = 'write';
  if (document.mode !== undefined) {
    const mode = parseMode(document.mode);
    if (mode === undefined) problems.push(`invalid mode: ${String(document.mode)} (expected read, write or exec)`);
    else defaultMode = mode;
  }

  let defaultSessionId = 'default';
  if (document.default_session_id !== undefined) {
    if (typeof document.default_session_id !== 'string' || !SESSION_ID_PATTERN.test(document.default_session_id)) {
      problems.push(`invalid default_session_id: ${String(document.default_session_id)}`);
    } else defaultSessionId = document.default_session_id;
  }
  let workspaceId: string | undefined;
  if (document.workspace_id !== undefined) {
    if (typeof document.workspace_id !== 'string') problems.push('workspace_id must be a string');
    else workspaceId = document.workspace_id;
  }

  const networkAllow: string[] = [];
  if (document.network !== undefined) {
    const network = document.network;
    if (!isRecord(network)) problems.push('network must be a mapping like {allow: [url prefixes]}');
    else {
      const unknown = Object.keys(network).filter((key) => key !== 'allow');
      if (unknown.length > 0) problems.push(`network: unknown keys: ${sortedNames(unknown)}`);
      const allow = network.allow ?? [];
      if (!Array.isArray(allow) || allow.some((entry) => typeof entry !== 'string')) problems.push('network.allow must be a list of URL prefixes');
      else {
        for (const entry of allow as string[]) {
          if (!/^https?:\/\/[^/]+/.test(entry)) problems.push(`network.allow: not an http(s) URL prefix: ${entry}`);
          else networkAllow.push(entry);
        }
      }
    }
  }

  let engine: EngineChoice | undefined;
  if (document.engine !== undefined) {
    if (typeof document.engine === 'string' && (ENGINE_CHOICES as readonly string[]).includes(document.engine.toLowerCase())) {
      engine = document.engine.toLowerCase() as EngineChoice;
    } else problems.push(`invalid engine: ${String(document.engine)} (expected one of ${ENGINE_CHOICES.join(', ')})`);
  }

  const mounts: MountSpec[] = [];
  const unknownResources: string[] = [];
  if (!isRecord(document.mounts)) {
    problems.push('config requires a `mounts` mapping');
  } else {
    for (const [rawPrefix, block] of Object.entries(document.mounts)) {
      const prefix = normalizePrefix(rawPrefix);
      const label = `mount ${rawPrefix}`;
      if (prefix === undefined) {
        problems.push(`${label}: prefix must be an absolute path without . or .. segments`);
        continue;
      }
      if (mounts.some((mount) => mount.prefix === prefix)) {
        problems.push(`${label}: mounted twice`);
        continue;
      }
      if (!isRecord(block)) {
        problems.push(`${label}: must be a mapping with a resource`);
        continue;
      }
      const unknownKeys = Object.keys(block).filter((key) => !MOUNT_KEYS.has(key));
      if (unknownKeys.length > 0) problems.push(`${label}: unknown keys: ${sortedNames(unknownKeys)}`);
      const name = block.resource ?? block.vfs;
      if (block.resource !== undefined && block.vfs !== undefined && block.resource !== block.vfs) {
        problems.push(`${label}: resource and vfs disagree`);
      }
      let mode = defaultMode;
      if (block.mode !== undefined) {
        const parsed = parseMode(block.mode);
        if (parsed === undefined) problems.push(`${label}: invalid mode: ${String(block.mode)} (expected read, write or exec)`);
        else mode = parsed;
      }
      let options: Record<string, unknown> = {};
      if (block.config !== undefined && block.config !== null) {
        if (!isRecord(block.config)) problems.push(`${label}: config must be a mapping`);
        else options = block.config;
      }
      if (typeof name !== 'string' || name === '') {
        problems.push(`${label}: requires a resource (ram, disk or s3)`);
        continue;
      }
      const resource = name.toLowerCase();
      if (!(RESOURCES as readonly string[]).includes(resource)) {
        unknownResources.push(name);
        continue;
      }
      const spec: MountSpec = { prefix, resource: resource as ResourceName, mode, config: options };
      problems.push(...checkBackendConfig(spec, label));
      mounts.push(spec);
    }
    for (const outer of mounts) {
      for (const inner of mounts) {
        if (outer !== inner && outer.prefix !== '/' && inner.prefix.startsWith(`${outer.prefix}/`)) {
          problems.push(`mount ${inner.prefix}: nested inside mount ${outer.prefix}`);
        }
      }
    }
  }

  if (problems.length > 0) throw new WorkspaceError('invalid', problems.join('; '));
  if (unknownResources.length > 0) {
    throw new WorkspaceError('build_failed', `resource build failed: unknown resource: ${unknownResources.join(', ')}`);
  }

  const normalizedMounts: WorkspaceConfig['mounts'] = {};
  for (const mount of mounts) {
    const original = (document.mounts as Record<string, Record<string, unknown>>)[denormalizedKey(document.mounts as Record<string, unknown>, mount.prefix)];
    const { vfs: _vfs, resource: _resource, mode: _mode, config: _config, ...rest } = original;
    normalizedMounts[mount.prefix] = { resource: mount.resource, mode: mount.mode, config: mount.config, ...rest };
  }
  const config: WorkspaceConfig = { ...document, mode: document.mode === undefined ? undefined : defaultMode, mounts: normalizedMounts };
  if (config.mode === undefined) delete config.mode;
  if (engine !== undefined) config.engine = engine;
  return { config, mounts, defaultSessionId, workspaceId, networkAllow, engine };
}

function denormalizedKey(mounts: Record<string, unknown>, prefix: string): string {
  return Object.keys(mounts).find((key) => normalizePrefix(key) === prefix) ?? prefix;
}

function checkBackendConfig(spec: MountSpec, label: string): string[] {
  const problems: string[] = [];
  const keys = Object.keys(spec.config);
  if (spec.resource === 'ram') {
    if (keys.length > 0) problems.push(`${label}: ram: unknown config keys: ${sortedNames(keys)}`);
  } else if (spec.resource === 'disk') {
    const unknown = keys.filter((key) => !DISK_KEYS.has(key));
    if (unknown.length > 0) problems.push(`${label}: disk: unknown config keys: ${sortedNames(unknown)}`);
    const root = spec.config.root;
    if (typeof root !== 'string' || root === '') problems.push(`${label}: disk: config.root is required (a host directory)`);
    else if (root.includes('${')) {
      // An uninterpolated placeholder: the missing variable is already reported.
    } else if (!isAbsolute(root)) problems.push(`${label}: disk: root must be an absolute path: ${root}`);
    else {
      let isDirectory = false;
      try {
        isDirectory = statSync(root).isDirectory();
      } catch {
        isDirectory = false;
      }
      if (!isDirectory) problems.push(`${label}: disk: root is not an existing directory: ${root}`);
    }
  } else {
    try {
      spec.parsed = parseS3MountConfig(spec.config, spec.prefix);
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  return problems;
}
