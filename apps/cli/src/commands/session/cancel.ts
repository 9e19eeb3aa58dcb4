import { Args } from '@oclif/core';
import type { WorkspaceCanceled } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';

export default class SessionCancel extends MirageCommand<WorkspaceCanceled> {
  static override description = "Cancel a session's unfinished jobs; other sessions keep running.";
  static override examples = ['<%= config.bin %> session cancel demo agent-1'];
  static override args = {
    workspace: Args.string({ description: 'Workspace id.', required: true }),
    session: Args.string({ description: 'Session id.', required: true }),
  };

  async run(): Promise<WorkspaceCanceled> {
    const { args } = await this.parse(SessionCancel);
    return this.client.cancelSession(args.workspace, args.session);
  }
}
