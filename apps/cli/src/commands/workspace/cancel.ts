import { Args } from '@oclif/core';
import type { WorkspaceCanceled } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';

export default class WorkspaceCancel extends MirageCommand<WorkspaceCanceled> {
  static override description = 'Cancel every unfinished job of a workspace (`canceled` counts the ones this call canceled).';
  static override examples = ['<%= config.bin %> workspace cancel demo'];
  static override args = { id: Args.string({ description: 'Workspace id.', required: true }) };

  async run(): Promise<WorkspaceCanceled> {
    const { args } = await this.parse(WorkspaceCancel);
    return this.client.cancelWorkspace(args.id);
  }
}
