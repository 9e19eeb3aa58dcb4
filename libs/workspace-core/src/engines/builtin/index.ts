// The builtin engine: just-bash (a bash simulation in JS) over the mounts' IFileSystem backends.
// Every call starts a fresh just-bash interpreter (builtin/shell.ts); the session's cwd and env are
// fed in and the final env (PWD included) is read back. Shell functions, aliases and `set` options
// live only for one call. Sessions with equal effective mount modes share one namespace.
import type { MountMode } from '@mirage-ts/protocol';
import { Bash, InMemoryFs } from '../../engine.js';
import type { BashExecResult, IFileSystem } from '../../engine.js';
import { BuiltinShell } from '../../builtin/shell.js';
import type { ShellMount } from '../../builtin/shell.js';
import type { WorkspaceLimits } from '../../limits.js';
import { ReadOnlyMountError } from '../../mounts/index.js';
import { MAX_TIMER_MS } from '../engine.js';
import type { EngineRunInput, EngineRunOutput, EngineSessionState, ShellEngine } from '../engine.js';

/** Env entries that describe one shell run, not state to carry to the next call. */
const TRANSIENT_ENV = new Set(['?', '_', 'SHELLOPTS', 'BASHOPTS', 'BASHPID', 'PPID', 'RANDOM', 'LINENO', 'SECONDS', 'OPTIND']);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A bare just-bash shell (no mounts, no limits): what a new session's env is read from. */
function createBareShell(fs: IFileSystem, network: readonly string[]): Bash {
  return new Bash({
    fs,
    cwd: '/',
    env: { HOME: '/' },
    ...(network.length > 0 ? { network: { allowedUrlPrefixes: [...network] } } : {}),
  });
}

export class BuiltinEngine implements ShellEngine {
  readonly name = 'builtin' as const;
  private readonly shells = new Map<string, BuiltinShell>();
  /** One key object per session: BuiltinShell keeps each session's exported names under it. */
  private readonly sessionKeys = new Map<string, object>();

  constructor(
    private readonly mounts: readonly ShellMount[],
    private readonly network: readonly string[],
    private readonly limits: WorkspaceLimits,
  ) {}

  initialState(): EngineSessionState {
    return { cwd: '/', env: baseEnv() };
  }

  /** just-bash answers when the line is done: its output reaches the sink then, one chunk a stream. */
  async run(input: EngineRunInput): Promise<EngineRunOutput> {
    const output = await this.runLine(input);
    if (input.onOutput !== undefined) {
      input.onOutput('stdout', typeof output.stdout === 'string' ? Buffer.from(output.stdout, 'utf8') : output.stdout);
      input.onOutput('stderr', typeof output.stderr === 'string' ? Buffer.from(output.stderr, 'utf8') : output.stderr);
    }
    return output;
  }

  private async runLine(input: EngineRunInput): Promise<EngineRunOutput> {
    const shell = this.shellFor(input.modes);
    const session = input.state;
    let cwd = session.cwd;
    if (input.requestedCwd !== undefined) {
      cwd = shell.fs.resolvePath(session.cwd, input.requestedCwd);
      let isDirectory = false;
      try {
        isDirectory = (await shell.fs.stat(cwd)).isDirectory;
      } catch {
        isDirectory = false;
      }
      if (!isDirectory) return { exitCode: 1, stdout: '', stderr: `bash: cd: ${input.requestedCwd}: No such file or directory\n` };
    }
    const env: Record<string, string> = { ...session.env, ...(input.extraEnv ?? {}), PWD: cwd };
    const isolated = input.requestedCwd !== undefined || input.extraEnv !== undefined;
    let sessionKey = this.sessionKeys.get(input.sessionId);
    if (sessionKey === undefined) {
      sessionKey = {};
      this.sessionKeys.set(input.sessionId, sessionKey);
    }
    if (input.signal?.aborted) return { exitCode: 124, stdout: '', stderr: 'bash: execution aborted\n' };
    // The workspace's limits.timeout_s is just-bash's own deadline (builtin/exec-limits.ts), with
    // mirage's message; a request's timeout_s, when shorter, ends the call here.
    const timeout = input.timeoutMs !== undefined && input.timeoutMs <= MAX_TIMER_MS ? AbortSignal.timeout(input.timeoutMs) : undefined;
    const signal = timeout === undefined ? input.signal : input.signal === undefined ? timeout : AbortSignal.any([input.signal, timeout]);
    let result: BashExecResult;
    try {
      result = await shell.exec(
        input.command,
        {
          cwd,
          env,
          replaceEnv: true,
          signal,
          // Raw bytes as latin1: forwarded verbatim, and much cheaper than text for large input.
          ...(input.stdin !== undefined ? { stdin: latin1(input.stdin), stdinKind: 'bytes' as const } : {}),
        },
        { session: sessionKey, keep: !isolated, exportAlso: Object.keys(input.extraEnv ?? {}) },
      );
    } catch (error) {
      // just-bash rejects exec() when a redirect target's file system throws (e.g. a read-only
      // mount): that is the command failing, exit 1, not a server error.
      if (error instanceof ReadOnlyMountError || isFsError(error))
        return { exitCode: 1, stdout: '', stderr: `bash: ${(error as Error).message}\n` };
      throw error;
    }
    const binary = result.stdoutKind === 'bytes' || (result.stdoutKind === undefined && result.stdoutEncoding === 'binary');
    const output: EngineRunOutput = {
      exitCode: timeout?.aborted === true && input.signal?.aborted !== true ? 124 : result.exitCode,
      stdout: binary ? Buffer.from(result.stdout, 'latin1') : result.stdout,
      stderr: result.stderr,
    };
    if (!input.signal?.aborted && timeout?.aborted !== true) {
      const next = carryEnv(result.env);
      const nextCwd = result.env.PWD && result.env.PWD.startsWith('/') ? result.env.PWD : session.cwd;
      next.PWD = nextCwd;
      output.state = { cwd: nextCwd, env: next };
    }
    return output;
  }

  async dropSession(sessionId: string): Promise<void> {
    // Shells are shared per mode set; a session only has its exported names.
    this.sessionKeys.delete(sessionId);
  }

  async close(): Promise<void> {
    this.shells.clear();
    this.sessionKeys.clear();
  }

  /** The shell for a set of effective mount modes (sessions with equal modes share one). */
  private shellFor(modes: readonly MountMode[]): BuiltinShell {
    const key = modes.join(',');
    let shell = this.shells.get(key);
    if (shell === undefined) {
      shell = new BuiltinShell(this.mounts, modes, { network: this.network, limits: this.limits });
      this.shells.set(key, shell);
    }
    return shell;
  }
}

let cachedBaseEnv: Record<string, string> | undefined;

/** A new session's env: what a fresh just-bash shell starts with (HOME, PATH, IFS, ...), at `/`. */
function baseEnv(): Record<string, string> {
  cachedBaseEnv ??= carryEnv(createBareShell(new InMemoryFs(), []).getEnv());
  return { ...cachedBaseEnv, PWD: '/', OLDPWD: '/' };
}

/** The variables worth keeping from a shell's final env (identifiers, not per-run ones). */
export function carryEnv(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (typeof value === 'string' && IDENTIFIER.test(key) && !TRANSIENT_ENV.has(key)) out[key] = value;
  }
  return out;
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

function isFsError(error: unknown): boolean {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === 'string' &&
    /^E[A-Z]+$/.test(String((error as { code?: unknown }).code))
  );
}
