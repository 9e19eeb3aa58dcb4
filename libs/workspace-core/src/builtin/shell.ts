// The builtin engine's shell: one namespace per set of effective mount modes, and a fresh just-bash
// interpreter for every call over it. A fresh interpreter keeps `readonly`, `export` and other
// interpreter state from leaking between calls and sessions (a shared Bash kept a `readonly X`
// set by `bash -c` for every later call). Exported names are carried per session here.
import type { MountMode } from '@mirage-ts/protocol';
import { Bash, MountableFs } from '../engine.js';
import type { BashExecResult, BashOptions, IFileSystem } from '../engine.js';
import type { WorkspaceLimits } from '../limits.js';
import { ModeGuardFs } from '../mounts/guard.js';
import { DeviceFs } from './devices.js';
import { childShell, envCommand, interpreterSets, printenvCommand } from './environment.js';
import { builtinExecutionLimits, rewriteLimitMessages } from './exec-limits.js';
import { RamQuota } from './quota.js';

/** A mount as the shell needs it. */
export interface ShellMount {
  prefix: string;
  resource: string;
  backend: IFileSystem;
}

export interface BuiltinShellOptions {
  /** URL prefixes curl may reach; empty: no curl. */
  network: readonly string[];
  limits: WorkspaceLimits;
}

type ExecOptions = NonNullable<Parameters<Bash['exec']>[1]>;

export interface CallScope {
  /** The session the call runs in: its exported names are kept between calls. */
  session: object;
  /** False for a call with its own cwd/env: it leaves the session as it was. */
  keep: boolean;
  /** Names the call itself sets (the request's `env`): exported for this call. */
  exportAlso?: readonly string[];
}

const DEVICES_PREFIX = '/dev';
/** Variables bash sets for itself and does not export; in a session not seen yet, all others are taken as exported. */
const SHELL_VARIABLES = new Set([
  'IFS',
  'OSTYPE',
  'MACHTYPE',
  'HOSTTYPE',
  'HOSTNAME',
  'OPTIND',
  'OPTERR',
  'SHELLOPTS',
  'BASHOPTS',
  'PS1',
  'PS2',
  'PS4',
]);
/** Exported names per session (sessions are plain objects owned by the workspace). */
interface SessionExports {
  /** Names exported at the end of the session's last call. */
  exported: Set<string>;
  /** Every name the session had then: a name not in it came from elsewhere (a restore) and is taken as exported. */
  seen: Set<string>;
}
const exportsBySession = new WeakMap<object, SessionExports>();

function summaryLabel(prefix: string): string {
  return prefix === '/' ? '/' : `${prefix}/`;
}

function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

export class BuiltinShell {
  readonly fs: MountableFs;
  private readonly options: BuiltinShellOptions;

  constructor(mounts: readonly ShellMount[], modes: readonly MountMode[], options: BuiltinShellOptions) {
    this.options = options;
    const ramBackends = mounts.filter((mount) => mount.resource === 'ram').map((mount) => mount.backend);
    const quota = new RamQuota(options.limits.max_bytes, ramBackends);
    // /dev is added unless the user mounts something there themselves.
    const devices = !mounts.some((mount) => isUnder(mount.prefix, DEVICES_PREFIX));
    const prefixes = [...mounts.map((mount) => mount.prefix).filter((prefix) => prefix !== '/'), ...(devices ? [DEVICES_PREFIX] : [])];
    const guard = (mount: ShellMount, mode: MountMode): ModeGuardFs => {
      if (mount.resource !== 'ram') return new ModeGuardFs(mount.backend, mode, summaryLabel(mount.prefix));
      const foreign = mount.prefix === '/' ? prefixes : [];
      return new ModeGuardFs(mount.backend, mode, summaryLabel(mount.prefix), { quota, links: { prefix: mount.prefix, foreign } });
    };
    const root = mounts.findIndex((mount) => mount.prefix === '/');
    this.fs = new MountableFs({ base: guard(mounts[root], modes[root]) });
    mounts.forEach((mount, index) => {
      if (index !== root) this.fs.mount(mount.prefix, guard(mount, modes[index]));
    });
    if (devices) this.fs.mount(DEVICES_PREFIX, new DeviceFs());
  }

  /**
   * Runs one call. `options.env` is the full variable set of the session; the names it exported
   * are exported again, and so is every name it did not have after its last call (a new or
   * restored session: restored state does not say what was exported).
   */
  async exec(command: string, options: ExecOptions, scope?: CallScope): Promise<BashExecResult> {
    const env = options.env ?? {};
    const known = scope === undefined ? undefined : exportsBySession.get(scope.session);
    const exported: Record<string, string> = {};
    for (const [key, value] of Object.entries(env)) {
      const isExported =
        known === undefined || !known.seen.has(key)
          ? !SHELL_VARIABLES.has(key)
          : known.exported.has(key) || scope?.exportAlso?.includes(key) === true;
      if (isExported) exported[key] = value;
    }
    const holder: { shell?: Bash } = {};
    const shell = new Bash(this.bashOptions(exported, () => holder.shell));
    holder.shell = shell;
    let result: BashExecResult;
    try {
      result = await shell.exec(command, options);
    } catch (error) {
      // A file system error that escaped the interpreter (a redirect into a full or read-only
      // mount): the command failed, exit 1. Anything else is a real fault.
      const message = error instanceof Error ? error.message : '';
      if (/^E[A-Z]+: /.test(message) || (error as { code?: unknown }).code === 'EROFS') {
        return { stdout: '', stderr: `bash: ${message}\n`, exitCode: 1, env };
      }
      throw error;
    }
    if (scope !== undefined && scope.keep && options.signal?.aborted !== true) {
      const names = interpreterSets(shell)?.exportedVars;
      if (names !== undefined) {
        exportsBySession.set(scope.session, {
          exported: new Set([...names].filter((name) => Object.hasOwn(result.env, name))),
          seen: new Set(Object.keys(result.env)),
        });
      }
    }
    return rewriteLimitMessages(result, this.options.limits);
  }

  private bashOptions(env: Record<string, string>, shell: () => Bash | undefined): BashOptions {
    return {
      fs: this.fs,
      cwd: '/',
      env: { HOME: '/', ...env },
      customCommands: [envCommand(shell), printenvCommand, childShell('bash', shell), childShell('sh', shell)],
      executionLimits: builtinExecutionLimits(this.options.limits),
      ...(this.options.network.length > 0 ? { network: { allowedUrlPrefixes: [...this.options.network] } } : {}),
    };
  }
}
