// Which engine a new workspace runs on. `auto` takes the sandbox when it is available and the
// mounts allow it, else the builtin engine (with the reason, shown by `workspace get`); an
// explicit `sandbox` that cannot be honoured is refused with the reason.
import type { MountSpec } from '../config.js';
import { WorkspaceError } from '../errors.js';
import type { EngineAvailability, EngineChoice, EngineName } from './engine.js';

export interface EngineSelection {
  name: EngineName;
  /** Why `auto` did not give the sandbox. */
  reason?: string;
}

/** Why these mounts cannot run in the sandbox (this slice: ram and disk, no disk at `/`), or undefined. */
export function sandboxMountProblem(mounts: readonly MountSpec[]): string | undefined {
  const s3 = mounts.find((mount) => mount.resource === 's3');
  if (s3 !== undefined) return `the sandbox engine does not serve s3 mounts yet (mount ${s3.prefix})`;
  if (mounts.some((mount) => mount.resource === 'disk' && mount.prefix === '/')) {
    return 'the sandbox engine cannot use a disk mount at / (its mount points would be created in the host directory)';
  }
  return undefined;
}

/** `network`: the URL prefixes the workspace may reach (the sandbox has no network in this slice). */
export function selectEngine(
  choice: EngineChoice,
  mounts: readonly MountSpec[],
  sandbox: EngineAvailability | undefined,
  network: readonly string[] = [],
): EngineSelection {
  if (choice === 'builtin') return { name: 'builtin' };
  const mountProblem =
    sandboxMountProblem(mounts) ?? (network.length > 0 ? 'the sandbox engine has no network yet (network.allow is set)' : undefined);
  const hostProblem =
    sandbox === undefined
      ? 'the sandbox engine was not probed'
      : sandbox.available
        ? undefined
        : (sandbox.reason ?? 'the sandbox engine is not available');
  if (choice === 'sandbox') {
    if (mountProblem !== undefined) throw new WorkspaceError('invalid', `engine sandbox refused: ${mountProblem}`);
    if (hostProblem !== undefined)
      throw new WorkspaceError('invalid', `engine sandbox refused: not available on this host: ${hostProblem}`);
    return { name: 'sandbox' };
  }
  const reason = mountProblem ?? hostProblem;
  return reason === undefined ? { name: 'sandbox' } : { name: 'builtin', reason: `auto: ${reason}` };
}
