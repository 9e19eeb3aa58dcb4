import { Args } from '@oclif/core';
import { MirageCommand } from '../../base-command.js';
import { formatDeleted } from '../../lib/formatters.js';

export default class WorkspaceDelete extends MirageCommand {
  static override description = 'Delete a workspace (its running jobs are canceled).';
  static override examples = ['<%= config.bin %> workspace delete demo'];
  static override args = { id: Args.string({ description: 'Workspace id.', required: true }) };

  async run(): Promise<void> {
    const { args } = await this.parse(WorkspaceDelete);
    this.emit(await this.client.deleteWorkspace(args.id), formatDeleted);
  }
}
