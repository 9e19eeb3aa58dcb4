// The sandbox engine: every call is real bash in a fresh bubblewrap sandbox (the only code that
// spawns bwrap). The workspace's mounts are real directories bound at their prefixes (ram: a
// directory of the workspace's SandboxLayout; disk: its host root), `read` ones read-only; the
// rest of the root is the host's /usr (+ /bin, /lib, /sbin), a minimal /etc, fresh /dev and
// /proc, the session's own /tmp and $HOME (/home/agent). All namespaces are unshared (no network,
// no host processes), every capability is dropped and the environment is built from scratch.
// Session state (cwd, variables, functions, aliases, options) is carried by the driver
// (driver.ts). See docs/engines.md.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, constants as fsConstants, existsSync, mkdirSync, openSync, unlinkSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { Socket } from 'node:net';
import { constants as osConstants } from 'node:os';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import type { MountMode } from '@mirage-ts/protocol';
import { MAX_TIMER_MS } from '../engine.js';
import type { WorkspaceLimits } from '../../limits.js';
import type { EngineRunInput, EngineRunOutput, EngineSessionState, ShellEngine } from '../engine.js';
import type { CgroupCounters, WorkspaceCgroup } from './cgroup.js';
import { DRIVER, parseDump, restoreScript } from './driver.js';
import type { SandboxLayout } from './layout.js';
import { WarmPool } from './warm.js';
import type { WarmSandbox } from './warm.js';

export { SandboxLayout, sandboxRootFor, claimSandboxRoot } from './layout.js';
export { probeSandbox, findBwrap } from './probe.js';
export { probeCgroups, claimCgroups, releaseCgroupBase, workspaceCgroupName, WorkspaceCgroup } from './cgroup.js';
export type { CgroupProbe, CgroupBase } from './cgroup.js';
export { quotaSupport } from './quota.js';
export { SYSTEM_MOUNT_POINTS, sandboxDirView } from './hidden-fs.js';

/** A mount as the sandbox binds it; `hostDir` null = the implicit root (an empty read-only tmpfs). */
export interface SandboxMount {
  prefix: string;
  hostDir: string | null;
}

export const SANDBOX_HOME = '/home/agent';
const SANDBOX_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Host system directories shown read-only (those that exist). */
const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
/** The minimal /etc: users, the dynamic loader's cache, alternatives (python3, editors), TLS certificates. */
const ETC_ENTRIES = [
  'passwd',
  'group',
  'nsswitch.conf',
  'ld.so.cache',
  'ld.so.conf',
  'ld.so.conf.d',
  'alternatives',
  'ssl',
  'ca-certificates',
  'localtime',
  'mime.types',
];
/** Exported names never kept in a session's env: bash sets them per shell. */
const PER_SHELL_ENV = new Set(['PWD', 'OLDPWD', 'SHLVL', '_']);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Bytes kept past the limit so the caller's cut lands on a character boundary. */
const LIMIT_SLACK = 4;
/**
 * Runs before bwrap, as its own process (then `exec`s it, same pid): joins the workspace cgroup
 * (`$$` into each cgroup.procs given before `--`) and sets RLIMIT_CPU (soft $1 s: SIGXCPU, hard
 * one more: SIGKILL), so bwrap and everything it starts are inside both from their first
 * instruction. Exit 125 when the cgroup cannot be joined (the call never runs unbounded).
 */
const LIMITS_WRAPPER = [
  't=$1; shift;',
  'while [ "$1" != -- ]; do echo $$ > "$1" 2>/dev/null || { echo "mirage: cannot join the workspace cgroup ($1)" >&2; exit 125; }; shift; done; shift;',
  'if [ "$t" != 0 ]; then ulimit -H -t $((t + 1)) 2>/dev/null; ulimit -S -t "$t" 2>/dev/null; fi;',
  'exec "$@"',
].join(' ');
/** What bwrap runs: the driver in a fresh bash (driver.ts). */
const SANDBOX_COMMAND = ['/bin/bash', '-c', DRIVER, 'bash'];
const SIGXCPU_EXIT = 128 + (osConstants.signals.SIGXCPU ?? 24);

/** What the engine enforces beyond bwrap's isolation (docs/limits.md). */
export interface SandboxEnforcement {
  /** The workspace's cgroup (max_processes, max_memory_bytes); absent where none is usable. */
  cgroup?: WorkspaceCgroup;
  limits?: WorkspaceLimits;
}

export class SandboxEngine implements ShellEngine {
  readonly name = 'sandbox' as const;
  /** Live calls, each with the function that kills its whole sandbox. */
  private readonly running = new Map<ChildProcess, () => void>();
  private readonly systemDirs = SYSTEM_DIRS.filter((path) => existsSync(path));
  /** A bwrap already in the workspace's cgroup (warm.ts); only where there is a cgroup to join. */
  private readonly warm: WarmPool | undefined;
  private warmCount = 0;

  constructor(
    private readonly bwrap: string,
    private readonly layout: SandboxLayout,
    private readonly mounts: readonly SandboxMount[],
    private readonly enforcement: SandboxEnforcement = {},
  ) {
    this.warm = enforcement.cgroup !== undefined ? new WarmPool(() => this.startWarm()) : undefined;
  }

  initialState(): EngineSessionState {
    return {
      cwd: '/',
      env: { HOME: SANDBOX_HOME, PATH: SANDBOX_PATH, LANG: 'C.UTF-8', USER: 'root', LOGNAME: 'root', SHELL: '/bin/bash', PWD: '/' },
    };
  }

  async run(input: EngineRunInput): Promise<EngineRunOutput> {
    const session = input.state;
    const cwd = input.requestedCwd !== undefined ? posix.resolve(session.cwd, input.requestedCwd) : session.cwd;
    if (input.signal?.aborted) return { exitCode: 130, stdout: '', stderr: 'bash: execution aborted\n' };
    const dirs = this.layout.session(input.sessionId);
    const env = this.environment({ ...session.env, ...(input.extraEnv ?? {}) });
    const args = this.bwrapArgs(input.modes, dirs.home, dirs.tmp);

    // stdout/stderr through the session's FIFOs: a real pipe (not a socket) so `/dev/stdout`
    // opens inside; Node's ends non-blocking, the child's blocking. stdin is a file (unlinked once
    // open): a FIFO whose writer has closed blocks a later `open(/dev/stdin)` forever.
    if (input.stdin !== undefined) await writeFile(dirs.fifos.stdin, input.stdin, { mode: 0o600 });
    const before = this.enforcement.cgroup?.counters();
    const opened: number[] = [];
    const open = (path: string, flags: number): number => {
      const fd = openSync(path, flags);
      opened.push(fd);
      return fd;
    };
    let child: ChildProcess;
    let stdoutReader: Socket;
    let stderrReader: Socket;
    const childEnds: number[] = [];
    const warm = input.stdin === undefined ? this.warm?.take() : undefined;
    if (warm !== undefined) {
      ({ child, stdout: stdoutReader, stderr: stderrReader } = warm);
      // Options only: bwrap takes the command from its real command line (SANDBOX_COMMAND).
      const options = withEnv(args, env).slice(0, -SANDBOX_COMMAND.length - 1);
      writeAndEnd((child.stdio as unknown[])[7], Buffer.from(`${options.join('\0')}\0`, 'utf8'));
    } else
      try {
        const outRead = open(dirs.fifos.stdout, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
        const outWrite = open(dirs.fifos.stdout, fsConstants.O_WRONLY);
        const errRead = open(dirs.fifos.stderr, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
        const errWrite = open(dirs.fifos.stderr, fsConstants.O_WRONLY);
        childEnds.push(outWrite, errWrite);
        let inRead: number | 'ignore' = 'ignore';
        if (input.stdin !== undefined) {
          inRead = open(dirs.fifos.stdin, fsConstants.O_RDONLY);
          childEnds.push(inRead);
          unlinkSync(dirs.fifos.stdin);
        }
        // The session's variables reach bash only through bwrap's --setenv: the host-side wrapper and
        // bwrap itself start with an empty environment, so an agent's LD_PRELOAD (or any loader
        // variable) exported in an earlier call can never act on a host process.
        const [file, argv] = this.launcher(withEnv(args, env));
        child = spawn(file, argv, { env: {}, stdio: [inRead, outWrite, errWrite, 'pipe', 'pipe', 'pipe', 'pipe'] });
        stdoutReader = new Socket({ fd: outRead, readable: true, writable: false });
        stderrReader = new Socket({ fd: errRead, readable: true, writable: false });
      } catch (error) {
        for (const fd of opened) closeQuietly(fd);
        throw error;
      } finally {
        // The child holds its own copies now: without closing ours, EOF would never come.
        for (const fd of childEnds) closeQuietly(fd);
      }
    this.warm?.refill();
    const running = child;
    // The host pid of the sandbox's init (pid 1 of its pid namespace), from --info-fd: killing it
    // kills every process of the namespace, background ones included. Killing only bwrap is not
    // enough: one killed before its init set --die-with-parent leaves that init running.
    let initPid: number | undefined;
    let killWanted = false;
    const exited = (): boolean => running.exitCode !== null || running.signalCode !== null;
    const killSandbox = (): void => {
      killWanted = true;
      if (exited()) return;
      if (initPid !== undefined) {
        try {
          process.kill(initPid, 'SIGKILL');
        } catch {
          // Already gone.
        }
        running.kill('SIGKILL');
        return;
      }
      // Not yet known: killed as soon as bwrap reports it, or bwrap alone if it never does.
      setTimeout(() => {
        if (!exited() && initPid === undefined) running.kill('SIGKILL');
      }, 2000).unref();
    };
    void collect((child.stdio as unknown[])[6] as Readable, 64 * 1024).then(({ bytes }) => {
      const match = /"child-pid"\s*:\s*(\d+)/.exec(bytes.toString('utf8'));
      if (match !== null) initPid = Number(match[1]);
      if (killWanted) killSandbox();
    });
    this.running.set(child, killSandbox);

    let killedBy: 'timeout' | 'cancel' | undefined;
    const kill = (reason: 'timeout' | 'cancel'): void => {
      if (killedBy !== undefined) return;
      killedBy = reason;
      killSandbox();
    };
    const onAbort = (): void => kill('cancel');
    input.signal?.addEventListener('abort', onAbort, { once: true });
    // The request's timeout_s, else the workspace's limits.timeout_s (docs/limits.md).
    const timeoutMs = input.timeoutMs ?? input.limits.timeout_s * 1000;
    const timer = timeoutMs <= MAX_TIMER_MS ? setTimeout(() => kill('timeout'), timeoutMs) : undefined;

    // The pipes feed the sink as bytes arrive (live output); what is kept for the answer is capped.
    const sink = input.onOutput;
    const stdout = collect(
      stdoutReader,
      input.outputLimitBytes + LIMIT_SLACK,
      sink === undefined ? undefined : (bytes) => sink('stdout', bytes),
    );
    const stderr = collect(
      stderrReader,
      input.outputLimitBytes + LIMIT_SLACK,
      sink === undefined ? undefined : (bytes) => sink('stderr', bytes),
    );
    const dump = collect(child.stdio[4] as Readable, 64 * 1024 * 1024);
    writeAndEnd(child.stdio[3], Buffer.from(input.command, 'utf8'));
    writeAndEnd((child.stdio as unknown[])[5], restoreScript(cwd, input.requestedCwd, session.shell));

    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    // The namespace is gone with bwrap, so every writer of the FIFOs is: EOF follows at once. A
    // writer that survived anyway must not hang the call or the session's next ones.
    const streams = await Promise.race([Promise.all([stdout, stderr, dump]), delay(2000).then(() => undefined)]);
    if (streams === undefined) {
      stdoutReader.destroy();
      stderrReader.destroy();
      (child.stdio[4] as Readable).destroy();
      this.layout.resetFifos(input.sessionId);
    }
    const [out, err, state] = streams ?? (await Promise.all([stdout, stderr, dump]));
    clearTimeout(timer);
    input.signal?.removeEventListener('abort', onAbort);
    this.running.delete(child);

    if (exit.error !== undefined) throw new Error(`sandbox: bwrap did not start: ${exit.error.message}`);
    let exitCode =
      killedBy === 'timeout'
        ? 124
        : killedBy === 'cancel'
          ? 130
          : exit.signal !== null
            ? 128 + (osConstants.signals[exit.signal] ?? 0)
            : (exit.code ?? 1);
    const notes = this.limitNotes(before, exitCode);
    if (killedBy === 'timeout')
      notes.push(
        `mirage: timed out after ${timeoutMs / 1000} s (${input.timeoutMs === undefined ? 'limits.timeout_s' : 'timeout_s of the call'})`,
      );
    // A limit met is a failed command even when bash's last word was a success (a flood's `sleep &`).
    if (notes.length > 0 && exitCode === 0) exitCode = 1;
    if (notes.length > 0) input.onOutput?.('stderr', Buffer.from(`${notes.join('\n')}\n`));
    const output: EngineRunOutput = {
      exitCode,
      stdout: out.bytes,
      stderr:
        notes.length > 0
          ? Buffer.concat([
              err.bytes,
              Buffer.from(`${err.bytes.length > 0 && err.bytes[err.bytes.length - 1] !== 10 ? '\n' : ''}${notes.join('\n')}\n`),
            ])
          : err.bytes,
      overLimit: { stdout: out.dropped, stderr: err.dropped },
    };
    const parsed = killedBy === undefined ? parseDump(state.bytes) : undefined;
    if (parsed !== undefined) {
      const next = carry(parsed.env);
      next.PWD = parsed.cwd;
      output.state = { cwd: parsed.cwd, env: next, shell: parsed.shell };
    }
    return output;
  }

  async dropSession(sessionId: string): Promise<void> {
    this.layout.dropSession(sessionId);
  }

  async close(): Promise<void> {
    const exits = [...this.running].map(
      ([child, killSandbox]) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) resolve();
          else child.once('exit', () => resolve());
          killSandbox();
        }),
    );
    await this.warm?.close();
    await Promise.all(exits);
    await this.enforcement.cgroup?.remove();
    this.layout.remove();
  }

  /** bwrap itself, or through LIMITS_WRAPPER when there is a cgroup to join or a CPU limit to set. */
  private launcher(bwrapArgs: string[]): [string, string[]] {
    const { cgroup, limits } = this.enforcement;
    if (cgroup === undefined && limits === undefined) return [this.bwrap, bwrapArgs];
    const cpu = limits !== undefined ? Math.max(1, Math.ceil(limits.cpu_seconds)) : 0;
    return ['/bin/sh', ['-c', LIMITS_WRAPPER, 'sh', String(cpu), ...(cgroup?.procsFiles() ?? []), '--', this.bwrap, ...bwrapArgs]];
  }

  /** A bwrap waiting for its arguments on fd 7, inside the cgroup, stdout/stderr on FIFOs of its own. */
  private async startWarm(): Promise<WarmSandbox> {
    const dir = join(this.layout.directory, 'warm');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.warmCount += 1;
    const out = join(dir, `out-${this.warmCount}`);
    const err = join(dir, `err-${this.warmCount}`);
    // Node cannot make a FIFO itself.
    await promisify(execFile)('mkfifo', ['-m', '600', out, err], { env: {} });
    const fds: number[] = [];
    try {
      for (const path of [out, err]) {
        fds.push(openSync(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK), openSync(path, fsConstants.O_WRONLY));
      }
      const [file, argv] = this.launcher(['--args', '7', '--', ...SANDBOX_COMMAND]);
      const child = spawn(file, argv, { env: {}, stdio: ['ignore', fds[1], fds[3], 'pipe', 'pipe', 'pipe', 'pipe', 'pipe'] });
      child.on('error', () => undefined); // seen by WarmPool.take (no pid): a cold start then
      const stdout = new Socket({ fd: fds[0], readable: true, writable: false });
      const stderr = new Socket({ fd: fds[2], readable: true, writable: false });
      closeQuietly(fds[1]);
      closeQuietly(fds[3]);
      return { child, stdout, stderr };
    } catch (error) {
      for (const fd of fds) closeQuietly(fd);
      throw error;
    } finally {
      unlinkSync(out);
      unlinkSync(err);
    }
  }

  /** The mirage messages for limits this call met, each naming its config key. */
  private limitNotes(before: CgroupCounters | undefined, exitCode: number): string[] {
    const { cgroup, limits } = this.enforcement;
    const notes: string[] = [];
    const after = cgroup?.counters();
    if (before !== undefined && after !== undefined && limits !== undefined) {
      if (after.pidsRefused > before.pidsRefused)
        notes.push(
          `mirage: process limit reached (limits.max_processes ${limits.max_processes}): ${after.pidsRefused - before.pidsRefused} fork(s) refused`,
        );
      if (after.oomKills > before.oomKills)
        notes.push(
          `mirage: memory limit reached (limits.max_memory_bytes ${limits.max_memory_bytes}): ${after.oomKills - before.oomKills} process(es) killed`,
        );
    }
    if (limits !== undefined && exitCode === SIGXCPU_EXIT)
      notes.push(`mirage: CPU time limit reached (limits.cpu_seconds ${limits.cpu_seconds})`);
    return notes;
  }

  /** Built from nothing: PATH and HOME, then the session's variables. Nothing of the daemon's. */
  private environment(vars: Record<string, string>): Record<string, string> {
    const env: Record<string, string> = { PATH: SANDBOX_PATH, HOME: SANDBOX_HOME };
    for (const [key, value] of Object.entries(vars)) {
      if (IDENTIFIER.test(key) && !PER_SHELL_ENV.has(key) && typeof value === 'string' && !value.includes('\0')) env[key] = value;
    }
    return env;
  }

  private bwrapArgs(modes: readonly MountMode[], home: string, tmp: string): string[] {
    const args = ['--unshare-all', '--die-with-parent', '--new-session', '--cap-drop', 'ALL'];
    const rootIndex = this.mounts.findIndex((mount) => mount.prefix === '/');
    const root = this.mounts[rootIndex];
    // The root first: later binds are made inside it (bwrap creates their mount points there).
    if (root.hostDir !== null) args.push('--bind', root.hostDir, '/');
    for (const path of this.systemDirs) args.push('--ro-bind', path, path);
    args.push('--tmpfs', '/etc');
    for (const name of ETC_ENTRIES) args.push('--ro-bind-try', `/etc/${name}`, `/etc/${name}`);
    args.push(
      '--remount-ro',
      '/etc',
      '--dev',
      '/dev',
      '--proc',
      '/proc',
      '--bind',
      tmp,
      '/tmp',
      '--tmpfs',
      '/home',
      '--bind',
      home,
      SANDBOX_HOME,
    );
    const others = this.mounts
      .map((mount, index) => ({ mount, mode: modes[index] }))
      .filter(({ mount }) => mount.prefix !== '/' && mount.hostDir !== null)
      .sort((a, b) => a.mount.prefix.length - b.mount.prefix.length);
    for (const { mount, mode } of others) args.push(mode === 'read' ? '--ro-bind' : '--bind', mount.hostDir as string, mount.prefix);
    // A read-only root is remounted last, once every mount point exists.
    if (root.hostDir === null || modes[rootIndex] === 'read') args.push('--remount-ro', '/');
    args.push('--info-fd', '6', '--chdir', '/', '--', ...SANDBOX_COMMAND);
    return args;
  }
}

/** bwrap arguments with the environment as `--setenv` pairs (a warm bwrap was started with none). */
function withEnv(args: string[], env: Record<string, string>): string[] {
  const at = args.indexOf('--info-fd');
  const pairs = Object.entries(env).flatMap(([key, value]) => ['--setenv', key, value]);
  return [...args.slice(0, at), ...pairs, ...args.slice(at)];
}

function carry(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (IDENTIFIER.test(key) && !PER_SHELL_ENV.has(key)) out[key] = value;
  return out;
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed.
  }
}

function writeAndEnd(stream: unknown, data: Buffer): void {
  const writable = stream as NodeJS.WritableStream & { on(event: 'error', listener: () => void): unknown };
  // The child may exit without reading (a failed bind): EPIPE is not our error.
  writable.on('error', () => undefined);
  writable.end(data);
}

/** Reads a stream to its end, keeping at most `limit` bytes and noting whether more came; `onChunk` sees every chunk. */
function collect(stream: Readable, limit: number, onChunk?: (bytes: Buffer) => void): Promise<{ bytes: Buffer; dropped: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let dropped = false;
    stream.on('data', (chunk: Buffer) => {
      onChunk?.(chunk);
      if (kept >= limit) {
        dropped = true;
        return;
      }
      const room = limit - kept;
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      if (part.length < chunk.length) dropped = true;
      chunks.push(part);
      kept += part.length;
    });
    const done = (): void => resolve({ bytes: Buffer.concat(chunks), dropped });
    stream.once('end', done);
    stream.once('error', done);
    stream.once('close', done);
  });
}
