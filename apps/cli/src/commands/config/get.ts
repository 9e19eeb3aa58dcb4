import { Args } from '@oclif/core';
import { DAEMON_KEYS, homePaths, mirageHome } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';
import { assertKnownKey, readRawTable } from '../../lib/config-file.js';
import { CliError } from '../../lib/errors.js';

/** `{key: value}`, the one setting asked for. */
type ConfigValue = Record<string, string>;

export default class ConfigGet extends MirageCommand<ConfigValue> {
  static override description = 'Print one [daemon] setting from config.toml (exit 1 when it is not set).';
  static override examples = ['<%= config.bin %> config get url'];
  static override args = { key: Args.string({ description: `Setting name: ${DAEMON_KEYS.join(', ')}.`, required: true }) };

  async run(): Promise<ConfigValue> {
    const { args } = await this.parse(ConfigGet);
    assertKnownKey(args.key);
    const { table } = readRawTable(homePaths(mirageHome(process.env)).config);
    const value = Object.hasOwn(table, args.key) ? table[args.key] : undefined;
    if (value === undefined) throw new CliError(`${args.key} is not set`, 1);
    return { [args.key]: value };
  }

  protected override formatHuman(result: ConfigValue): string {
    return Object.values(result)[0];
  }
}
