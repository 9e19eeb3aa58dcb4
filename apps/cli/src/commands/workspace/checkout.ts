import { Args } from '@oclif/core';
import type { WorkspaceDetail } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';
import { formatWorkspaceDetail } from '../../lib/formatters.js';

export default class WorkspaceCheckout extends MirageCommand<WorkspaceDetail> {
  static override description = "Replace the workspace's files with a version or a branch head.";
  static override examples = ['<%= config.bin %> workspace checkout demo main', '<%= config.bin %> workspace checkout demo 3f2a9c1b7d4e'];
  static override args = {
    id: Args.string({ description: 'Workspace id.', required: true }),
    ref: Args.string({ description: 'Version id or branch name.', required: true }),
  };

  async run(): Promise<WorkspaceDetail> {
    const { args } = await this.parse(WorkspaceCheckout);
    return this.client.checkout(args.id, args.ref);
  }

  protected override formatHuman(result: WorkspaceDetail): string {
    return formatWorkspaceDetail(result);
  }
}
