import { Args } from '@oclif/core';
import { DAEMON_KEYS, homePaths, mirageHome } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';
import { assertKnownKey, readConfigText, setInText, writeConfigText } from '../../lib/config-file.js';

/** `{key: value, written: true}`, the setting first. */
type ConfigWritten = Record<string, string | true>;

export default class ConfigSet extends MirageCommand<ConfigWritten> {
  static override description = 'Set a [daemon] setting in config.toml (other lines are kept; the file is made mode 600).';
  static override examples = ['<%= config.bin %> config set port 9000', '<%= config.bin %> config set url http://127.0.0.1:9000'];
  static override args = {
    key: Args.string({ description: `Setting name: ${DAEMON_KEYS.join(', ')}.`, required: true }),
    value: Args.string({ description: 'Value.', required: true }),
  };

  async run(): Promise<ConfigWritten> {
    const { args } = await this.parse(ConfigSet);
    assertKnownKey(args.key);
    const path = homePaths(mirageHome(process.env)).config;
    writeConfigText(path, setInText(readConfigText(path), args.key, args.value));
    return { [args.key]: args.value, written: true };
  }

  protected override formatHuman(result: ConfigWritten): string {
    const [key, value] = Object.entries(result)[0];
    return `${key} = ${String(value)}`;
  }
}
