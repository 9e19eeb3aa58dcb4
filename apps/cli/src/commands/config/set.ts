import { Args } from '@oclif/core';
import { homePaths, mirageHome } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';
import { assertKnownKey, readConfigText, setInText, writeConfigText } from '../../lib/config-file.js';

export default class ConfigSet extends MirageCommand {
  static override description = 'Set a [daemon] setting in config.toml (other lines are kept; the file is made mode 600).';
  static override examples = ['<%= config.bin %> config set port 9000', '<%= config.bin %> config set url http://127.0.0.1:9000'];
  static override args = {
    key: Args.string({ description: 'Setting name.', required: true }),
    value: Args.string({ description: 'Value.', required: true }),
  };

  async run(): Promise<void> {
    const { args } = await this.parse(ConfigSet);
    assertKnownKey(args.key);
    const path = homePaths(mirageHome(process.env)).config;
    writeConfigText(path, setInText(readConfigText(path), args.key, args.value));
    this.emit({ [args.key]: args.value, written: true }, () => `${args.key} = ${args.value}`);
  }
}
