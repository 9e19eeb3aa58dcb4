// Provision: a dry run of a command. Walks the parsed command and the mounts' sizes; runs nothing.
import type { ProvisionResult } from '@mirage-ts/protocol';

export interface ProvisionContext {
  cwd: string;
  env: Record<string, string>;
  /** Bytes of a file, or total bytes under a directory, at an absolute workspace path; undefined if absent. */
  sizeOf(path: string): Promise<number | undefined>;
  /** Resource kind ('ram' | 'disk' | 's3' | ...) of the mount holding an absolute path. */
  resourceOf(path: string): string;
  /** Expands a glob against the workspace, relative to cwd. */
  glob(pattern: string): Promise<string[]>;
}

export async function provisionCommand(command: string, context: ProvisionContext): Promise<ProvisionResult> {
  void context;
  throw new Error(`provision not implemented yet: ${command}`);
}
