// The shell-engine port: what a Workspace asks of whatever runs its command lines. Two adapters:
// `builtin` (just-bash, a simulation in JS: engines/builtin/) and `sandbox` (real bash in
// bubblewrap over the mounts as real directories: engines/sandbox/). See docs/engines.md.
import type { MountMode } from '@mirage-ts/protocol';
import type { WorkspaceLimits } from '../limits.js';
import type { OutputSink } from '../output/output-log.js';

export type EngineName = 'builtin' | 'sandbox';
/** What a workspace config or the daemon may ask for; `auto` = sandbox when it is available. */
export type EngineChoice = EngineName | 'auto';
export const ENGINE_NAMES: readonly EngineName[] = ['builtin', 'sandbox'];
export const ENGINE_CHOICES: readonly EngineChoice[] = ['auto', 'builtin', 'sandbox'];

/** A session's shell state as an engine carries it between calls. */
export interface EngineSessionState {
  cwd: string;
  /** Exported variables (builtin: every shell variable), PWD included. */
  env: Record<string, string>;
  /**
   * Engine-private state beyond cwd/env (sandbox: functions, aliases, options and unexported
   * variables as a bash script); absent when the engine keeps none.
   */
  shell?: string;
}

export interface EngineRunInput {
  command: string;
  /** Identifies the session (sandbox: its own $HOME and /tmp). */
  sessionId: string;
  state: EngineSessionState;
  /** A cwd asked for by this call, relative to the session's cwd or absolute. */
  requestedCwd?: string;
  /** Variables added for this call. */
  extraEnv?: Record<string, string>;
  stdin?: Uint8Array;
  /** Effective mode of each mount of Workspace.mounts (session ceilings applied), same order. */
  modes: readonly MountMode[];
  signal?: AbortSignal;
  /** Ends the call with exit 124 after this many milliseconds (the request's own timeout). */
  timeoutMs?: number;
  /** The workspace's limits (limits.ts); each adapter enforces those it can (docs/limits.md). */
  limits: WorkspaceLimits;
  /** Largest number of bytes kept per stream (the rest is counted, not kept). */
  outputLimitBytes: number;
  /** Gets the call's output as it is produced (the job's output log); bytes, in order per stream. */
  onOutput?: OutputSink;
}

export interface EngineRunOutput {
  exitCode: number;
  /** Text, or bytes to be decoded as UTF-8 (invalid sequences become U+FFFD). */
  stdout: string | Uint8Array;
  stderr: string | Uint8Array;
  /** A stream went over the limit on the engine's side (bytes were dropped there). */
  overLimit?: { stdout: boolean; stderr: boolean };
  /** The session's state after the call; undefined when it could not be read (kept as it was). */
  state?: EngineSessionState;
}

/** One engine instance serves one workspace. */
export interface ShellEngine {
  readonly name: EngineName;
  /** The state a new session starts with. */
  initialState(): EngineSessionState;
  run(input: EngineRunInput): Promise<EngineRunOutput>;
  /** Forgets a session's private resources (its $HOME, /tmp). */
  dropSession(sessionId: string): Promise<void>;
  /** Releases everything the engine holds (directories, processes). */
  close(): Promise<void>;
}

/** Whether an engine can run here, and why not. */
/** setTimeout's largest delay (~24.8 days); a longer deadline is no deadline at all. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface EngineAvailability {
  name: EngineName;
  available: boolean;
  reason?: string;
  /** Limits this engine cannot enforce here, each a sentence naming its config key (docs/limits.md). */
  notes?: string[];
}
