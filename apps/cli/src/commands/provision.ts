import { MirageCommand } from '../base-command.js';
import { commandFlag, sessionFlag, workspaceFlag } from '../flags.js';

export default class Provision extends MirageCommand {
  static override description = 'Estimate what a command would read, write and cost, without running it.';
  static override examples = ['<%= config.bin %> provision -w demo -c "cat /s3/data/*.csv | wc -l"'];
  static override flags = { workspace: workspaceFlag, command: commandFlag, session: sessionFlag };

  async run(): Promise<void> {
    const { flags } = await this.parse(Provision);
    this.emit(await this.client.provision(flags.workspace, flags.command, flags.session));
  }
}
