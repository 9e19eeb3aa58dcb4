import { Args } from '@oclif/core';
import type { SessionSummary } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';

export default class SessionGet extends MirageCommand<SessionSummary> {
  static override description = 'Show one session (its id and cwd).';
  static override examples = ['<%= config.bin %> session get demo agent-1'];
  static override args = {
    workspace: Args.string({ description: 'Workspace id.', required: true }),
    session: Args.string({ description: 'Session id.', required: true }),
  };

  async run(): Promise<SessionSummary> {
    const { args } = await this.parse(SessionGet);
    return this.client.getSession(args.workspace, args.session);
  }
}
