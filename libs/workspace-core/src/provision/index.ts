// Provision: a dry run of a command. Walks the parsed command (just-bash `parse()`) and asks the
// workspace for sizes; nothing runs. Each simple command becomes a child ProvisionResult; the
// root sums them.
//
// Model, in short: reads of file operands by known commands count bytes, on the network when the
// path is on an s3 mount, in the cache otherwise (ram and disk are local); redirects, `cp`/`mv`
// targets, `tee` files and `sort -o` count writes, sized by what the command would print when
// that is known (`cat`, `echo`, `head -c`, ...). `ls`/`find`/`du`/`stat` are metadata only (one
// LIST on s3). The engine fetches whole objects (just-bash's file system interface has no ranged
// read), so `head`/`tail` read between the bytes they print and the whole file: `range`.
// Commands we do not model, or operands we cannot know without running something ($(...),
// unset variables, loops of unknown length), make the estimate `unknown`.
import { posix } from 'node:path';
import type { ProvisionResult } from '@mirage-ts/protocol';
import { parse, serialize, type CommandNode, type PipelineNode, type ScriptNode, type SimpleCommandNode, type StatementNode, type WordNode } from '../engine.js';
import { WorkspaceError } from '../errors.js';
import { Tally, ZERO, add, choice, sequence, type Range } from './tally.js';
import { expandSingle, expandWord, type WordScope } from './words.js';

export { S3_PRICING } from './tally.js';

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

/** Output of a command, in bytes; null when it cannot be told. */
type Output = Range | null;

const MAX_LOOP_ITERATIONS = 1000;
const MAX_NESTING = 20;
const DEVICES = new Set(['/dev/null', '/dev/stdout', '/dev/stderr', '/dev/stdin', '/dev/zero', '/dev/tty']);

/** Estimates what running `command` in the workspace would read, write and cost. */
export async function provisionCommand(command: string, context: ProvisionContext): Promise<ProvisionResult> {
  let script: ScriptNode;
  try {
    script = parse(command);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new WorkspaceError('invalid', `cannot parse command: ${message}`);
  }
  const walker = new Walker(context);
  const children = await walker.script(script);
  return sequence(null, command, children);
}

interface Parsed {
  /** Options seen, by spelling (`-n`, `--lines`), with their value or true. */
  options: Map<string, string | true>;
  operands: string[];
}

/**
 * Splits arguments into options and operands. `valueOptions` take a value (`-n 5`, `-n5`,
 * `--lines=5`, `--lines 5`); `pairOptions` take two (jq's `--arg name value`).
 */
function parseArgs(args: readonly string[], valueOptions: readonly string[] = [], pairOptions: readonly string[] = []): Parsed {
  const options = new Map<string, string | true>();
  const operands: string[] = [];
  const takesValue = new Set(valueOptions);
  const takesPair = new Set(pairOptions);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      operands.push(arg);
      continue;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      if (eq > 0) options.set(arg.slice(0, eq), arg.slice(eq + 1));
      else if (takesPair.has(arg)) {
        options.set(arg, `${args[i + 1] ?? ''}=${args[i + 2] ?? ''}`);
        i += 2;
      } else if (takesValue.has(arg)) options.set(arg, args[++i] ?? '');
      else options.set(arg, true);
      continue;
    }
    if (/^-\d+$/.test(arg)) {
      options.set('-n', arg.slice(1)); // head -5
      continue;
    }
    for (let j = 1; j < arg.length; j++) {
      const flag = `-${arg[j]}`;
      if (takesValue.has(flag)) {
        const rest = arg.slice(j + 1);
        options.set(flag, rest !== '' ? rest : (args[++i] ?? ''));
        break;
      }
      options.set(flag, true);
    }
  }
  return { options, operands };
}

function option(parsed: Parsed, ...names: string[]): string | true | undefined {
  for (const name of names) {
    const value = parsed.options.get(name);
    if (value !== undefined) return value;
  }
  return undefined;
}

function has(parsed: Parsed, ...names: string[]): boolean {
  return option(parsed, ...names) !== undefined;
}

/** A count like `10`, `+10`, `-10`, `1K` (head/tail); undefined when not a plain number. */
function count(value: string | true | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^[+-]?(\d+)([kKmMgG]?)(i?[bB])?$/.exec(value);
  if (match === null) return undefined;
  const scale = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(match[2] ?? '').toLowerCase()] ?? 1;
  return Number(match[1]) * scale;
}

const TEXT_FILTERS: Record<string, { values?: string[]; output: 'same' | 'at_most' | 'unknown' }> = {
  cat: { output: 'same' },
  tac: { output: 'same' },
  rev: { output: 'same' },
  sort: { values: ['-k', '-t', '-o', '-S', '-T', '--key', '--field-separator', '--output', '--buffer-size'], output: 'same' },
  cut: { values: ['-d', '-f', '-c', '-b', '--delimiter', '--fields', '--characters', '--bytes', '--output-delimiter'], output: 'at_most' },
  strings: { values: ['-n', '-t'], output: 'at_most' },
  nl: { values: ['-b', '-s', '-w', '-v', '-i'], output: 'unknown' },
  fold: { values: ['-w'], output: 'unknown' },
  expand: { values: ['-t'], output: 'unknown' },
  unexpand: { values: ['-t'], output: 'unknown' },
  fmt: { values: ['-w'], output: 'unknown' },
  column: { values: ['-s', '-t', '-c', '-o'], output: 'unknown' },
  od: { values: ['-A', '-t', '-N', '-j', '-w'], output: 'unknown' },
  xxd: { values: ['-l', '-s', '-c', '-g'], output: 'unknown' },
  hexdump: { values: ['-n', '-s', '-e'], output: 'unknown' },
  paste: { values: ['-d'], output: 'unknown' },
  diff: { values: ['-U', '-C', '--label'], output: 'unknown' },
  cmp: { values: ['-n', '-i'], output: 'unknown' },
  comm: { output: 'unknown' },
  join: { values: ['-t', '-1', '-2', '-j', '-o', '-e'], output: 'unknown' },
  md5sum: { output: 'unknown' },
  sha1sum: { output: 'unknown' },
  sha256sum: { output: 'unknown' },
  sha512sum: { output: 'unknown' },
  cksum: { output: 'unknown' },
  gzip: { values: ['-S'], output: 'unknown' },
  gunzip: { values: ['-S'], output: 'unknown' },
  zcat: { output: 'unknown' },
};

/** Commands that neither read nor write workspace files (or only their own arguments). */
const NO_IO = new Set([
  'true', 'false', ':', 'export', 'unset', 'set', 'shift', 'local', 'declare', 'typeset', 'readonly', 'pwd',
  'sleep', 'date', 'env', 'printenv', 'seq', 'basename', 'dirname', 'expr', 'let', 'alias', 'unalias', 'type',
  'which', 'hash', 'history', 'clear', 'exit', 'return', 'break', 'continue', 'whoami', 'hostname', 'uname',
  'id', 'tr', 'read', 'test', '[', 'printf', 'wait', 'help', 'trap', 'getopts', 'umask', 'jobs',
]);
const METADATA = new Set(['ls', 'stat', 'du', 'tree', 'file', 'realpath', 'readlink']);
const DECLARERS = new Set(['export', 'declare', 'local', 'typeset', 'readonly']);
const WRAPPERS = new Set(['command', 'builtin', 'exec', 'nohup', 'nice', 'time']);

interface Step {
  result: ProvisionResult;
  stdout: Output;
}

class Walker implements WordScope {
  cwd: string;
  env: Record<string, string>;
  /** Sizes written earlier in the same command line, so `echo x > a; cat a` counts `a`. */
  private readonly written = new Map<string, Range>();
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

  private abs(path: string): string {
    return posix.resolve(this.cwd, path);
  }

  private onS3(path: string): boolean {
    return this.context.resourceOf(path) === 's3';
  }

  private async sizeOf(path: string): Promise<Range | undefined> {
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

    const stdout = await this.model(name, args ?? [], input, tally, node);
    let own = tally.result(name, text);
    if (tally.inner.length > 0) {
      own = sequence(name, text, [own, ...tally.inner]);
      own.children = tally.inner;
    }
    const applied = await this.redirections(node.redirections, own, stdout);
    return { result: applied.result, stdout: applied.stdout === undefined ? { ...ZERO } : applied.stdout };
  }

  /** Reads a file or a whole tree; returns the bytes read (zero for a missing path). */
  private async readWhole(tally: Tally, path: string): Promise<Range> {
    const size = await this.sizeOf(path);
    if (size === undefined) return { ...ZERO };
    tally.read(this.onS3(path), size, 1);
    return size;
  }

  /** Reads file operands (stdin when there are none, or for `-`); returns the total bytes read. */
  private async readOperands(tally: Tally, operands: readonly string[], stdin: Output): Promise<Output> {
    if (operands.length === 0) return stdin;
    let total: Output = { ...ZERO };
    for (const operand of operands) {
      const bytes = operand === '-' ? stdin : await this.readWhole(tally, this.abs(operand));
      total = total === null || bytes === null ? null : add(total, bytes);
    }
    return total;
  }

  private async model(name: string, args: string[], stdin: Output, tally: Tally, node: SimpleCommandNode): Promise<Output> {
    const filter = TEXT_FILTERS[name];
    if (filter !== undefined) {
      const parsed = parseArgs(args, filter.values ?? []);
      const read = await this.readOperands(tally, parsed.operands, stdin);
      if (name === 'sort') {
        const output = option(parsed, '-o', '--output');
        if (typeof output === 'string') return this.writeTo(tally, [output], read, false);
      }
      if (read === null || filter.output === 'unknown') return null;
      return filter.output === 'same' ? read : { lo: 0, hi: read.hi };
    }
    const fn = this.functions.get(name);
    if (fn !== undefined) {
      const step = await this.compound(fn);
      return this.absorb(tally, step.result);
    }
    if (WRAPPERS.has(name)) return this.wrapped(args, stdin, tally, node);
    if (DECLARERS.has(name)) {
      for (const arg of args) {
        const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(arg);
        if (match !== null) this.env[match[1] as string] = match[2] as string;
      }
      return { ...ZERO };
    }
    if (NO_IO.has(name)) return name === 'printf' ? null : { lo: 0, hi: 0 };
    if (METADATA.has(name)) {
      const parsed = parseArgs(args, ['-I', '--ignore', '-w', '-d', '--max-depth', '-c', '--format', '-L']);
      const operands = parsed.operands.length > 0 ? parsed.operands : ['.'];
      for (const operand of operands) tally.metadata(this.onS3(this.abs(operand)));
      return null;
    }
    switch (name) {
      case 'echo':
        return this.echo(args);
      case 'cd': {
        const target = args.find((arg) => !arg.startsWith('-')) ?? this.env.HOME;
        if (target !== undefined) this.cwd = this.abs(target);
        else tally.degrade('unknown');
        this.env.PWD = this.cwd;
        return { ...ZERO };
      }
      case 'wc':
        break;
      case 'grep':
      case 'egrep':
      case 'fgrep':
        return this.grep(args, stdin, tally);
      case 'head':
      case 'tail':
        return this.headTail(args, stdin, tally);
      case 'uniq': {
        const parsed = parseArgs(args, ['-f', '-s', '-w']);
        const [input, output] = parsed.operands;
        const read = await this.readOperands(tally, input === undefined ? [] : [input], stdin);
        const printed: Output = read === null ? null : { lo: 0, hi: read.hi };
        if (output !== undefined) return this.writeTo(tally, [output], printed, false);
        return printed;
      }
      case 'jq': {
        const parsed = parseArgs(args, ['--indent', '-f', '--from-file', '--tab'], ['--arg', '--argjson', '--slurpfile', '--rawfile']);
        const files = has(parsed, '-f', '--from-file') ? parsed.operands : parsed.operands.slice(1);
        const fromFile = option(parsed, '-f', '--from-file');
        if (typeof fromFile === 'string') await this.readWhole(tally, this.abs(fromFile));
        for (const key of ['--slurpfile', '--rawfile']) {
          const pair = option(parsed, key);
          if (typeof pair === 'string') await this.readWhole(tally, this.abs(pair.slice(pair.indexOf('=') + 1)));
        }
        await this.readOperands(tally, files, stdin);
        return null;
      }
      case 'awk':
      case 'sed': {
        const parsed = parseArgs(args, name === 'awk' ? ['-F', '-v', '-f'] : ['-e', '-f', '--expression', '--file', '-l']);
        const scripted = has(parsed, '-f', '-e', '--expression', '--file');
        const files = (scripted ? parsed.operands : parsed.operands.slice(1)).filter((arg) => name === 'sed' || !/^\w+=/.test(arg));
        const scriptFile = option(parsed, '-f', '--file');
        if (typeof scriptFile === 'string') await this.readWhole(tally, this.abs(scriptFile));
        await this.readOperands(tally, files, stdin);
        if (name === 'sed' && has(parsed, '-i', '--in-place')) {
          for (const file of files) tally.write(this.onS3(this.abs(file)), ZERO, 1);
          tally.degrade('unknown');
        }
        return null;
      }
      case 'base64': {
        const parsed = parseArgs(args, ['-w', '--wrap']);
        const read = await this.readOperands(tally, parsed.operands, stdin);
        if (read === null) return null;
        if (has(parsed, '-d', '--decode')) return { lo: 0, hi: Math.ceil((read.hi * 3) / 4) };
        const encoded = (n: number) => Math.ceil(n / 3) * 4;
        return { lo: encoded(read.lo), hi: encoded(read.hi) + Math.ceil(encoded(read.hi) / 76) + 1 };
      }
      case 'tee': {
        const parsed = parseArgs(args);
        return this.writeTo(tally, parsed.operands, stdin, has(parsed, '-a', '--append'), true);
      }
      case 'cp':
      case 'mv':
        return this.copy(name, args, tally);
      case 'touch': {
        const parsed = parseArgs(args, ['-d', '-t', '-r', '--date', '--reference']);
        for (const operand of parsed.operands) {
          const path = this.abs(operand);
          if ((await this.sizeOf(path)) === undefined) {
            tally.write(this.onS3(path), ZERO, 1);
            this.written.set(path, { ...ZERO });
          }
        }
        return { ...ZERO };
      }
      case 'mkdir': {
        const parsed = parseArgs(args, ['-m', '--mode']);
        for (const operand of parsed.operands) tally.write(this.onS3(this.abs(operand)), ZERO, 1);
        return { ...ZERO };
      }
      case 'rm':
      case 'rmdir': {
        // Deleting moves no bytes; on s3 it lists (recursive) and deletes (free requests).
        const parsed = parseArgs(args);
        for (const operand of parsed.operands) {
          const path = this.abs(operand);
          tally.metadata(this.onS3(path));
          this.written.delete(path);
        }
        return { ...ZERO };
      }
      case 'find':
        return this.find(args, tally);
      case 'tar':
        return this.tar(args, stdin, tally);
      case 'bash':
      case 'sh': {
        const parsed = parseArgs(args, ['-c', '-o', '-O']);
        const inline = option(parsed, '-c');
        if (typeof inline !== 'string') {
          tally.degrade('unknown');
          return null;
        }
        let inner: ScriptNode;
        try {
          inner = parse(inline);
        } catch {
          tally.degrade('unknown');
          return null;
        }
        const saved = { cwd: this.cwd, env: { ...this.env } };
        const children = await this.script(inner);
        Object.assign(this, saved);
        return this.absorb(tally, sequence(null, null, children));
      }
      default:
        tally.degrade('unknown');
        return null;
    }
    // wc, md5sum and friends: read everything, print a line per file.
    const parsed = parseArgs(args, ['--files0-from']);
    await this.readOperands(tally, parsed.operands, stdin);
    const lines = Math.max(1, parsed.operands.length + (parsed.operands.length > 1 ? 1 : 0));
    return { lo: 2 * lines, hi: (name === 'wc' ? 48 : 160) * lines + parsed.operands.reduce((n, op) => n + op.length, 0) };
  }

  /** Nests an inner result (a function body, `bash -c`) under this command. */
  private absorb(tally: Tally, inner: ProvisionResult): Output {
    tally.inner.push(inner);
    return null;
  }

  private async wrapped(args: string[], stdin: Output, tally: Tally, node: SimpleCommandNode): Promise<Output> {
    const [inner, ...rest] = args;
    if (inner === undefined) return { ...ZERO };
    return this.model(inner, rest, stdin, tally, node);
  }

  private echo(args: string[]): Output {
    let words = args;
    let newline = true;
    while (words[0] !== undefined && /^-[neE]+$/.test(words[0])) {
      if (words[0].includes('n')) newline = false;
      words = words.slice(1);
    }
    const bytes = Buffer.byteLength(words.join(' ')) + (newline ? 1 : 0);
    return { lo: bytes, hi: bytes };
  }

  private async grep(args: string[], stdin: Output, tally: Tally): Promise<Output> {
    const parsed = parseArgs(args, [
      '-e', '-f', '-m', '-A', '-B', '-C', '--regexp', '--file', '--max-count', '--include', '--exclude',
      '--exclude-dir', '--context', '--after-context', '--before-context', '--color', '--colour', '--label',
    ]);
    const patternGiven = has(parsed, '-e', '--regexp', '-f', '--file');
    const patternFile = option(parsed, '-f', '--file');
    if (typeof patternFile === 'string') await this.readWhole(tally, this.abs(patternFile));
    let files = patternGiven ? parsed.operands : parsed.operands.slice(1);
    const recursive = has(parsed, '-r', '-R', '--recursive', '--dereference-recursive');
    if (recursive && files.length === 0) files = ['.'];
    if (has(parsed, '--include', '--exclude', '--exclude-dir')) tally.degrade('upper_bound');
    const read = await this.readOperands(tally, files, stdin);
    if (has(parsed, '-q', '--quiet', '--silent', '-m', '--max-count', '-l', '--files-with-matches')) {
      // It may stop at the first match: anything from nothing to everything is read.
      this.lowerReads(tally);
    }
    if (read === null) return null;
    return { lo: 0, hi: read.hi + (recursive || files.length > 1 ? read.hi : 0) };
  }

  /** The command may stop early: its reads become `0..high`. */
  private lowerReads(tally: Tally): void {
    if (tally.networkRead.lo > 0 || tally.cacheRead.lo > 0) tally.degrade('range');
    tally.networkRead = { lo: 0, hi: tally.networkRead.hi };
    tally.cacheRead = { lo: 0, hi: tally.cacheRead.hi };
  }

  private async headTail(args: string[], stdin: Output, tally: Tally): Promise<Output> {
    const parsed = parseArgs(args, ['-n', '-c', '--lines', '--bytes']);
    const bytesOption = option(parsed, '-c', '--bytes');
    const linesOption = option(parsed, '-n', '--lines');
    const limit = bytesOption !== undefined ? count(bytesOption) : linesOption !== undefined ? count(linesOption) : 10;
    const byBytes = bytesOption !== undefined;
    if (limit === undefined) tally.degrade('unknown');
    const files = parsed.operands;
    let printed: Range = { ...ZERO };
    const sources: (Range | null)[] = [];
    if (files.length === 0) sources.push(stdin);
    for (const file of files) {
      if (file === '-') {
        sources.push(stdin);
        continue;
      }
      const path = this.abs(file);
      const size = await this.sizeOf(path);
      if (size === undefined) continue;
      // At least the bytes printed (a line is at least one byte), at most the whole object.
      const least = limit === undefined ? 0 : Math.min(limit, size.lo);
      tally.read(this.onS3(path), { lo: least, hi: size.hi }, 1);
      sources.push(size);
    }
    for (const source of sources) {
      if (source === null) return null;
      if (limit === undefined) printed = add(printed, { lo: 0, hi: source.hi });
      else if (byBytes) printed = add(printed, { lo: Math.min(limit, source.lo), hi: Math.min(limit, source.hi) });
      else printed = add(printed, { lo: Math.min(limit, source.lo), hi: source.hi });
    }
    return printed;
  }

  /** Writes `bytes` to each target; returns what remains on stdout (tee passes it on). */
  private async writeTo(tally: Tally, targets: readonly string[], bytes: Output, append: boolean, passThrough = false): Promise<Output> {
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

  private async copy(name: 'cp' | 'mv', args: string[], tally: Tally): Promise<Output> {
    const parsed = parseArgs(args, ['-t', '--target-directory', '-S', '--suffix']);
    const targetDir = option(parsed, '-t', '--target-directory');
    const operands = [...parsed.operands];
    const dest = typeof targetDir === 'string' ? targetDir : operands.pop();
    if (dest === undefined || operands.length === 0) return { ...ZERO };
    const destPath = this.abs(dest);
    const intoDir = typeof targetDir === 'string' || operands.length > 1 || dest.endsWith('/');
    for (const source of operands) {
      const from = this.abs(source);
      const size = await this.sizeOf(from);
      if (size === undefined) continue;
      const to = intoDir ? posix.join(destPath, posix.basename(from)) : destPath;
      const fromS3 = this.onS3(from);
      const toS3 = this.onS3(to);
      if (name === 'mv' && !fromS3 && !toS3 && this.context.resourceOf(from) === this.context.resourceOf(to)) {
        // A rename inside local storage moves no bytes.
      } else if (fromS3 && toS3) {
        // Inside one bucket the copy is server-side (no bytes through us); across mounts it
        // streams through the daemon: anything from nothing to the whole size.
        tally.read(true, { lo: 0, hi: size.hi }, 1);
        tally.write(true, { lo: 0, hi: size.hi }, 1);
      } else {
        tally.read(fromS3, size, 1);
        tally.write(toS3, size, 1);
      }
      this.written.set(to, size);
      if (name === 'mv') this.written.delete(from);
    }
    return { ...ZERO };
  }

  private async find(args: string[], tally: Tally): Promise<Output> {
    const roots: string[] = [];
    let i = 0;
    for (; i < args.length; i++) {
      const arg = args[i] as string;
      if (arg.startsWith('-') || arg === '(' || arg === '!') break;
      roots.push(arg);
    }
    const expression = args.slice(i);
    for (const root of roots.length > 0 ? roots : ['.']) tally.metadata(this.onS3(this.abs(root)));
    if (expression.some((arg) => ['-exec', '-execdir', '-ok', '-okdir', '-fprint', '-fls'].includes(arg))) {
      tally.degrade('unknown'); // what the actions do depends on what is found
    }
    return null;
  }

  private async tar(args: string[], stdin: Output, tally: Tally): Promise<Output> {
    // `tar czf out.tgz dir`: the first word may be a bundle of flags without a dash.
    const normalised = args[0] !== undefined && !args[0].startsWith('-') ? [`-${args[0]}`, ...args.slice(1)] : args;
    const parsed = parseArgs(normalised, ['-f', '--file', '-C', '--directory', '-T', '--files-from', '--exclude']);
    const archive = option(parsed, '-f', '--file');
    const directory = option(parsed, '-C', '--directory');
    const base = typeof directory === 'string' ? this.abs(directory) : this.cwd;
    const compressed = has(parsed, '-z', '-j', '-J', '--gzip', '--bzip2', '--xz');
    if (has(parsed, '-c', '--create')) {
      let total: Range = { ...ZERO };
      for (const operand of parsed.operands) {
        total = add(total, await this.readWhole(tally, posix.resolve(base, operand)));
      }
      // Headers and padding (and compression) make the archive size unknown beforehand.
      tally.degrade('unknown');
      if (typeof archive === 'string' && archive !== '-') return this.writeTo(tally, [archive], compressed ? { lo: 0, hi: total.hi } : total, false);
      return null;
    }
    const read = typeof archive === 'string' && archive !== '-' ? await this.readWhole(tally, this.abs(archive)) : stdin;
    if (has(parsed, '-x', '--extract', '--get')) {
      tally.write(this.onS3(base), compressed || read === null ? ZERO : { lo: 0, hi: read.hi }, 1);
      tally.degrade(compressed || read === null ? 'unknown' : 'range');
      return { ...ZERO };
    }
    return null; // -t: a listing
  }
}
