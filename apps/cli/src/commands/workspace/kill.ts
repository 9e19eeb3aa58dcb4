import { Args } from '@oclif/core';
import type { WorkspaceKilled } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';

export default class WorkspaceKill extends MirageCommand<WorkspaceKilled> {
  static override description = 'End every unfinished job of a workspace at once, without waiting for it to stop (`killed` counts them).';
  static override examples = ['<%= config.bin %> workspace kill demo'];
  static override args = { id: Args.string({ description: 'Workspace id.', required: true }) };

  async run(): Promise<WorkspaceKilled> {
    const { args } = await this.parse(WorkspaceKill);
    return this.client.killWorkspace(args.id);
  }
}
