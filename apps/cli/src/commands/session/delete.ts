import { Args } from '@oclif/core';
import type { SessionDeleted } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';

export default class SessionDelete extends MirageCommand<SessionDeleted> {
  static override description = 'Delete a session.';
  static override examples = ['<%= config.bin %> session delete demo agent-1'];
  static override args = {
    workspace: Args.string({ description: 'Workspace id.', required: true }),
    session: Args.string({ description: 'Session id.', required: true }),
  };

  async run(): Promise<SessionDeleted> {
    const { args } = await this.parse(SessionDelete);
    return this.client.deleteSession(args.workspace, args.session);
  }
}
