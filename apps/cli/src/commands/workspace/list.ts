import { MirageCommand } from '../../base-command.js';
import { formatWorkspaceList } from '../../lib/formatters.js';

export default class WorkspaceList extends MirageCommand {
  static override description = 'List the workspaces the daemon holds.';
  static override examples = ['<%= config.bin %> workspace list', '<%= config.bin %> workspace list | jq -r ".[].id"'];

  async run(): Promise<void> {
    await this.parse(WorkspaceList);
    this.emit(await this.client.listWorkspaces(), formatWorkspaceList);
  }
}
