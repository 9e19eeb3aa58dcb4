// Commands that create, copy, move or delete files: tee, cp/mv, touch, mkdir, rm/rmdir.
import { posix } from 'node:path';
import { has, option, parseArgs } from '../args.js';
import { family, type CommandCall, type CommandFamily, type Output } from '../model.js';
import { ZERO } from '../tally.js';

async function tee({ args, stdin, tally, scope }: CommandCall): Promise<Output> {
  const parsed = parseArgs(args);
  return scope.writeTo(tally, parsed.operands, stdin, has(parsed, '-a', '--append'), true);
}

async function copy({ name, args, tally, scope }: CommandCall): Promise<Output> {
  const parsed = parseArgs(args, ['-t', '--target-directory', '-S', '--suffix']);
  const targetDir = option(parsed, '-t', '--target-directory');
  const operands = [...parsed.operands];
  const dest = typeof targetDir === 'string' ? targetDir : operands.pop();
  if (dest === undefined || operands.length === 0) return { ...ZERO };
  const destPath = scope.abs(dest);
  const intoDir = typeof targetDir === 'string' || operands.length > 1 || dest.endsWith('/');
  for (const source of operands) {
    const from = scope.abs(source);
    const size = await scope.sizeOf(from);
    if (size === undefined) continue;
    const to = intoDir ? posix.join(destPath, posix.basename(from)) : destPath;
    const fromS3 = scope.onS3(from);
    const toS3 = scope.onS3(to);
    if (name === 'mv' && !fromS3 && !toS3 && scope.resourceOf(from) === scope.resourceOf(to)) {
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
    scope.written.set(to, size);
    if (name === 'mv') scope.written.delete(from);
  }
  return { ...ZERO };
}

async function touch({ args, tally, scope }: CommandCall): Promise<Output> {
  const parsed = parseArgs(args, ['-d', '-t', '-r', '--date', '--reference']);
  for (const operand of parsed.operands) {
    const path = scope.abs(operand);
    if ((await scope.sizeOf(path)) === undefined) {
      tally.write(scope.onS3(path), ZERO, 1);
      scope.written.set(path, { ...ZERO });
    }
  }
  return { ...ZERO };
}

function mkdir({ args, tally, scope }: CommandCall): Output {
  const parsed = parseArgs(args, ['-m', '--mode']);
  for (const operand of parsed.operands) tally.write(scope.onS3(scope.abs(operand)), ZERO, 1);
  return { ...ZERO };
}

/** Deleting moves no bytes; on s3 it lists (recursive) and deletes (free requests). */
function remove({ args, tally, scope }: CommandCall): Output {
  const parsed = parseArgs(args);
  for (const operand of parsed.operands) {
    const path = scope.abs(operand);
    tally.metadata(scope.onS3(path));
    scope.written.delete(path);
  }
  return { ...ZERO };
}

export const WRITE_COMMANDS: CommandFamily = {
  tee: { model: tee },
  ...family(['cp', 'mv'], copy),
  touch: { model: touch },
  mkdir: { model: mkdir },
  ...family(['rm', 'rmdir'], remove),
};
