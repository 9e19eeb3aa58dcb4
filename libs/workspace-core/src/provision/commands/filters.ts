// Text filters: read their file operands (or stdin) and print something sized by what they read.
import { option, parseArgs } from '../args.js';
import type { CommandCall, CommandFamily, CommandEntry, Output } from '../model.js';

interface Filter {
  /** Options that take a value. */
  values?: string[];
  /** What is printed: as much as read, at most as much, or not known. */
  output: 'same' | 'at_most' | 'unknown';
}

const FILTERS: Record<string, Filter> = {
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

function filterModel(filter: Filter) {
  return async ({ name, args, stdin, tally, scope }: CommandCall): Promise<Output> => {
    const parsed = parseArgs(args, filter.values ?? []);
    const read = await scope.readOperands(tally, parsed.operands, stdin);
    if (name === 'sort') {
      const output = option(parsed, '-o', '--output');
      if (typeof output === 'string') return scope.writeTo(tally, [output], read, false);
    }
    if (read === null || filter.output === 'unknown') return null;
    return filter.output === 'same' ? read : { lo: 0, hi: read.hi };
  };
}

export const FILTER_COMMANDS: CommandFamily = Object.fromEntries(
  Object.entries(FILTERS).map(([name, filter]): [string, CommandEntry] => [name, { model: filterModel(filter), beforeFunctions: true }]),
);
