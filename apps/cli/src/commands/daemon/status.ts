import { MirageCommand } from '../../base-command.js';
import { daemonPid } from '../../lib/daemon-control.js';
import { formatDaemonStatus } from '../../lib/formatters.js';

export default class DaemonStatus extends MirageCommand {
  static override description = 'Say whether the daemon answers; exits 1 when it does not.';
  static override examples = ['<%= config.bin %> daemon status', '<%= config.bin %> daemon status --json | jq .workspaces'];

  async run(): Promise<void> {
    await this.parse(DaemonStatus);
    const pid = daemonPid(this.settings) ?? null;
    const url = this.settings.url;
    let health: object;
    try {
      health = await this.client.health(2000);
    } catch {
      this.emit({ running: false, pid, url }, formatDaemonStatus);
      process.exitCode = 1;
      return;
    }
    this.emit({ running: true, pid, url, ...health }, formatDaemonStatus);
  }
}
