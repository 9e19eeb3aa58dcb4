// Commands that read files and print a size that is partly known: head/tail, wc, uniq, base64,
// and the scripted readers jq, awk and sed.
import { count, has, option, parseArgs } from '../args.js';
import type { CommandCall, CommandFamily, Output } from '../model.js';
import { ZERO, add, type Range } from '../tally.js';

/**
 * The engine fetches whole objects (no ranged read), so `head`/`tail` read between the bytes
 * they print and the whole file.
 */
async function headTail({ args, stdin, tally, scope }: CommandCall): Promise<Output> {
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
    const path = scope.abs(file);
    const size = await scope.sizeOf(path);
    if (size === undefined) continue;
    // At least the bytes printed (a line is at least one byte), at most the whole object.
    const least = limit === undefined ? 0 : Math.min(limit, size.lo);
    tally.read(scope.onS3(path), { lo: least, hi: size.hi }, 1);
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

/** wc: reads everything, prints a line per file (and a total line for several). */
async function wordCount({ args, stdin, tally, scope }: CommandCall): Promise<Output> {
  const parsed = parseArgs(args, ['--files0-from']);
  await scope.readOperands(tally, parsed.operands, stdin);
  const lines = Math.max(1, parsed.operands.length + (parsed.operands.length > 1 ? 1 : 0));
  return { lo: 2 * lines, hi: 48 * lines + parsed.operands.reduce((n, op) => n + op.length, 0) };
}

async function uniq({ args, stdin, tally, scope }: CommandCall): Promise<Output> {
  const parsed = parseArgs(args, ['-f', '-s', '-w']);
  const [input, output] = parsed.operands;
  const read = await scope.readOperands(tally, input === undefined ? [] : [input], stdin);
  const printed: Output = read === null ? null : { lo: 0, hi: read.hi };
  if (output !== undefined) return scope.writeTo(tally, [output], printed, false);
  return printed;
}

async function base64({ args, stdin, tally, scope }: CommandCall): Promise<Output> {
  const parsed = parseArgs(args, ['-w', '--wrap']);
  const read = await scope.readOperands(tally, parsed.operands, stdin);
  if (read === null) return null;
  if (has(parsed, '-d', '--decode')) return { lo: 0, hi: Math.ceil((read.hi * 3) / 4) };
  const encoded = (n: number) => Math.ceil(n / 3) * 4;
  return { lo: encoded(read.lo), hi: encoded(read.hi) + Math.ceil(encoded(read.hi) / 76) + 1 };
}

async function jq({ args, stdin, tally, scope }: CommandCall): Promise<Output> {
  const parsed = parseArgs(args, ['--indent', '-f', '--from-file', '--tab'], ['--arg', '--argjson', '--slurpfile', '--rawfile']);
  const files = has(parsed, '-f', '--from-file') ? parsed.operands : parsed.operands.slice(1);
  const fromFile = option(parsed, '-f', '--from-file');
  if (typeof fromFile === 'string') await scope.readWhole(tally, scope.abs(fromFile));
  for (const key of ['--slurpfile', '--rawfile']) {
    const pair = option(parsed, key);
    if (typeof pair === 'string') await scope.readWhole(tally, scope.abs(pair.slice(pair.indexOf('=') + 1)));
  }
  await scope.readOperands(tally, files, stdin);
  return null;
}

/** awk and sed: the script is the first operand unless given by option; `sed -i` rewrites its files. */
async function awkSed({ name, args, stdin, tally, scope }: CommandCall): Promise<Output> {
  const parsed = parseArgs(args, name === 'awk' ? ['-F', '-v', '-f'] : ['-e', '-f', '--expression', '--file', '-l']);
  const scripted = has(parsed, '-f', '-e', '--expression', '--file');
  const files = (scripted ? parsed.operands : parsed.operands.slice(1)).filter((arg) => name === 'sed' || !/^\w+=/.test(arg));
  const scriptFile = option(parsed, '-f', '--file');
  if (typeof scriptFile === 'string') await scope.readWhole(tally, scope.abs(scriptFile));
  await scope.readOperands(tally, files, stdin);
  if (name === 'sed' && has(parsed, '-i', '--in-place')) {
    for (const file of files) tally.write(scope.onS3(scope.abs(file)), ZERO, 1);
    tally.degrade('unknown');
  }
  return null;
}

export const READ_COMMANDS: CommandFamily = {
  head: { model: headTail },
  tail: { model: headTail },
  wc: { model: wordCount },
  uniq: { model: uniq },
  base64: { model: base64 },
  jq: { model: jq },
  awk: { model: awkSed },
  sed: { model: awkSed },
};
