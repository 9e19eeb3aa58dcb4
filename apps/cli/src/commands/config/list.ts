import { Flags } from '@oclif/core';
import { homePaths, mirageHome } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';
import { readRawTable, resolveAll, type ResolvedValue } from '../../lib/config-file.js';

export default class ConfigList extends MirageCommand {
  static override description =
    'Show the [daemon] table of $MIRAGE_HOME/config.toml; with --resolved, every setting with its effective value and origin.';
  static override examples = ['<%= config.bin %> config list', '<%= config.bin %> config list --resolved'];
  static override flags = { resolved: Flags.boolean({ description: 'Every setting: value and origin (env, file or default).' }) };

  async run(): Promise<void> {
    const { flags } = await this.parse(ConfigList);
    const home = mirageHome(process.env);
    const { table, unknown } = readRawTable(homePaths(home).config);
    if (unknown.length > 0) this.warnLine(`warning: unknown [daemon] keys (daemon will refuse to start): ${unknown.join(', ')}`);
    if (flags.resolved) {
      this.emit(resolveAll(table, process.env, home), (all: Record<string, ResolvedValue>) =>
        Object.entries(all)
          .map(([key, { value, origin }]) => `${key} = ${value}  (${origin})`)
          .join('\n'),
      );
      return;
    }
    this.emit(table, (t: Record<string, string>) =>
      Object.entries(t)
        .map(([key, value]) => `${key} = ${value}`)
        .join('\n'),
    );
  }
}
