import { Args, Flags } from '@oclif/core';
import type { SessionSummary } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';

export default class SessionCreate extends MirageCommand<SessionSummary> {
  static override description = 'Create a session in a workspace (a session keeps its own cwd and environment between commands).';
  static override examples = ['<%= config.bin %> session create demo', '<%= config.bin %> session create demo --id agent-1'];
  static override args = { workspace: Args.string({ description: 'Workspace id.', required: true }) };
  static override flags = { id: Flags.string({ description: 'Session id (default: the daemon mints one).' }) };

  async run(): Promise<SessionSummary> {
    const { args, flags } = await this.parse(SessionCreate);
    return this.client.createSession(args.workspace, flags.id === undefined ? {} : { session_id: flags.id });
  }
}
