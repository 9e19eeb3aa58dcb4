import { Args, Flags } from '@oclif/core';
import type { MirageClient } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../base-command.js';
import { sessionFlag, workspaceFlag } from '../flags.js';

type EditResult = Awaited<ReturnType<MirageClient['editFile']>>;

export default class Edit extends MirageCommand<EditResult> {
  static override description =
    'Replace exact text in a workspace file. Refused when OLD is absent, or found more than once without --replace-all.';
  static override examples = [
    '<%= config.bin %> edit -w demo /src/app.py "DEBUG = True" "DEBUG = False"',
    '<%= config.bin %> edit -w demo /src/app.py oldName newName --replace-all',
  ];
  static override args = {
    path: Args.string({ description: 'File path (relative paths start at the session cwd).', required: true }),
    old: Args.string({ description: 'The exact text to replace.', required: true }),
    new: Args.string({ description: 'The replacement text.', required: true }),
  };
  static override flags = {
    workspace: workspaceFlag,
    session: sessionFlag,
    'replace-all': Flags.boolean({ description: 'Replace every occurrence of OLD.' }),
  };

  async run(): Promise<EditResult> {
    const { args, flags } = await this.parse(Edit);
    return this.client.editFile(flags.workspace, {
      path: args.path,
      old_string: args.old,
      new_string: args.new,
      ...(flags['replace-all'] ? { replace_all: true } : {}),
      ...(flags.session !== undefined ? { session_id: flags.session } : {}),
    });
  }
}
