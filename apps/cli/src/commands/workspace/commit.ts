import { Args, Flags } from '@oclif/core';
import type { CommitResponse } from '@mirage-ts/protocol/client';
import { DEFAULT_BRANCH } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';
import { formatCommit } from '../../lib/formatters.js';

export default class WorkspaceCommit extends MirageCommand<CommitResponse> {
  static override description = "Commit the workspace's files as a new version on a branch.";
  static override examples = [
    '<%= config.bin %> workspace commit demo -m "first draft"',
    '<%= config.bin %> workspace commit demo -m wip -b experiment',
  ];
  static override args = { id: Args.string({ description: 'Workspace id.', required: true }) };
  static override flags = {
    message: Flags.string({ char: 'm', description: 'Commit message.', default: '' }),
    branch: Flags.string({ char: 'b', description: 'Branch to commit on.', default: DEFAULT_BRANCH }),
  };

  async run(): Promise<CommitResponse> {
    const { args, flags } = await this.parse(WorkspaceCommit);
    return this.client.commit(args.id, flags.message, flags.branch);
  }

  protected override formatHuman(result: CommitResponse): string {
    return formatCommit(result);
  }
}
