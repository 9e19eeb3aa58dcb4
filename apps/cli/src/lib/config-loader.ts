// Reads a workspace config file for `workspace create` / `workspace load`, before any
// network call: parse YAML/JSON, interpolate ${VAR}, and (for create) require a `mounts` mapping.
import { readFile } from 'node:fs/promises';
import { ConfigLoadError, loadWorkspaceConfigText, parseConfigText, type WorkspaceConfig } from '@mirage-ts/protocol/client';
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

/** The workspace config of `workspace create`: a mapping with `mounts`, variables filled in. */
export async function loadCreateConfig(path: string, env: Environment): Promise<WorkspaceConfig> {
  return loadWorkspaceConfigText(await readText(path), env);
}

/** The optional override of `workspace load`: parsed and interpolated, not checked for `mounts`. */
export async function loadOverrideConfig(path: string, env: Environment): Promise<Partial<WorkspaceConfig>> {
  const text = await readText(path);
  try {
    return (await parseConfigText(text, env)) as Partial<WorkspaceConfig>;
  } catch (error) {
    if (error instanceof ConfigLoadError) throw new CliError(`invalid config YAML/JSON at ${path}: ${error.message}`, 2);
    throw error;
  }
}
