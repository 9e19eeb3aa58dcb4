// The walker: goes through the parsed command (just-bash `parse()`) statement by statement, keeps
// the shell state a dry run can know (cwd, env, functions, sizes written so far), applies
// redirections, and hands each simple command to its model in the table (commands/index.ts).
import { posix } from 'node:path';
import type { ProvisionResult } from '@mirage-ts/protocol';
import {
  serialize,
  type CommandNode,
  type PipelineNode,
  type ScriptNode,
  type SimpleCommandNode,
  type StatementNode,
  type WordNode,
} from '../engine.js';
import { COMMAND_MODELS } from './commands/index.js';
import { absorb, type ModelScope, type Output } from './model.js';
import { Tally, ZERO, add, choice, sequence, type Range } from './tally.js';
import { expandSingle, expandWord, type WordScope } from './words.js';

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

type CompoundNode = Exclude<CommandNode, SimpleCommandNode>;
type RedirectionNode = SimpleCommandNode['redirections'][number];

const MAX_LOOP_ITERATIONS = 1000;
const MAX_NESTING = 20;
const DEVICES = new Set(['/dev/null', '/dev/stdout', '/dev/stderr', '/dev/stdin', '/dev/zero', '/dev/tty']);

interface Step {
  result: ProvisionResult;
  stdout: Output;
}

export class Walker implements WordScope, ModelScope {
  cwd: string;
  env: Record<string, string>;
  /** Sizes written earlier in the same command line, so `echo x > a; cat a` counts `a`. */
  readonly written = new Map<string, Range>();
  private readonly functions = new Map<string, CompoundNode>();
  private depth = 0;

  constructor(private readonly context: ProvisionContext) {
    this.cwd = context.cwd;
    this.env = { ...context.env };
  }

  glob(pattern: string): Promise<string[]> {
    // The context globs relative to its own cwd; after a `cd` in the command, anchor the pattern.
    if (pattern.startsWith('/') || this.cwd === this.context.cwd) return this.context.glob(pattern);
    const base = this.cwd.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
    return this.context.glob(`${base === '/' ? '' : base}/${pattern}`);
  }

  abs(path: string): string {
    return posix.resolve(this.cwd, path);
  }

  onS3(path: string): boolean {
    return this.context.resourceOf(path) === 's3';
  }

  resourceOf(path: string): string {
    return this.context.resourceOf(path);
  }

  async sizeOf(path: string): Promise<Range | undefined> {
    const written = this.written.get(path);
    if (written !== undefined) return written;
    const size = await this.context.sizeOf(path);
    return size === undefined ? undefined : { lo: size, hi: size };
  }

  // ---- structure -----------------------------------------------------------------------------

  async script(node: ScriptNode): Promise<ProvisionResult[]> {
    const out: ProvisionResult[] = [];
    for (const statement of node.statements) out.push(...(await this.statement(statement)));
    return out;
  }

  private async statements(nodes: readonly StatementNode[]): Promise<ProvisionResult[]> {
    const out: ProvisionResult[] = [];
    for (const statement of nodes) out.push(...(await this.statement(statement)));
    return out;
  }

  /** `a && b || c`: every pipeline is counted, as if each ran. */
  private async statement(node: StatementNode): Promise<ProvisionResult[]> {
    const out: ProvisionResult[] = [];
    for (const pipeline of node.pipelines) out.push(...(await this.pipeline(pipeline)));
    return out;
  }

  private async pipeline(node: PipelineNode): Promise<ProvisionResult[]> {
    const out: ProvisionResult[] = [];
    let stdin: Output = { ...ZERO };
    for (const command of node.commands) {
      const step = await this.command(command, stdin);
      out.push(step.result);
      stdin = step.stdout;
    }
    return out;
  }

  private text(command: CommandNode): string {
    const pipeline: PipelineNode = { type: 'Pipeline', commands: [command], negated: false };
    const statement: StatementNode = { type: 'Statement', pipelines: [pipeline], operators: [], background: false };
    return serialize({ type: 'Script', statements: [statement] });
  }

  private async command(node: CommandNode, stdin: Output): Promise<Step> {
    if (this.depth > MAX_NESTING) {
      const tally = new Tally();
      tally.degrade('unknown');
      return { result: tally.result(null, this.text(node)), stdout: null };
    }
    this.depth++;
    try {
      if (node.type === 'SimpleCommand') return await this.simple(node, stdin);
      return await this.compound(node);
    } finally {
      this.depth--;
    }
  }

  private async compound(node: CompoundNode): Promise<Step> {
    const text = this.text(node);
    let result: ProvisionResult;
    switch (node.type) {
      case 'Subshell':
      case 'Group': {
        const saved = node.type === 'Subshell' ? { cwd: this.cwd, env: { ...this.env } } : undefined;
        result = sequence(node.type === 'Subshell' ? 'subshell' : 'group', text, await this.statements(node.body));
        if (saved !== undefined) Object.assign(this, saved);
        break;
      }
      case 'For': {
        const values = node.words === null ? undefined : await this.expandAll(node.words);
        if (values === undefined || values.length > MAX_LOOP_ITERATIONS) {
          result = sequence('for', text, await this.statements(node.body));
          result.precision = 'unknown';
        } else {
          const children: ProvisionResult[] = [];
          for (const value of values) {
            this.env[node.variable] = value;
            children.push(...(await this.statements(node.body)));
          }
          result = sequence('for', text, children);
        }
        break;
      }
      case 'If': {
        const common: ProvisionResult[] = [];
        const branches: ProvisionResult[][] = [];
        for (const clause of node.clauses) {
          common.push(...(await this.statements(clause.condition)));
          branches.push(await this.statements(clause.body));
        }
        branches.push(node.elseBody === null ? [] : await this.statements(node.elseBody));
        result = choice('if', text, common, branches);
        break;
      }
      case 'Case': {
        const branches: ProvisionResult[][] = [];
        for (const item of node.items) branches.push(await this.statements(item.body));
        branches.push([]);
        result = choice('case', text, [], branches);
        break;
      }
      case 'While':
      case 'Until':
      case 'CStyleFor': {
        // The number of iterations is only known by running the loop.
        const body = await this.statements(node.body);
        const condition = node.type === 'CStyleFor' ? [] : await this.statements(node.condition);
        result = sequence(node.type === 'CStyleFor' ? 'for' : node.type.toLowerCase(), text, [...condition, ...body]);
        result.precision = 'unknown';
        break;
      }
      case 'FunctionDef':
        this.functions.set(node.name, node.body);
        result = new Tally().result('function', text);
        break;
      case 'ConditionalCommand':
      case 'ArithmeticCommand':
        // [[ ... ]] and (( ... )): tests and arithmetic, no file contents.
        result = new Tally().result(node.type === 'ConditionalCommand' ? '[[' : '((', text);
        break;
    }
    const redirected = await this.redirections(node.redirections, result, null);
    return { result: redirected.result, stdout: redirected.stdout === undefined ? null : redirected.stdout };
  }

  private async expandAll(words: readonly WordNode[]): Promise<string[] | undefined> {
    const out: string[] = [];
    for (const word of words) {
      const expansion = await expandWord(word, this);
      if (!expansion.resolved) return undefined;
      out.push(...expansion.values);
    }
    return out;
  }

  /**
   * Applies a command's redirections to its result: `< file` reads, `> file` writes what the
   * command prints. Returns the stdout left for the pipeline (undefined when redirected away).
   */
  private async redirections(
    redirections: readonly RedirectionNode[],
    result: ProvisionResult,
    stdout: Output,
  ): Promise<{ result: ProvisionResult; stdout: Output | undefined }> {
    if (redirections.length === 0) return { result, stdout };
    const tally = new Tally();
    let left: Output | undefined = stdout;
    for (const redirection of redirections) {
      if (redirection.target.type === 'HereDoc') continue;
      const target = await expandSingle(redirection.target, this);
      const operator = redirection.operator;
      if (operator === '>&' || operator === '<&' || operator === '<<<') continue;
      if (target === undefined) {
        tally.degrade('unknown');
        continue;
      }
      const path = this.abs(target);
      if (DEVICES.has(path)) {
        if (redirection.fd === null || redirection.fd === 1 || operator === '&>' || operator === '&>>') left = undefined;
        continue;
      }
      if (operator === '<' || operator === '<>') {
        continue; // input redirects are read in `simple` before the command runs
      }
      const isStdout = redirection.fd === null || redirection.fd === 1 || operator === '&>' || operator === '&>>';
      const append = operator === '>>' || operator === '&>>';
      const bytes: Range = isStdout && stdout !== null ? stdout : ZERO;
      if (isStdout && stdout === null) tally.degrade('unknown');
      if (!isStdout) tally.degrade('range'); // stderr: its size is not modelled
      tally.write(this.onS3(path), bytes, 1);
      const before = append ? ((await this.sizeOf(path)) ?? ZERO) : ZERO;
      this.written.set(path, add(before, bytes));
      if (isStdout) left = undefined;
    }
    const own = tally.result(null, null);
    const merged = sequence(result.op, result.command, [result, own]);
    // Keep the command's own children (compound nodes); the redirect is folded into its totals.
    merged.children = result.children;
    return { result: merged, stdout: left };
  }

  // ---- simple commands ----------------------------------------------------------------------

  private async simple(node: SimpleCommandNode, stdin: Output): Promise<Step> {
    const text = this.text(node);
    const tally = new Tally();
    for (const assignment of node.assignments) {
      const value = assignment.value === null ? '' : await expandSingle(assignment.value, this);
      if (value === undefined) delete this.env[assignment.name];
      else if (node.name === null) this.env[assignment.name] = value;
    }
    if (node.name === null) {
      const applied = await this.redirections(node.redirections, tally.result('assign', text), { ...ZERO });
      return { result: applied.result, stdout: { ...ZERO } };
    }
    const name = await expandSingle(node.name, this);
    const args = await this.expandAll(node.args);
    if (name === undefined) {
      tally.degrade('unknown');
      return { result: tally.result(null, text), stdout: null };
    }
    if (args === undefined) tally.degrade('unknown');

    let input = stdin;
    for (const redirection of node.redirections) {
      if (redirection.target.type === 'HereDoc') {
        input = null;
        continue;
      }
      if (redirection.operator === '<<<') {
        const word = await expandSingle(redirection.target, this);
        input = word === undefined ? null : { lo: word.length + 1, hi: word.length + 1 };
      } else if (redirection.operator === '<' && (redirection.fd === null || redirection.fd === 0)) {
        const target = await expandSingle(redirection.target, this);
        if (target === undefined) {
          tally.degrade('unknown');
          input = null;
        } else {
          input = await this.readWhole(tally, this.abs(target));
        }
      }
    }

    const stdout = await this.model(name, args ?? [], input, tally);
    let own = tally.result(name, text);
    if (tally.inner.length > 0) {
      own = sequence(name, text, [own, ...tally.inner]);
      own.children = tally.inner;
    }
    const applied = await this.redirections(node.redirections, own, stdout);
    return { result: applied.result, stdout: applied.stdout === undefined ? { ...ZERO } : applied.stdout };
  }

  /** Reads a file or a whole tree; returns the bytes read (zero for a missing path). */
  async readWhole(tally: Tally, path: string): Promise<Range> {
    const size = await this.sizeOf(path);
    if (size === undefined) return { ...ZERO };
    tally.read(this.onS3(path), size, 1);
    return size;
  }

  /** Reads file operands (stdin when there are none, or for `-`); returns the total bytes read. */
  async readOperands(tally: Tally, operands: readonly string[], stdin: Output): Promise<Output> {
    if (operands.length === 0) return stdin;
    let total: Output = { ...ZERO };
    for (const operand of operands) {
      const bytes = operand === '-' ? stdin : await this.readWhole(tally, this.abs(operand));
      total = total === null || bytes === null ? null : add(total, bytes);
    }
    return total;
  }

  /** Writes `bytes` to each target; returns what remains on stdout (tee passes it on). */
  async writeTo(tally: Tally, targets: readonly string[], bytes: Output, append: boolean, passThrough = false): Promise<Output> {
    for (const target of targets) {
      const path = this.abs(target);
      if (DEVICES.has(path)) continue;
      if (bytes === null) tally.degrade('unknown');
      const written = bytes ?? ZERO;
      tally.write(this.onS3(path), written, 1);
      const before = append ? ((await this.sizeOf(path)) ?? ZERO) : ZERO;
      this.written.set(path, add(before, written));
    }
    return passThrough ? bytes : { ...ZERO };
  }

  async subshell(script: ScriptNode): Promise<ProvisionResult> {
    const saved = { cwd: this.cwd, env: { ...this.env } };
    const children = await this.script(script);
    Object.assign(this, saved);
    return sequence(null, null, children);
  }

  /**
   * One simple command through the table of models (commands/index.ts). A shell function defined
   * earlier in the line replaces every model but the text filters; a command with no model
   * makes the estimate unknown.
   */
  async model(name: string, args: string[], stdin: Output, tally: Tally): Promise<Output> {
    const entry = COMMAND_MODELS.get(name);
    const fn = entry?.beforeFunctions === true ? undefined : this.functions.get(name);
    if (fn !== undefined) {
      const step = await this.compound(fn);
      return absorb(tally, step.result);
    }
    if (entry === undefined) {
      tally.degrade('unknown');
      return null;
    }
    return entry.model({ name, args, stdin, tally, scope: this });
  }
}
