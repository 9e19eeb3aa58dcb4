import { Flags } from '@oclif/core';
import { MirageCommand } from '../../base-command.js';
import { signalDaemon, waitUntilDown } from '../../lib/daemon-control.js';
import { timeoutFlag } from '../../flags.js';

interface Restarted {
  restarted: true;
  spawned_fresh: boolean;
  note?: string;
}

export default class DaemonRestart extends MirageCommand<Restarted> {
  static override description = 'Stop the daemon; with --eager start a fresh one now, otherwise the next `workspace create` starts it.';
  static override examples = ['<%= config.bin %> daemon restart', '<%= config.bin %> daemon restart --eager'];
  static override flags = {
    timeout: timeoutFlag('Seconds to wait for the old daemon to exit.', '5'),
    eager: Flags.boolean({ description: 'Start a fresh daemon right away.' }),
  };

  async run(): Promise<Restarted> {
    const { flags } = await this.parse(DaemonRestart);
    const timeout = this.seconds('timeout', flags.timeout) ?? 5;
    try {
      await this.client.shutdown();
    } catch {
      /* not running, or refusing: fall back to the signal below */
    }
    if (!(await waitUntilDown(this.settings, timeout * 1000))) {
      signalDaemon(this.settings, 'SIGTERM');
      await waitUntilDown(this.settings, timeout * 1000);
    }
    if (flags.eager) {
      await this.ensureDaemon(true);
      return { restarted: true, spawned_fresh: true };
    }
    return { restarted: true, spawned_fresh: false, note: 'next workspace create will auto-spawn' };
  }

  protected override formatHuman(r: Restarted): string {
    return r.spawned_fresh ? 'Restarted (eager spawn).' : 'Restarted; next CLI command will auto-spawn.';
  }
}
