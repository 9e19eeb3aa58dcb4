// Reads a workspace config file for `workspace create` / `workspace load`, before any
// network call: parse YAML/JSON, interpolate ${VAR}, and (for create) require a `mounts` mapping.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigLoadError, isRecord, loadWorkspaceConfigText, parseConfigText, type WorkspaceConfig } from '@mirage-ts/protocol/client';
import { CliError } from './errors.js';

type Environment = Record<string, string | undefined>;

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`config file not found: ${path}`, 2);
    if (code === 'EISDIR') throw new CliError(`config path is a directory: ${path}`, 2);
    throw new CliError(`cannot read config file ${path}: ${(error as Error).message}`, 2);
  }
}

/**
 * The `ref` of each `env:` entry `{from: dotenv, ref}` made absolute against the config file's
 * directory: the daemon reads the file, and its working directory is not the user's.
 */
function anchorDotenvRefs<T extends Partial<WorkspaceConfig>>(config: T, configPath: string): T {
  const block = (config as Record<string, unknown>).env;
  if (!isRecord(block)) return config;
  const env: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(block)) {
    const relative =
      isRecord(entry) && entry.from === 'dotenv' && typeof entry.ref === 'string' && entry.ref !== '' && !isAbsolute(entry.ref);
    env[name] = relative ? { ...entry, ref: resolve(dirname(resolve(configPath)), entry.ref as string) } : entry;
  }
  return { ...config, env };
}

/** The workspace config of `workspace create`: a mapping with `mounts`, variables filled in. */
export async function loadCreateConfig(path: string, env: Environment): Promise<WorkspaceConfig> {
  return anchorDotenvRefs(await loadWorkspaceConfigText(await readText(path), env), path);
}

/** The optional override of `workspace load`: parsed and interpolated, not checked for `mounts`. */
export async function loadOverrideConfig(path: string, env: Environment): Promise<Partial<WorkspaceConfig>> {
  const text = await readText(path);
  try {
    return anchorDotenvRefs((await parseConfigText(text, env)) as Partial<WorkspaceConfig>, path);
  } catch (error) {
    if (error instanceof ConfigLoadError) throw new CliError(`invalid config YAML/JSON at ${path}: ${error.message}`, 2);
    throw error;
  }
}
