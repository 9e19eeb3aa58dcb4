import { Args } from '@oclif/core';
import type { SessionSummary } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';

export default class SessionList extends MirageCommand<SessionSummary[]> {
  static override description = "List a workspace's sessions.";
  static override examples = ['<%= config.bin %> session list demo'];
  static override args = { workspace: Args.string({ description: 'Workspace id.', required: true }) };

  async run(): Promise<SessionSummary[]> {
    const { args } = await this.parse(SessionList);
    return this.client.listSessions(args.workspace);
  }
}
