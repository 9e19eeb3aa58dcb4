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
//
// Layout: walker.ts walks the parse and keeps the shell state; each simple command goes to its
// model in the table of commands/index.ts (one file per family, the contract in model.ts).
import type { ProvisionResult } from '@mirage-ts/protocol';
import { parse, type ScriptNode } from '../engine.js';
import { WorkspaceError } from '../errors.js';
import { sequence } from './tally.js';
import { Walker, type ProvisionContext } from './walker.js';

export { S3_PRICING } from './tally.js';
export type { ProvisionContext } from './walker.js';

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
