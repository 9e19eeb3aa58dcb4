import type { JobResult } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../base-command.js';
import { commandFlag, sessionFlag, workspaceFlag } from '../flags.js';

export default class Provision extends MirageCommand<JobResult> {
  static override description = 'Estimate what a command would read, write and cost, without running it.';
  static override examples = ['<%= config.bin %> provision -w demo -c "cat /s3/data/*.csv | wc -l"'];
  static override flags = { workspace: workspaceFlag, command: commandFlag, session: sessionFlag };

  async run(): Promise<JobResult> {
    const { flags } = await this.parse(Provision);
    return this.client.provision(flags.workspace, flags.command, flags.session);
  }
}
