// Shell builtins and wrappers: commands without file I/O, `cd`, `echo`, variable declarations,
// wrappers that run another command (`nice cmd`), and `bash -c` / `sh -c` scripts.
import { option, parseArgs } from '../args.js';
import { parse, type ScriptNode } from '../../engine.js';
import { absorb, family, type CommandCall, type CommandFamily, type Output } from '../model.js';
import { ZERO } from '../tally.js';

/** Commands that neither read nor write workspace files (or only their own arguments). */
const NO_IO = [
  'true',
  'false',
  ':',
  'set',
  'shift',
  'unset',
  'pwd',
  'sleep',
  'date',
  'env',
  'printenv',
  'seq',
  'basename',
  'dirname',
  'expr',
  'let',
  'alias',
  'unalias',
  'type',
  'which',
  'hash',
  'history',
  'clear',
  'exit',
  'return',
  'break',
  'continue',
  'whoami',
  'hostname',
  'uname',
  'id',
  'tr',
  'read',
  'test',
  '[',
  'wait',
  'help',
  'trap',
  'getopts',
  'umask',
  'jobs',
];
const DECLARERS = ['export', 'declare', 'local', 'typeset', 'readonly'];
const WRAPPERS = ['command', 'builtin', 'exec', 'nohup', 'nice', 'time'];

function declare({ args, scope }: CommandCall): Output {
  for (const arg of args) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(arg);
    if (match !== null) scope.env[match[1] as string] = match[2] as string;
  }
  return { ...ZERO };
}

function wrapped({ args, stdin, tally, scope }: CommandCall): Promise<Output> | Output {
  const [inner, ...rest] = args;
  if (inner === undefined) return { ...ZERO };
  return scope.model(inner, rest, stdin, tally);
}

function echo({ args }: CommandCall): Output {
  let words = args;
  let newline = true;
  while (words[0] !== undefined && /^-[neE]+$/.test(words[0])) {
    if (words[0].includes('n')) newline = false;
    words = words.slice(1);
  }
  const bytes = Buffer.byteLength(words.join(' ')) + (newline ? 1 : 0);
  return { lo: bytes, hi: bytes };
}

function cd({ args, tally, scope }: CommandCall): Output {
  const target = args.find((arg) => !arg.startsWith('-')) ?? scope.env.HOME;
  if (target !== undefined) scope.cwd = scope.abs(target);
  else tally.degrade('unknown');
  scope.env.PWD = scope.cwd;
  return { ...ZERO };
}

/** `bash -c '...'`: the inline script is walked in a subshell; a script file is not modelled. */
async function inlineScript({ args, tally, scope }: CommandCall): Promise<Output> {
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
  return absorb(tally, await scope.subshell(inner));
}

export const SHELL_COMMANDS: CommandFamily = {
  ...family(NO_IO, () => ({ lo: 0, hi: 0 })),
  // Its output depends on the format: not known.
  printf: { model: () => null },
  ...family(DECLARERS, declare),
  ...family(WRAPPERS, wrapped),
  echo: { model: echo },
  cd: { model: cd },
  ...family(['bash', 'sh'], inlineScript),
};
