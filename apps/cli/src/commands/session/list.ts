import { Args } from '@oclif/core';
import { MirageCommand } from '../../base-command.js';

export default class SessionList extends MirageCommand {
  static override description = "List a workspace's sessions.";
  static override examples = ['<%= config.bin %> session list demo'];
  static override args = { workspace: Args.string({ description: 'Workspace id.', required: true }) };

  async run(): Promise<void> {
    const { args } = await this.parse(SessionList);
    this.emit(await this.client.listSessions(args.workspace));
  }
}
