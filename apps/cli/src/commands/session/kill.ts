import { Args } from '@oclif/core';
import type { WorkspaceKilled } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';

export default class SessionKill extends MirageCommand<WorkspaceKilled> {
  static override description = "End a session's unfinished jobs at once; the session stays usable.";
  static override examples = ['<%= config.bin %> session kill demo agent-1'];
  static override args = {
    workspace: Args.string({ description: 'Workspace id.', required: true }),
    session: Args.string({ description: 'Session id.', required: true }),
  };

  async run(): Promise<WorkspaceKilled> {
    const { args } = await this.parse(SessionKill);
    return this.client.killSession(args.workspace, args.session);
  }
}
