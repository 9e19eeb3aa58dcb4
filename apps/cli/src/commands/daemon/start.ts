import { MirageCommand } from '../../base-command.js';
import { daemonPid, type DaemonStatus } from '../../lib/daemon-control.js';
import { formatDaemonStatus } from '../../lib/formatters.js';

export default class DaemonStart extends MirageCommand<DaemonStatus> {
  static override description = 'Start the daemon if none answers (local URLs only), then show its status.';
  static override examples = [
    '<%= config.bin %> daemon start',
    'MIRAGE_DAEMON_PORT=9000 MIRAGE_DAEMON_URL=http://127.0.0.1:9000 <%= config.bin %> daemon start',
  ];

  async run(): Promise<DaemonStatus> {
    await this.parse(DaemonStart);
    const spawned = await this.ensureDaemon(true);
    const health = await this.client.health(2000);
    return { running: true, spawned, pid: daemonPid(this.settings) ?? null, url: this.settings.url, ...health };
  }

  protected override formatHuman(result: DaemonStatus): string {
    return formatDaemonStatus(result);
  }
}
