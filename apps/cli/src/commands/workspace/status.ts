import { Args, Flags } from '@oclif/core';
import type { WorkspaceStatus } from '@mirage-ts/protocol/client';
import { DEFAULT_BRANCH } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';
import { formatStatus } from '../../lib/formatters.js';

export default class WorkspaceStatusCommand extends MirageCommand<WorkspaceStatus> {
  static override description =
    'Compare the live workspace with the head of a branch: the head version and the paths added, modified or deleted since.';
  static override examples = ['<%= config.bin %> workspace status demo', '<%= config.bin %> workspace status demo -b experiment'];
  static override args = { id: Args.string({ description: 'Workspace id.', required: true }) };
  static override flags = { branch: Flags.string({ char: 'b', description: 'Branch.', default: DEFAULT_BRANCH }) };

  async run(): Promise<WorkspaceStatus> {
    const { args, flags } = await this.parse(WorkspaceStatusCommand);
    return this.client.workspaceStatus(args.id, flags.branch);
  }

  protected override formatHuman(result: WorkspaceStatus): string {
    return formatStatus(result);
  }
}
