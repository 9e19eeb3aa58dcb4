import { MirageCommand } from '../../base-command.js';
import { daemonPid, type DaemonStatus as Status } from '../../lib/daemon-control.js';
import { formatDaemonStatus } from '../../lib/formatters.js';

export default class DaemonStatus extends MirageCommand<Status> {
  static override description = 'Say whether the daemon answers; exits 1 when it does not.';
  static override examples = ['<%= config.bin %> daemon status', '<%= config.bin %> daemon status --json | jq .workspaces'];

  async run(): Promise<Status> {
    await this.parse(DaemonStatus);
    const pid = daemonPid(this.settings) ?? null;
    const url = this.settings.url;
    try {
      const health = await this.client.health(2000);
      return { running: true, pid, url, ...health };
    } catch {
      process.exitCode = 1;
      return { running: false, pid, url };
    }
  }

  protected override formatHuman(result: Status): string {
    return formatDaemonStatus(result);
  }
}
