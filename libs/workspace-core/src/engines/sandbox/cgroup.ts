// Process and memory limits of a sandboxed workspace (`limits.max_processes`,
// `limits.max_memory_bytes`): one cgroup per workspace, under the daemon's own cgroup of each
// hierarchy (so whatever bounds the daemon still bounds its sandboxes). cgroup v2 when it offers
// the `pids` and `memory` controllers, else v1 `pids` + `memory` (+ `freezer` to stop a flood
// before killing it). RLIMIT_NPROC cannot do this: it is not enforced for uid 0.
//
// Every call's bwrap joins the cgroup before it execs (a `sh` wrapper writes its own pid into each
// `cgroup.procs`, then `exec`s bwrap: see SandboxEngine), so no process of the sandbox is ever
// outside it — writing the child's pid after spawn would race with bwrap's first clone().
// See docs/limits.md.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the start-up probe found: a place to make workspace cgroups in, or why there is none. */
export type CgroupProbe = { usable: true; version: 1 | 2; describe: string; base: CgroupBase } | { usable: false; reason: string };

/** The daemon's group directory in each hierarchy (v2: one directory for both controllers). */
export interface CgroupBase {
  version: 1 | 2;
  pids: string;
  memory: string;
  /** v1 only: the freezer hierarchy's directory, when mounted. */
  freezer?: string;
}

interface CgroupMount {
  type: 'cgroup' | 'cgroup2';
  mountPoint: string;
  options: string[];
}

function cgroupMounts(): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [left, right] = line.split(' - ');
    if (right === undefined) continue;
    const [fsType, , superOptions = ''] = right.split(' ');
    if (fsType !== 'cgroup' && fsType !== 'cgroup2') continue;
    mounts.push({ type: fsType, mountPoint: unescapeMountPath(left.split(' ')[4]), options: superOptions.split(',') });
  }
  return mounts;
}

const unescapeMountPath = (path: string): string =>
  path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));

/** The daemon's own cgroup path per v1 controller name, and its v2 path under `''`. */
function ownCgroups(): Map<string, string> {
  const own = new Map<string, string>();
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line);
    if (match === null) continue;
    for (const name of match[1] === '' ? [''] : match[1].split(',')) own.set(name, match[2]);
  }
  return own;
}

/**
 * Finds where this process may make cgroups with `pids` and `memory` limits; `group` names the
 * daemon's directory in each hierarchy (one per sandbox root). Synchronous and cheap: it reads
 * /proc and makes (then keeps) the group directories.
 */
export function probeCgroups(group: string): CgroupProbe {
  if (process.platform !== 'linux') return { usable: false, reason: 'cgroups exist only on Linux' };
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    return { usable: false, reason: 'the daemon is not root (cgroups need root here)' };
  let mounts: CgroupMount[];
  let own: Map<string, string>;
  try {
    mounts = cgroupMounts();
    own = ownCgroups();
  } catch (error) {
    return { usable: false, reason: `cannot read /proc: ${(error as Error).message}` };
  }
  const problems: string[] = [];
  const v2 = mounts.find((mount) => mount.type === 'cgroup2');
  if (v2 !== undefined && own.has('')) {
    const parent = join(v2.mountPoint, own.get('') as string);
    const found = tryV2(parent, group);
    if (typeof found !== 'string') return { usable: true, version: 2, describe: `cgroup v2 (${found.pids})`, base: found };
    problems.push(`v2: ${found}`);
  }
  const v1 = (controller: string): string | undefined => {
    const mount = mounts.find((candidate) => candidate.type === 'cgroup' && candidate.options.includes(controller));
    return mount === undefined ? undefined : join(mount.mountPoint, own.get(controller) ?? '/', group);
  };
  const pids = v1('pids');
  const memory = v1('memory');
  if (pids === undefined || memory === undefined) {
    problems.push(
      `v1: ${[pids === undefined ? 'pids' : '', memory === undefined ? 'memory' : ''].filter(Boolean).join(' and ')} controller not mounted`,
    );
    return { usable: false, reason: `no usable cgroup (${problems.join('; ')})` };
  }
  const freezer = v1('freezer');
  try {
    for (const dir of [pids, memory, ...(freezer !== undefined ? [freezer] : [])]) mkdirSync(dir, { recursive: true });
  } catch (error) {
    problems.push(`v1: ${(error as Error).message}`);
    return { usable: false, reason: `no usable cgroup (${problems.join('; ')})` };
  }
  return {
    usable: true,
    version: 1,
    describe: `cgroup v1 pids + memory${freezer !== undefined ? ' + freezer' : ''}`,
    base: { version: 1, pids, memory, freezer },
  };
}

function tryV2(parent: string, group: string): CgroupBase | string {
  try {
    const available = readFileSync(join(parent, 'cgroup.controllers'), 'utf8').trim().split(/\s+/);
    const missing = ['pids', 'memory'].filter((name) => !available.includes(name));
    if (missing.length > 0) return `${missing.join(' and ')} not offered (only: ${available.join(' ') || 'none'})`;
    const dir = join(parent, group);
    // The daemon's group holds no process itself, so it may hand both controllers to its children.
    writeFileSync(join(parent, 'cgroup.subtree_control'), '+pids +memory');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cgroup.subtree_control'), '+pids +memory');
    return { version: 2, pids: dir, memory: dir };
  } catch (error) {
    return (error as Error).message;
  }
}

/** The kernel's largest pid count (include/linux/threads.h, 64-bit). */
const PID_MAX_LIMIT = 4 * 1024 * 1024;

/** Counters read before and after a call: did this call meet a limit? */
export interface CgroupCounters {
  /** Forks refused at pids.max. */
  pidsRefused: number;
  /** Processes the OOM killer ended at the memory limit. */
  oomKills: number;
}

/**
 * The cgroup directory name of a workspace in this daemon process: `<id>@<pid>` (`@` is never in
 * an id). Per process, so a wrapper a crashed run left half-started cannot join the cgroup of the
 * restored workspace: the old directory is gone (claimCgroups) and its write fails.
 */
export function workspaceCgroupName(id: string): string {
  return `${id}@${process.pid}`;
}

/** One workspace's cgroup (a directory in each hierarchy). */
export class WorkspaceCgroup {
  private readonly dirs: string[];

  constructor(
    private readonly base: CgroupBase,
    readonly name: string,
  ) {
    const dirs = [join(base.pids, name)];
    if (base.version === 1) dirs.push(join(base.memory, name));
    if (base.version === 1 && base.freezer !== undefined) dirs.push(join(base.freezer, name));
    this.dirs = dirs;
  }

  private get pidsDir(): string {
    return this.dirs[0];
  }

  private get memoryDir(): string {
    return this.base.version === 1 ? this.dirs[1] : this.dirs[0];
  }

  private get freezerDir(): string | undefined {
    return this.base.version === 1 && this.base.freezer !== undefined ? this.dirs[2] : undefined;
  }

  /** Makes the cgroup (a stale one of a crashed run is emptied and removed first) and sets its limits. */
  async create(maxProcesses: number, maxMemoryBytes: number): Promise<void> {
    await this.remove();
    for (const dir of this.dirs) mkdirSync(dir);
    // One more than asked: the engine's next sandbox waits in the cgroup (warm.ts) and is not the
    // user's. pids.max takes at most the kernel's PID_MAX_LIMIT; above it there is nothing to bound.
    const pidsMax = maxProcesses + 1;
    writeFileSync(join(this.pidsDir, 'pids.max'), pidsMax >= PID_MAX_LIMIT ? 'max' : String(pidsMax));
    if (this.base.version === 2) {
      writeFileSync(join(this.memoryDir, 'memory.max'), String(maxMemoryBytes));
      // No swap on top of the limit (the file is absent without swap support).
      if (existsSync(join(this.memoryDir, 'memory.swap.max'))) writeFileSync(join(this.memoryDir, 'memory.swap.max'), '0');
    } else {
      writeFileSync(join(this.memoryDir, 'memory.limit_in_bytes'), String(maxMemoryBytes));
      // memory+swap no higher than memory: the limit is not dodged by swapping (absent without swap accounting).
      if (existsSync(join(this.memoryDir, 'memory.memsw.limit_in_bytes')))
        writeFileSync(join(this.memoryDir, 'memory.memsw.limit_in_bytes'), String(maxMemoryBytes));
    }
  }

  /** The `cgroup.procs` files a call's wrapper writes its pid into, one per hierarchy. */
  procsFiles(): string[] {
    return this.dirs.map((dir) => join(dir, 'cgroup.procs'));
  }

  /** The pids in the cgroup now (empty when it does not exist). */
  pids(): number[] {
    try {
      return readFileSync(join(this.pidsDir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  }

  counters(): CgroupCounters {
    const pidsRefused = readCounter(join(this.pidsDir, 'pids.events'), 'max');
    const oomKills = readCounter(join(this.memoryDir, this.base.version === 2 ? 'memory.events' : 'memory.oom_control'), 'oom_kill');
    return { pidsRefused, oomKills };
  }

  /** Ends every process in the cgroup: v2 `cgroup.kill`; v1 freeze, SIGKILL each, thaw (a frozen flood cannot fork). */
  async killAll(): Promise<void> {
    if (this.pids().length === 0) return;
    const killFile = join(this.pidsDir, 'cgroup.kill');
    if (this.base.version === 2 && existsSync(killFile)) {
      writeFileSync(killFile, '1');
    } else {
      const freezer = this.freezerDir;
      const state = freezer !== undefined ? join(freezer, 'freezer.state') : undefined;
      for (let round = 0; round < 50 && this.pids().length > 0; round += 1) {
        if (state !== undefined) quietly(() => writeFileSync(state, 'FROZEN'));
        for (const pid of this.pids()) quietly(() => process.kill(pid, 'SIGKILL'));
        if (state !== undefined) quietly(() => writeFileSync(state, 'THAWED'));
        await delay(10);
      }
    }
    for (let wait = 0; wait < 200 && this.pids().length > 0; wait += 1) await delay(10);
  }

  /** Kills what is left and removes the directories (a no-op when they do not exist). */
  async remove(): Promise<void> {
    if (!this.dirs.some((dir) => existsSync(dir))) return;
    await this.killAll();
    for (const dir of this.dirs) {
      for (let attempt = 0; attempt < 20; attempt += 1) {
        try {
          if (existsSync(dir)) rmdirSync(dir);
          break;
        } catch {
          // EBUSY while the last exits are reaped.
          await delay(10);
        }
      }
    }
  }
}

/** Removes the workspace cgroups a crashed run of the same daemon left under its group. */
export async function claimCgroups(base: CgroupBase): Promise<void> {
  let names: string[];
  try {
    names = readdirSync(base.pids, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return;
  }
  for (const name of names) await new WorkspaceCgroup(base, name).remove();
}

/** Removes the daemon's group directories once every workspace cgroup in them is gone (at shutdown). */
export function releaseCgroupBase(base: CgroupBase): void {
  for (const dir of new Set([base.pids, base.memory, ...(base.freezer !== undefined ? [base.freezer] : [])])) quietly(() => rmdirSync(dir));
}

function readCounter(file: string, key: string): number {
  try {
    const match = new RegExp(`^${key} (\\d+)$`, 'm').exec(readFileSync(file, 'utf8'));
    return match === null ? 0 : Number(match[1]);
  } catch {
    return 0;
  }
}

function quietly(action: () => void): void {
  try {
    action();
  } catch {
    // Gone already.
  }
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
