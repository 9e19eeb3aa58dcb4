// `${VAR}` interpolation of workspace configs (docs/cli.md §6): uppercase names only, string values
// only, keys untouched, no defaults or escapes; every missing name is reported at once.
import { ConfigLoadError } from './errors.js';
import { isRecord } from './guards.js';
import type { WorkspaceConfig } from './types.js';

const PLACEHOLDER = /\$\{([A-Z_][A-Z0-9_]*)\}/g;

type Environment = Record<string, string | undefined>;

function interpolateValue(value: unknown, env: Environment, missing: Set<string>): unknown {
  if (typeof value === 'string') {
    return value.replace(PLACEHOLDER, (placeholder, name: string) => {
      const replacement = env[name];
      if (replacement === undefined) {
        missing.add(name);
        return placeholder;
      }
      return replacement;
    });
  }
  if (Array.isArray(value)) return value.map((item) => interpolateValue(item, env, missing));
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // defineProperty, not assignment: a `__proto__` key must stay a key, not become the prototype.
      Object.defineProperty(out, key, {
        value: interpolateValue(item, env, missing),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

/** Interpolates every string in `document`; throws ConfigLoadError naming all missing variables. */
export function interpolateEnv<T>(document: T, env: Environment): T {
  const missing = new Set<string>();
  const result = interpolateValue(document, env, missing) as T;
  if (missing.size > 0) {
    const names = [...missing].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    throw new ConfigLoadError(`missing environment variables: ${names.join(', ')}`);
  }
  return result;
}

/** Checks the shape every client checks before sending: a mapping holding a `mounts` mapping. */
export function assertWorkspaceConfig(document: unknown): asserts document is WorkspaceConfig {
  if (!isRecord(document)) throw new ConfigLoadError('config source must be a mapping');
  if (!isRecord(document.mounts)) throw new ConfigLoadError('config requires a `mounts` mapping');
}

/**
 * Parses YAML (or JSON) text and interpolates it. `yaml` is imported lazily: only the verbs that
 * read a config file pay for it.
 */
export async function parseConfigText(text: string, env: Environment): Promise<unknown> {
  const { parse } = await import('yaml');
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new ConfigLoadError(`invalid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  if (!isRecord(document)) throw new ConfigLoadError('config source must be a mapping');
  return interpolateEnv(document, env);
}

/** Parses, interpolates and shape-checks a workspace config file's text. */
export async function loadWorkspaceConfigText(text: string, env: Environment): Promise<WorkspaceConfig> {
  const document = await parseConfigText(text, env);
  assertWorkspaceConfig(document);
  return document;
}
