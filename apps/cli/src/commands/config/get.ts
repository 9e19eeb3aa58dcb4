import { Args } from '@oclif/core';
import { homePaths, mirageHome } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';
import { assertKnownKey, readRawTable } from '../../lib/config-file.js';
import { CliError } from '../../lib/errors.js';

export default class ConfigGet extends MirageCommand {
  static override description = 'Print one [daemon] setting from config.toml (exit 1 when it is not set).';
  static override examples = ['<%= config.bin %> config get url'];
  static override args = { key: Args.string({ description: 'Setting name, e.g. url, port, idle_grace_seconds.', required: true }) };

  async run(): Promise<void> {
    const { args } = await this.parse(ConfigGet);
    assertKnownKey(args.key);
    const { table } = readRawTable(homePaths(mirageHome(process.env)).config);
    const value = Object.hasOwn(table, args.key) ? table[args.key] : undefined;
    if (value === undefined) throw new CliError(`${args.key} is not set`, 1);
    this.emit({ [args.key]: value }, () => value);
  }
}
