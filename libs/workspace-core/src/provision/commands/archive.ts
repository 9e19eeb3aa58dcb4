// tar: creating reads every operand, extracting writes what the archive holds.
import { posix } from 'node:path';
import { has, option, parseArgs } from '../args.js';
import type { CommandCall, CommandFamily, Output } from '../model.js';
import { ZERO, add, type Range } from '../tally.js';

async function tar({ args, stdin, tally, scope }: CommandCall): Promise<Output> {
  // `tar czf out.tgz dir`: the first word may be a bundle of flags without a dash.
  const normalised = args[0] !== undefined && !args[0].startsWith('-') ? [`-${args[0]}`, ...args.slice(1)] : args;
  const parsed = parseArgs(normalised, ['-f', '--file', '-C', '--directory', '-T', '--files-from', '--exclude']);
  const archive = option(parsed, '-f', '--file');
  const directory = option(parsed, '-C', '--directory');
  const base = typeof directory === 'string' ? scope.abs(directory) : scope.cwd;
  const compressed = has(parsed, '-z', '-j', '-J', '--gzip', '--bzip2', '--xz');
  if (has(parsed, '-c', '--create')) {
    let total: Range = { ...ZERO };
    for (const operand of parsed.operands) {
      total = add(total, await scope.readWhole(tally, posix.resolve(base, operand)));
    }
    // Headers and padding (and compression) make the archive size unknown beforehand.
    tally.degrade('unknown');
    if (typeof archive === 'string' && archive !== '-')
      return scope.writeTo(tally, [archive], compressed ? { lo: 0, hi: total.hi } : total, false);
    return null;
  }
  const read = typeof archive === 'string' && archive !== '-' ? await scope.readWhole(tally, scope.abs(archive)) : stdin;
  if (has(parsed, '-x', '--extract', '--get')) {
    tally.write(scope.onS3(base), compressed || read === null ? ZERO : { lo: 0, hi: read.hi }, 1);
    tally.degrade(compressed || read === null ? 'unknown' : 'range');
    return { ...ZERO };
  }
  return null; // -t: a listing
}

export const ARCHIVE_COMMANDS: CommandFamily = { tar: { model: tar } };
