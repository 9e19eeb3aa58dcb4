// The contract between the walker and the command models (commands/*.ts): a model gets one
// simple command's expanded name and arguments, counts its reads and writes on a Tally through
// the scope, and returns what the command would print.
import type { ProvisionResult } from '@mirage-ts/protocol';
import type { ScriptNode } from '../engine.js';
import type { Range, Tally } from './tally.js';

/** Output of a command, in bytes; null when it cannot be told. */
export type Output = Range | null;

/** What a model may ask of the walker: the shell state, paths, sizes, and counted reads and writes. */
export interface ModelScope {
  cwd: string;
  env: Record<string, string>;
  /** Sizes written earlier in the same command line, so `echo x > a; cat a` counts `a`. */
  readonly written: Map<string, Range>;
  /** An operand resolved against the current cwd. */
  abs(path: string): string;
  onS3(path: string): boolean;
  /** Resource kind of the mount holding an absolute path. */
  resourceOf(path: string): string;
  sizeOf(path: string): Promise<Range | undefined>;
  /** Reads a file or a whole tree; returns the bytes read (zero for a missing path). */
  readWhole(tally: Tally, path: string): Promise<Range>;
  /** Reads file operands (stdin when there are none, or for `-`); returns the total bytes read. */
  readOperands(tally: Tally, operands: readonly string[], stdin: Output): Promise<Output>;
  /** Writes `bytes` to each target; returns what remains on stdout (tee passes it on). */
  writeTo(tally: Tally, targets: readonly string[], bytes: Output, append: boolean, passThrough?: boolean): Promise<Output>;
  /** Estimates another command as if it ran here (`nice cmd`, `command cmd`). */
  model(name: string, args: string[], stdin: Output, tally: Tally): Promise<Output>;
  /** Walks a nested script in a subshell (`bash -c`): cwd and env come back unchanged. */
  subshell(script: ScriptNode): Promise<ProvisionResult>;
}

export interface CommandCall {
  name: string;
  args: string[];
  stdin: Output;
  tally: Tally;
  scope: ModelScope;
}

export type CommandModel = (call: CommandCall) => Output | Promise<Output>;

export interface CommandEntry {
  model: CommandModel;
  /**
   * Looked up before the shell functions of the command line, so a function of that name does
   * not replace the model (the text filters, as the walker has always done; bash would run the function).
   */
  beforeFunctions?: boolean;
}

/** A family of commands (one file in commands/): each name with its model. */
export type CommandFamily = Readonly<Record<string, CommandEntry>>;

/** The same model under several names. */
export function family(
  names: readonly string[],
  model: CommandModel,
  options: Omit<CommandEntry, 'model'> = {},
): Record<string, CommandEntry> {
  return Object.fromEntries(names.map((name) => [name, { model, ...options }]));
}

/** Nests an inner result (a function body, `bash -c`) under this command. */
export function absorb(tally: Tally, inner: ProvisionResult): Output {
  tally.inner.push(inner);
  return null;
}

/** The command may stop early: its reads become `0..high`. */
export function lowerReads(tally: Tally): void {
  if (tally.networkRead.lo > 0 || tally.cacheRead.lo > 0) tally.degrade('range');
  tally.networkRead = { lo: 0, hi: tally.networkRead.hi };
  tally.cacheRead = { lo: 0, hi: tally.cacheRead.hi };
}
