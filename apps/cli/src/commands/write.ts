import { Args, Flags } from '@oclif/core';
import type { MirageClient } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../base-command.js';
import { sessionFlag, workspaceFlag } from '../flags.js';
import { usageError } from '../lib/errors.js';

type WriteResult = Awaited<ReturnType<MirageClient['writeFile']>>;

export default class Write extends MirageCommand<WriteResult> {
  static override description =
    'Write a workspace file: the whole content from --content or from piped stdin (binary safe). Parent directories are created.';
  static override examples = [
    '<%= config.bin %> write -w demo /data/notes.md --content "# Notes"',
    '<%= config.bin %> write -w demo /data/image.png < image.png',
  ];
  static override args = { path: Args.string({ description: 'File path (relative paths start at the session cwd).', required: true }) };
  static override flags = {
    workspace: workspaceFlag,
    session: sessionFlag,
    content: Flags.string({ description: 'The new content (default: read stdin).' }),
  };

  async run(): Promise<WriteResult> {
    const { args, flags } = await this.parse(Write);
    if (flags.content === undefined && process.stdin.isTTY) throw usageError('give the content with --content TEXT or pipe it on stdin');
    const data = flags.content !== undefined ? Buffer.from(flags.content, 'utf8') : process.stdin;
    return this.client.writeFile(flags.workspace, args.path, data, flags.session);
  }
}
