import { Args } from '@oclif/core';
import type { WorkspaceClosed } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';
import { formatDeleted } from '../../lib/formatters.js';

export default class WorkspaceDelete extends MirageCommand<WorkspaceClosed> {
  static override description = 'Delete a workspace (its running jobs are canceled).';
  static override examples = ['<%= config.bin %> workspace delete demo'];
  static override args = { id: Args.string({ description: 'Workspace id.', required: true }) };

  async run(): Promise<WorkspaceClosed> {
    const { args } = await this.parse(WorkspaceDelete);
    return this.client.deleteWorkspace(args.id);
  }

  protected override formatHuman(result: WorkspaceClosed): string {
    return formatDeleted(result);
  }
}
