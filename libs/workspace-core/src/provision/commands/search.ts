// Searching commands: grep (reads what it searches, may stop early) and find (metadata only).
import { has, option, parseArgs } from '../args.js';
import { family, lowerReads, type CommandCall, type CommandFamily, type Output } from '../model.js';

const GREP_VALUE_OPTIONS = [
  '-e',
  '-f',
  '-m',
  '-A',
  '-B',
  '-C',
  '--regexp',
  '--file',
  '--max-count',
  '--include',
  '--exclude',
  '--exclude-dir',
  '--context',
  '--after-context',
  '--before-context',
  '--color',
  '--colour',
  '--label',
];
/** find actions whose effect depends on what is found. */
const FIND_ACTIONS = ['-exec', '-execdir', '-ok', '-okdir', '-fprint', '-fls'];

async function grep({ args, stdin, tally, scope }: CommandCall): Promise<Output> {
  const parsed = parseArgs(args, GREP_VALUE_OPTIONS);
  const patternGiven = has(parsed, '-e', '--regexp', '-f', '--file');
  const patternFile = option(parsed, '-f', '--file');
  if (typeof patternFile === 'string') await scope.readWhole(tally, scope.abs(patternFile));
  let files = patternGiven ? parsed.operands : parsed.operands.slice(1);
  const recursive = has(parsed, '-r', '-R', '--recursive', '--dereference-recursive');
  if (recursive && files.length === 0) files = ['.'];
  if (has(parsed, '--include', '--exclude', '--exclude-dir')) tally.degrade('upper_bound');
  const read = await scope.readOperands(tally, files, stdin);
  if (has(parsed, '-q', '--quiet', '--silent', '-m', '--max-count', '-l', '--files-with-matches')) {
    // It may stop at the first match: anything from nothing to everything is read.
    lowerReads(tally);
  }
  if (read === null) return null;
  return { lo: 0, hi: read.hi + (recursive || files.length > 1 ? read.hi : 0) };
}

function find({ args, tally, scope }: CommandCall): Output {
  const roots: string[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg.startsWith('-') || arg === '(' || arg === '!') break;
    roots.push(arg);
  }
  const expression = args.slice(i);
  for (const root of roots.length > 0 ? roots : ['.']) tally.metadata(scope.onS3(scope.abs(root)));
  if (expression.some((arg) => FIND_ACTIONS.includes(arg))) tally.degrade('unknown');
  return null;
}

export const SEARCH_COMMANDS: CommandFamily = {
  ...family(['grep', 'egrep', 'fgrep'], grep),
  find: { model: find },
};
