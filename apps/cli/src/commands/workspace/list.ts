import type { WorkspaceBrief } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';
import { formatWorkspaceList } from '../../lib/formatters.js';

export default class WorkspaceList extends MirageCommand<WorkspaceBrief[]> {
  static override description = 'List the workspaces the daemon holds.';
  static override examples = ['<%= config.bin %> workspace list', '<%= config.bin %> workspace list | jq -r ".[].id"'];

  async run(): Promise<WorkspaceBrief[]> {
    await this.parse(WorkspaceList);
    return this.client.listWorkspaces();
  }

  protected override formatHuman(result: WorkspaceBrief[]): string {
    return formatWorkspaceList(result);
  }
}
