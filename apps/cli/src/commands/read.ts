import { Args, Flags } from '@oclif/core';
import { pipeline } from 'node:stream/promises';
import { MirageCommand } from '../base-command.js';
import { sessionFlag, workspaceFlag } from '../flags.js';
import { byteCount } from '../lib/file-args.js';

export default class Read extends MirageCommand {
  static override description = 'Print the bytes of a workspace file (raw, binary safe). --offset and --limit count bytes.';
  static override examples = [
    '<%= config.bin %> read -w demo /data/notes.md',
    '<%= config.bin %> read -w demo /data/big.log --offset 1048576 --limit 4096',
    '<%= config.bin %> read -w demo /data/image.png > image.png',
  ];
  static override args = { path: Args.string({ description: 'File path (relative paths start at the session cwd).', required: true }) };
  static override flags = {
    workspace: workspaceFlag,
    session: sessionFlag,
    offset: Flags.string({ description: 'First byte to print (default 0).' }),
    limit: Flags.string({ description: 'Print at most this many bytes (default: to the end).' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Read);
    const { body } = await this.client.readFile(flags.workspace, args.path, {
      offset: byteCount('offset', flags.offset),
      limit: byteCount('limit', flags.limit),
      sessionId: flags.session,
    });
    try {
      await pipeline(body, process.stdout, { end: false });
    } catch (error) {
      // The reader went away (`mirage read ... | head`): not a failure of the read.
      if ((error as { code?: unknown }).code !== 'EPIPE') throw error;
    }
  }
}
