// Commands that read metadata only (one LIST on s3 per operand), never file contents.
import { parseArgs } from '../args.js';
import { family, type CommandCall, type CommandFamily, type Output } from '../model.js';

function metadata({ args, tally, scope }: CommandCall): Output {
  const parsed = parseArgs(args, ['-I', '--ignore', '-w', '-d', '--max-depth', '-c', '--format', '-L']);
  const operands = parsed.operands.length > 0 ? parsed.operands : ['.'];
  for (const operand of operands) tally.metadata(scope.onS3(scope.abs(operand)));
  return null;
}

export const METADATA_COMMANDS: CommandFamily = family(['ls', 'stat', 'du', 'tree', 'file', 'realpath', 'readlink'], metadata);
