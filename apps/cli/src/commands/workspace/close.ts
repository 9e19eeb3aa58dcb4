import { Args } from '@oclif/core';
import type { WorkspaceClosed } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';
import { formatClosed } from '../../lib/formatters.js';

export default class WorkspaceClose extends MirageCommand<WorkspaceClosed> {
  static override description =
    'Close a workspace: its jobs are canceled, its version history is kept for a later workspace of the same id.';
  static override examples = ['<%= config.bin %> workspace close demo'];
  static override args = { id: Args.string({ description: 'Workspace id.', required: true }) };

  async run(): Promise<WorkspaceClosed> {
    const { args } = await this.parse(WorkspaceClose);
    return this.client.closeWorkspace(args.id);
  }

  protected override formatHuman(result: WorkspaceClosed): string {
    return formatClosed(result);
  }
}
