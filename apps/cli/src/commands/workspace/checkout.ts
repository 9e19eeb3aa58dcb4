import { Args } from '@oclif/core';
import { MirageCommand } from '../../base-command.js';
import { formatWorkspaceDetail } from '../../lib/formatters.js';

export default class WorkspaceCheckout extends MirageCommand {
  static override description = "Replace the workspace's files with a version or a branch head.";
  static override examples = ['<%= config.bin %> workspace checkout demo main', '<%= config.bin %> workspace checkout demo 3f2a9c1b7d4e'];
  static override args = {
    id: Args.string({ description: 'Workspace id.', required: true }),
    ref: Args.string({ description: 'Version id or branch name.', required: true }),
  };

  async run(): Promise<void> {
    const { args } = await this.parse(WorkspaceCheckout);
    this.emit(await this.client.checkout(args.id, args.ref), formatWorkspaceDetail);
  }
}
