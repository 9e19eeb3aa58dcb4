import { DaemonError, DaemonUnreachable } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';
import { signalDaemon, waitUntilDown } from '../../lib/daemon-control.js';
import { CliError } from '../../lib/errors.js';
import { timeoutFlag } from '../../flags.js';

interface Stopped {
  stopped: true;
  via: 'graceful' | 'sigterm';
  pid?: number;
}

export default class DaemonStop extends MirageCommand<Stopped> {
  static override description = 'Stop the daemon gracefully (POST /v1/shutdown), then with SIGTERM if it has not exited in time.';
  static override examples = ['<%= config.bin %> daemon stop', '<%= config.bin %> daemon stop --timeout 15'];
  static override flags = { timeout: timeoutFlag('Seconds to wait for a graceful exit.', '5') };

  async run(): Promise<Stopped> {
    const { flags } = await this.parse(DaemonStop);
    const timeout = this.seconds('timeout', flags.timeout) ?? 5;
    try {
      await this.client.shutdown();
    } catch (error) {
      if (error instanceof DaemonUnreachable) throw new CliError(`daemon not reachable: ${error.reason}`, 1);
      if (error instanceof DaemonError) throw new CliError(`shutdown failed: ${error.detail}`, 2);
      throw error;
    }
    if (await waitUntilDown(this.settings, timeout * 1000)) return { stopped: true, via: 'graceful' };
    const pid = signalDaemon(this.settings, 'SIGTERM');
    if (pid === undefined) throw new CliError(`daemon did not exit within ${timeout}s and no live PID found`, 2);
    return { stopped: true, via: 'sigterm', pid };
  }

  protected override formatHuman(s: Stopped): string {
    return s.via === 'graceful' ? 'Stopped (via graceful).' : `Stopped (via sigterm, PID ${s.pid}).`;
  }
}
