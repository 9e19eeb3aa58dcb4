import { Args, Flags } from '@oclif/core';
import type { BranchResponse } from '@mirage-ts/protocol/client';
import { DEFAULT_BRANCH } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';
import { formatBranch } from '../../lib/formatters.js';

export default class WorkspaceBranch extends MirageCommand<BranchResponse> {
  static override description = 'Create a branch at the head of another branch.';
  static override examples = [
    '<%= config.bin %> workspace branch demo experiment',
    '<%= config.bin %> workspace branch demo fix --from experiment',
  ];
  static override args = {
    id: Args.string({ description: 'Workspace id.', required: true }),
    name: Args.string({ description: 'New branch name.', required: true }),
  };
  static override flags = { from: Flags.string({ description: 'Branch to start from.', default: DEFAULT_BRANCH }) };

  async run(): Promise<BranchResponse> {
    const { args, flags } = await this.parse(WorkspaceBranch);
    return this.client.branch(args.id, args.name, flags.from);
  }

  protected override formatHuman(result: BranchResponse): string {
    return formatBranch(result);
  }
}
