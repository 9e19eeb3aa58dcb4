// Validation of the workspace config (the YAML of `workspace create`, sent as JSON). Every problem
// is collected and reported in one `invalid` error; an unknown backend is a build failure (502).
// Each top-level section has its own validator in SECTIONS (run in order: mounts read the default
// mode); a new section is one more entry there, its keys one more `keys` list.
//
// Network: `network: { allow: [<url prefix>, ...] }` enables `curl` for those URL prefixes only
// (GET/HEAD), and only when the daemon itself allows network (WorkspaceCoreOptions.allowNetwork).
// Without both, `curl` does not exist in the workspace ("command not found").
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigLoadError, LABEL_KEY_PATTERN, LABEL_VALUE_PATTERN, MOUNT_MODES, interpolateEnv, isRecord } from '@mirage-ts/protocol';
import type { MountMode, WorkspaceConfig } from '@mirage-ts/protocol';
import { WorkspaceError } from './errors.js';
import { ENGINE_CHOICES } from './engines/engine.js';
import type { EngineChoice } from './engines/engine.js';
import { parseLimits } from './limits.js';
import type { PartialLimits } from './limits.js';
import { normalizePrefix } from './mount-paths.js';
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
  /** The `limits` block as asked (limits.ts merges it with the daemon's defaults and ceilings). */
  limits: PartialLimits;
  /** `engine:` of the config (docs/engines.md); undefined = the daemon's default. */
  engine?: EngineChoice;
  /** `labels:`, values as strings (matched by `GET /v1/workspaces?label=k=v`). */
  labels: Record<string, string>;
  /** `env:` resolved: the variables every session starts with. */
  env: Record<string, string>;
  /** The names of `env:` given `readonly: true`: restored after every line, and win over a line's own env. */
  readonlyEnv: string[];
  /** `idle_timeout_s:` seconds without a job after which the workspace is closed; undefined: never. */
  idleTimeoutS?: number;
}

/** Top-level keys accepted and kept as they are (no section of ours reads them). */
const PASSED_THROUGH_KEYS = [
  'consistency',
  'read',
  'write',
  'cache',
  'index',
  'store',
  'console',
  'io',
  'runtimes',
  'runtime',
  'profiles',
  'profile',
  'route_policy',
  'secrets',
  'clis',
  'command_limits',
  'default_agent_id',
];
const MOUNT_KEYS = new Set([
  'resource',
  'vfs',
  'mode',
  'config',
  'read',
  'write',
  'ttl',
  'index',
  'command_limits',
  'command_safeguards',
  'backend',
  'mountpoint',
  'fuse',
]);
const DISK_KEYS = new Set(['root']);

export const SESSION_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

/** Parses a mode case-insensitively; undefined when it is not read, write or exec. */
export function parseMode(value: unknown): MountMode | undefined {
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  return (MOUNT_MODES as readonly string[]).includes(lower) ? (lower as MountMode) : undefined;
}

function sortedNames(names: Iterable<string>): string {
  return [...names].sort().join(', ');
}

/** What the sections find, filled in as they run; problems are collected, not thrown. */
interface Draft {
  problems: string[];
  defaultMode: MountMode;
  defaultSessionId: string;
  workspaceId?: string;
  networkAllow: string[];
  mounts: MountSpec[];
  limits: PartialLimits;
  engine?: EngineChoice;
  /** Backends no build knows: a build failure (502) once the config is otherwise valid. */
  unknownResources: string[];
  labels: Record<string, string>;
  env: Record<string, string>;
  readonlyEnv: string[];
  idleTimeoutS?: number;
  /** Checks that read files (dotenv), awaited after the sections ran. */
  pending: Promise<void>[];
  /** The daemon's environment (`env:` entries `from: env`). */
  daemonEnv: Record<string, string | undefined>;
}

/** One top-level section of the config: the keys it owns and the check of their values. */
interface ConfigSection {
  keys: readonly string[];
  check(document: Record<string, unknown>, draft: Draft): void;
}

const modeSection: ConfigSection = {
  keys: ['mode'],
  check(document, draft) {
    if (document.mode === undefined) return;
    const mode = parseMode(document.mode);
    if (mode === undefined) draft.problems.push(`invalid mode: ${String(document.mode)} (expected read, write or exec)`);
    else draft.defaultMode = mode;
  },
};

const sessionsSection: ConfigSection = {
  keys: ['default_session_id'],
  check(document, draft) {
    const id = document.default_session_id;
    if (id === undefined) return;
    if (typeof id !== 'string' || !SESSION_ID_PATTERN.test(id)) draft.problems.push(`invalid default_session_id: ${String(id)}`);
    else draft.defaultSessionId = id;
  },
};

const workspaceIdSection: ConfigSection = {
  keys: ['workspace_id'],
  check(document, draft) {
    if (document.workspace_id === undefined) return;
    if (typeof document.workspace_id !== 'string') draft.problems.push('workspace_id must be a string');
    else draft.workspaceId = document.workspace_id;
  },
};

const networkSection: ConfigSection = {
  keys: ['network'],
  check(document, draft) {
    const network = document.network;
    if (network === undefined) return;
    if (!isRecord(network)) {
      draft.problems.push('network must be a mapping like {allow: [url prefixes]}');
      return;
    }
    const unknown = Object.keys(network).filter((key) => key !== 'allow');
    if (unknown.length > 0) draft.problems.push(`network: unknown keys: ${sortedNames(unknown)}`);
    const allow = network.allow ?? [];
    if (!Array.isArray(allow) || allow.some((entry) => typeof entry !== 'string')) {
      draft.problems.push('network.allow must be a list of URL prefixes');
      return;
    }
    for (const entry of allow as string[]) {
      if (!/^https?:\/\/[^/]+/.test(entry)) draft.problems.push(`network.allow: not an http(s) URL prefix: ${entry}`);
      else draft.networkAllow.push(entry);
    }
  },
};

const engineSection: ConfigSection = {
  keys: ['engine'],
  check(document, draft) {
    if (document.engine === undefined) return;
    if (typeof document.engine === 'string' && (ENGINE_CHOICES as readonly string[]).includes(document.engine.toLowerCase())) {
      draft.engine = document.engine.toLowerCase() as EngineChoice;
    } else draft.problems.push(`invalid engine: ${String(document.engine)} (expected one of ${ENGINE_CHOICES.join(', ')})`);
  },
};

const limitsSection: ConfigSection = {
  keys: ['limits'],
  check(document, draft) {
    const parsed = parseLimits(document.limits);
    draft.problems.push(...parsed.problems);
    draft.limits = parsed.limits;
  },
};

const mountsSection: ConfigSection = {
  keys: ['mounts'],
  check(document, draft) {
    if (!isRecord(document.mounts)) {
      draft.problems.push('config requires a `mounts` mapping');
      return;
    }
    for (const [rawPrefix, block] of Object.entries(document.mounts)) checkMount(rawPrefix, block, draft);
    checkNesting(draft);
  },
};

const isScalar = (value: unknown): value is string | number | boolean =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

const labelsSection: ConfigSection = {
  keys: ['labels'],
  check(document, draft) {
    const labels = document.labels;
    if (labels === undefined || labels === null) return;
    if (!isRecord(labels)) {
      draft.problems.push('labels must be a mapping of key: value');
      return;
    }
    for (const [key, value] of Object.entries(labels)) {
      if (!LABEL_KEY_PATTERN.test(key))
        draft.problems.push(`labels: invalid key ${JSON.stringify(key)} (letters, digits, . _ - /; at most 63)`);
      else if (!isScalar(value) || !LABEL_VALUE_PATTERN.test(String(value))) {
        draft.problems.push(`labels.${key}: the value must be up to 63 letters, digits, . _ or -`);
      } else draft.labels[key] = String(value);
    }
  },
};

const idleTimeoutSection: ConfigSection = {
  keys: ['idle_timeout_s'],
  check(document, draft) {
    const value = document.idle_timeout_s;
    if (value === undefined || value === null) return;
    // The ceiling keeps the timer within a Node timer's range (about 24.8 days).
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 2_000_000) {
      draft.problems.push(`idle_timeout_s must be a number of seconds above 0 and at most 2000000, got ${JSON.stringify(value)}`);
    } else draft.idleTimeoutS = value;
  },
};

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENV_ENTRY_KEYS = new Set(['value', 'readonly', 'from', 'key', 'ref']);

/** Reads a dotenv file once per validation, however many entries name it. */
type DotenvCache = Map<string, Promise<Record<string, string>>>;

function readDotenv(path: string, cache: DotenvCache): Promise<Record<string, string>> {
  let entry = cache.get(path);
  if (entry === undefined) {
    entry = readFile(path, 'utf8').then((text) => parseEnv(text) as Record<string, string>);
    cache.set(path, entry);
  }
  return entry;
}

/** One `env:` entry: a literal, `{value, readonly}`, `{from: env, key}` or `{from: dotenv, ref, key}`. */
function checkEnvEntry(name: string, entry: unknown, env: Record<string, string | undefined>, draft: Draft, dotenv: DotenvCache): void {
  const label = `env.${name}`;
  if (!ENV_NAME.test(name)) {
    draft.problems.push(`env: invalid variable name ${JSON.stringify(name)}`);
    return;
  }
  if (isScalar(entry)) {
    draft.env[name] = String(entry);
    return;
  }
  if (!isRecord(entry)) {
    draft.problems.push(`${label}: must be a value or a mapping {value} / {from: env, key} / {from: dotenv, ref, key}`);
    return;
  }
  const unknown = Object.keys(entry).filter((key) => !ENV_ENTRY_KEYS.has(key));
  if (unknown.length > 0) draft.problems.push(`${label}: unknown keys: ${sortedNames(unknown)}`);
  if (entry.readonly !== undefined && typeof entry.readonly !== 'boolean') draft.problems.push(`${label}: readonly must be true or false`);
  if (entry.value !== undefined && entry.from !== undefined) {
    draft.problems.push(`${label}: give value or from, not both`);
    return;
  }
  if (entry.readonly === true) draft.readonlyEnv.push(name);
  if (entry.from === undefined) {
    if (!isScalar(entry.value)) draft.problems.push(`${label}: value must be a string, number or boolean`);
    else draft.env[name] = String(entry.value);
    return;
  }
  const key = entry.key ?? name;
  if (typeof key !== 'string' || !ENV_NAME.test(key)) {
    draft.problems.push(`${label}: key must be a variable name`);
    return;
  }
  if (entry.from === 'env') {
    if (entry.ref !== undefined) draft.problems.push(`${label}: ref belongs to from: dotenv`);
    const found = env[key];
    if (found === undefined) draft.problems.push(`${label}: ${key} is not set in the daemon's environment`);
    else draft.env[name] = found;
    return;
  }
  if (entry.from !== 'dotenv') {
    draft.problems.push(`${label}: from must be env or dotenv, got ${JSON.stringify(entry.from)}`);
    return;
  }
  if (typeof entry.ref !== 'string' || entry.ref === '') {
    draft.problems.push(`${label}: from: dotenv needs ref, the path of the dotenv file`);
    return;
  }
  const path = resolve(entry.ref);
  draft.pending.push(
    readDotenv(path, dotenv).then(
      (values) => {
        if (Object.hasOwn(values, key)) draft.env[name] = values[key];
        else draft.problems.push(`${label}: ${key} is not in the dotenv file ${entry.ref as string}`);
      },
      (error: unknown) => {
        const code = (error as NodeJS.ErrnoException).code;
        draft.problems.push(
          code === 'ENOENT'
            ? `${label}: dotenv file not found: ${entry.ref as string}`
            : `${label}: cannot read the dotenv file ${entry.ref as string}: ${(error as Error).message}`,
        );
      },
    ),
  );
}

const envSection: ConfigSection = {
  keys: ['env'],
  check(document, draft) {
    const block = document.env;
    if (block === undefined || block === null) return;
    if (!isRecord(block)) {
      draft.problems.push('env must be a mapping of NAME: value');
      return;
    }
    const dotenv: DotenvCache = new Map();
    for (const [name, entry] of Object.entries(block)) checkEnvEntry(name, entry, draft.daemonEnv, draft, dotenv);
  },
};

/** The sections, in the order they are checked (and their problems reported). */
const SECTIONS: readonly ConfigSection[] = [
  modeSection,
  sessionsSection,
  workspaceIdSection,
  networkSection,
  engineSection,
  limitsSection,
  labelsSection,
  idleTimeoutSection,
  envSection,
  mountsSection,
];

const TOP_LEVEL_KEYS = new Set([...PASSED_THROUGH_KEYS, ...SECTIONS.flatMap((section) => section.keys)]);

export async function validateConfig(raw: unknown, env: Record<string, string | undefined>): Promise<ValidatedConfig> {
  if (!isRecord(raw)) throw new WorkspaceError('invalid', 'config must be a mapping');
  const draft: Draft = {
    problems: [],
    defaultMode: 'write',
    defaultSessionId: 'default',
    networkAllow: [],
    mounts: [],
    limits: {},
    unknownResources: [],
    labels: {},
    env: {},
    readonlyEnv: [],
    pending: [],
    daemonEnv: env,
  };
  let document: Record<string, unknown> = raw;
  try {
    document = interpolateEnv(raw, env);
  } catch (error) {
    if (!(error instanceof ConfigLoadError)) throw error;
    draft.problems.push(error.message);
  }

  const unknownTop = Object.keys(document).filter((key) => !TOP_LEVEL_KEYS.has(key));
  if (unknownTop.length > 0) draft.problems.push(`unknown config keys: ${sortedNames(unknownTop)}`);
  for (const section of SECTIONS) section.check(document, draft);
  await Promise.all(draft.pending);

  if (draft.problems.length > 0) throw new WorkspaceError('invalid', draft.problems.join('; '));
  if (draft.unknownResources.length > 0) {
    throw new WorkspaceError('build_failed', `resource build failed: unknown resource: ${draft.unknownResources.join(', ')}`);
  }
  const { mounts, defaultSessionId, workspaceId, networkAllow } = draft;
  const { labels, readonlyEnv, idleTimeoutS } = draft;
  return {
    config: normalizedDocument(document, draft),
    mounts,
    defaultSessionId,
    workspaceId,
    networkAllow,
    limits: draft.limits,
    engine: draft.engine,
    labels,
    env: draft.env,
    readonlyEnv,
    ...(idleTimeoutS === undefined ? {} : { idleTimeoutS }),
  };
}

/** One mount block: prefix, resource (or its old name `vfs`), mode, backend options. */
function checkMount(rawPrefix: string, block: unknown, draft: Draft): void {
  const { problems, mounts } = draft;
  const prefix = normalizePrefix(rawPrefix);
  const label = `mount ${rawPrefix}`;
  if (prefix === undefined) {
    problems.push(`${label}: prefix must be an absolute path without . or .. segments`);
    return;
  }
  if (mounts.some((mount) => mount.prefix === prefix)) {
    problems.push(`${label}: mounted twice`);
    return;
  }
  if (!isRecord(block)) {
    problems.push(`${label}: must be a mapping with a resource`);
    return;
  }
  const unknownKeys = Object.keys(block).filter((key) => !MOUNT_KEYS.has(key));
  if (unknownKeys.length > 0) problems.push(`${label}: unknown keys: ${sortedNames(unknownKeys)}`);
  const name = block.resource ?? block.vfs;
  if (block.resource !== undefined && block.vfs !== undefined && block.resource !== block.vfs) {
    problems.push(`${label}: resource and vfs disagree`);
  }
  let mode = draft.defaultMode;
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
    return;
  }
  const resource = name.toLowerCase();
  if (!(RESOURCES as readonly string[]).includes(resource)) {
    draft.unknownResources.push(name);
    return;
  }
  const spec: MountSpec = { prefix, resource: resource as ResourceName, mode, config: options };
  problems.push(...BACKEND_CHECKS[spec.resource](spec, label));
  mounts.push(spec);
}

/** A mount inside another one (`/data/x` in `/data`) is refused; anything inside `/` is fine. */
function checkNesting(draft: Draft): void {
  for (const outer of draft.mounts) {
    for (const inner of draft.mounts) {
      if (outer !== inner && outer.prefix !== '/' && inner.prefix.startsWith(`${outer.prefix}/`)) {
        draft.problems.push(`mount ${inner.prefix}: nested inside mount ${outer.prefix}`);
      }
    }
  }
}

/**
 * The config as the workspace keeps it: every mount under its canonical prefix with `resource`
 * (never `vfs`), its mode and options; the top-level mode lower-cased when given.
 */
function normalizedDocument(document: Record<string, unknown>, draft: Draft): WorkspaceConfig {
  const normalizedMounts: WorkspaceConfig['mounts'] = {};
  for (const mount of draft.mounts) {
    const original = (document.mounts as Record<string, Record<string, unknown>>)[
      denormalizedKey(document.mounts as Record<string, unknown>, mount.prefix)
    ];
    const { vfs: _vfs, resource: _resource, mode: _mode, config: _config, ...rest } = original;
    normalizedMounts[mount.prefix] = { resource: mount.resource, mode: mount.mode, config: mount.config, ...rest };
  }
  const config: WorkspaceConfig = {
    ...document,
    mode: document.mode === undefined ? undefined : draft.defaultMode,
    mounts: normalizedMounts,
  };
  if (config.mode === undefined) delete config.mode;
  if (draft.engine !== undefined) config.engine = draft.engine;
  return config;
}

function denormalizedKey(mounts: Record<string, unknown>, prefix: string): string {
  return Object.keys(mounts).find((key) => normalizePrefix(key) === prefix) ?? prefix;
}

type BackendCheck = (spec: MountSpec, label: string) => string[];

function checkRam(spec: MountSpec, label: string): string[] {
  const keys = Object.keys(spec.config);
  return keys.length > 0 ? [`${label}: ram: unknown config keys: ${sortedNames(keys)}`] : [];
}

function checkDisk(spec: MountSpec, label: string): string[] {
  const problems: string[] = [];
  const unknown = Object.keys(spec.config).filter((key) => !DISK_KEYS.has(key));
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
  return problems;
}

function checkS3(spec: MountSpec): string[] {
  try {
    spec.parsed = parseS3MountConfig(spec.config, spec.prefix);
    return [];
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}

/** The check of each backend's options (`config:` of a mount). */
const BACKEND_CHECKS: Record<ResourceName, BackendCheck> = { ram: checkRam, disk: checkDisk, s3: checkS3 };
