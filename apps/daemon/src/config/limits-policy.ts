// The daemon-wide workspace limits of config.toml: `[limits.defaults]` for workspaces that ask
// nothing, `[limits.ceilings]` that no workspace may ask above (docs/limits.md).
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { DaemonConfigError, homePaths } from '@mirage-ts/protocol';
import { parseLimitsPolicy } from '@mirage-ts/workspace-core';
import type { LimitsPolicy } from '@mirage-ts/workspace-core';

/** Reads `[limits]` of `$home/config.toml`; none (or no file) is an empty policy. A bad table stops the daemon. */
export function readLimitsPolicy(home: string): LimitsPolicy {
  const path = homePaths(home).config;
  if (!existsSync(path)) return {};
  let document: Record<string, unknown>;
  try {
    document = parseToml(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    // readDaemonTable reports invalid TOML with the spec's message.
    return {};
  }
  try {
    return parseLimitsPolicy(document.limits, 'limits');
  } catch (error) {
    throw new DaemonConfigError(`config.toml: ${error instanceof Error ? error.message : String(error)}`);
  }
}
