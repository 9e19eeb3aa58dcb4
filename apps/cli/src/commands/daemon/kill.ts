import { MirageCommand } from '../../base-command.js';
import { daemonPid } from '../../lib/daemon-control.js';
import { isAlive } from '../../lib/process.js';

interface Killed {
  killed: boolean;
  pid: number | null;
  reason?: string;
}

export default class DaemonKill extends MirageCommand<Killed> {
  static override description = 'Kill the daemon process (SIGKILL, no cleanup). Prefer `daemon stop`.';
  static override examples = ['<%= config.bin %> daemon kill'];

  async run(): Promise<Killed> {
    await this.parse(DaemonKill);
    const pid = daemonPid(this.settings);
    if (pid === undefined) return { killed: false, reason: 'no daemon running', pid: null };
    if (!isAlive(pid)) return { killed: false, reason: 'process already gone', pid };
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      return { killed: false, reason: 'process gone', pid };
    }
    return { killed: true, pid };
  }

  protected override formatHuman(k: Killed): string {
    if (k.killed) return `Killed PID ${k.pid}.`;
    return k.pid === null ? 'Daemon not running.' : `Already gone (PID ${k.pid}).`;
  }
}
