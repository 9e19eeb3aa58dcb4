import { MirageCommand } from '../../base-command.js';
import { daemonPid } from '../../lib/daemon-control.js';
import { isAlive } from '../../lib/process.js';

interface Killed {
  killed: boolean;
  pid: number | null;
  reason?: string;
}

function human(k: Killed): string {
  if (k.killed) return `Killed PID ${k.pid}.`;
  return k.pid === null ? 'Daemon not running.' : `Already gone (PID ${k.pid}).`;
}

export default class DaemonKill extends MirageCommand {
  static override description = 'Kill the daemon process (SIGKILL, no cleanup). Prefer `daemon stop`.';
  static override examples = ['<%= config.bin %> daemon kill'];

  async run(): Promise<void> {
    await this.parse(DaemonKill);
    const pid = daemonPid(this.settings);
    if (pid === undefined) return this.emit<Killed>({ killed: false, reason: 'no daemon running', pid: null }, human);
    if (!isAlive(pid)) return this.emit<Killed>({ killed: false, reason: 'process already gone', pid }, human);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      return this.emit<Killed>({ killed: false, reason: 'process gone', pid }, human);
    }
    this.emit<Killed>({ killed: true, pid }, human);
  }
}
