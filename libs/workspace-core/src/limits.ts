// Resource limits of a workspace, engine-neutral: the `limits` block of the workspace config,
// validated here and merged with the daemon's defaults and ceilings (config.toml `[limits.defaults]`
// and `[limits.ceilings]`). Each engine reads the resolved WorkspaceLimits and enforces what it can;
// docs/limits.md says which engine enforces which key and how.
import { isRecord } from '@mirage-ts/protocol';

/** Every limit, resolved (no key missing). */
export interface WorkspaceLimits {
  /** Bytes the workspace's ram mounts may hold together; a write past it fails with ENOSPC. */
  max_bytes: number;
  /** Default per-call timeout in seconds; a call that runs longer ends with exit 124. */
  timeout_s: number;
  /** Per stream per call: longer stdout/stderr is cut and flagged `truncated`. */
  max_output_bytes: number;
  /** Processes a call may run at once (sandbox engine). */
  max_processes: number;
  /** Memory a call may use (sandbox engine). */
  max_memory_bytes: number;
  /** CPU time a call may use; the builtin engine maps it to a command and iteration budget. */
  cpu_seconds: number;
}

export type LimitKey = keyof WorkspaceLimits;
export type PartialLimits = Partial<WorkspaceLimits>;

/** What the daemon operator sets: defaults for workspaces that ask nothing, ceilings no workspace may pass. */
export interface LimitsPolicy {
  defaults?: PartialLimits;
  ceilings?: PartialLimits;
}

export const LIMIT_KEYS: readonly LimitKey[] = [
  'max_bytes',
  'timeout_s',
  'max_output_bytes',
  'max_processes',
  'max_memory_bytes',
  'cpu_seconds',
];
/** Keys counted in whole units (bytes, processes); the others are seconds and may be fractional. */
const INTEGER_KEYS: ReadonlySet<LimitKey> = new Set<LimitKey>(['max_bytes', 'max_output_bytes', 'max_processes', 'max_memory_bytes']);

const MIB = 1024 * 1024;
/** The defaults when neither the workspace nor the daemon says otherwise. */
export const DEFAULT_LIMITS: Readonly<WorkspaceLimits> = {
  max_bytes: 1024 * MIB,
  timeout_s: 3600,
  max_output_bytes: 16 * MIB,
  max_processes: 256,
  max_memory_bytes: 2048 * MIB,
  cpu_seconds: 600,
};

const isLimitKey = (key: string): key is LimitKey => (LIMIT_KEYS as readonly string[]).includes(key);

/**
 * Checks one limits mapping (`label` names it in messages: `limits`, `[limits.ceilings]`).
 * Returns the limits it sets and every problem found: not a mapping, unknown keys (listed,
 * sorted), values that are not numbers > 0 (whole numbers for byte and process counts).
 */
export function parseLimits(raw: unknown, label = 'limits'): { limits: PartialLimits; problems: string[] } {
  const limits: PartialLimits = {};
  if (raw === undefined || raw === null) return { limits, problems: [] };
  if (!isRecord(raw)) return { limits, problems: [`${label} must be a mapping of ${LIMIT_KEYS.join(', ')}`] };
  const problems: string[] = [];
  const unknown = Object.keys(raw).filter((key) => !isLimitKey(key));
  if (unknown.length > 0) problems.push(`${label}: unknown keys: ${unknown.sort().join(', ')}`);
  for (const [key, value] of Object.entries(raw)) {
    if (!isLimitKey(key)) continue;
    const whole = INTEGER_KEYS.has(key);
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (whole && !Number.isSafeInteger(value))) {
      const shown = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
      problems.push(`${label}.${key} must be a ${whole ? 'whole number' : 'number'} > 0, got ${shown}`);
      continue;
    }
    limits[key] = value;
  }
  return { limits, problems };
}

/** Validates a daemon policy (both tables); throws an Error listing every problem. */
export function parseLimitsPolicy(raw: unknown, label = 'limits'): LimitsPolicy {
  if (raw === undefined || raw === null) return {};
  if (!isRecord(raw)) throw new Error(`${label} must be a table with defaults and ceilings`);
  const problems: string[] = [];
  const unknown = Object.keys(raw).filter((key) => key !== 'defaults' && key !== 'ceilings');
  if (unknown.length > 0) problems.push(`${label}: unknown keys: ${unknown.sort().join(', ')} (expected defaults, ceilings)`);
  const defaults = parseLimits(raw.defaults, `${label}.defaults`);
  const ceilings = parseLimits(raw.ceilings, `${label}.ceilings`);
  problems.push(...defaults.problems, ...ceilings.problems);
  for (const key of LIMIT_KEYS) {
    const value = defaults.limits[key];
    const ceiling = ceilings.limits[key];
    if (value !== undefined && ceiling !== undefined && value > ceiling)
      problems.push(`${label}.defaults.${key} (${value}) is above ${label}.ceilings.${key} (${ceiling})`);
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
  return { defaults: defaults.limits, ceilings: ceilings.limits };
}

/**
 * The limits a workspace runs with: what it asked, else the daemon's default, else DEFAULT_LIMITS
 * (lowered to the daemon's ceiling when that is lower). Asking above a ceiling is a problem
 * naming the key; `problems` is empty when the request is acceptable.
 */
export function resolveLimits(requested: PartialLimits, policy: LimitsPolicy = {}): { limits: WorkspaceLimits; problems: string[] } {
  const limits = { ...DEFAULT_LIMITS };
  const problems: string[] = [];
  for (const key of LIMIT_KEYS) {
    const ceiling = policy.ceilings?.[key];
    const asked = requested[key];
    if (asked !== undefined && ceiling !== undefined && asked > ceiling) {
      problems.push(`limits.${key}: ${asked} is above the daemon's ceiling (${ceiling})`);
      continue;
    }
    const chosen = asked ?? policy.defaults?.[key] ?? DEFAULT_LIMITS[key];
    limits[key] = ceiling !== undefined ? Math.min(chosen, ceiling) : chosen;
  }
  return { limits, problems };
}
