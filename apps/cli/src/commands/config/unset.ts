import { existsSync } from 'node:fs';
import { Args } from '@oclif/core';
import { homePaths, mirageHome } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';
import { readConfigText, unsetInText, writeConfigText } from '../../lib/config-file.js';

/** `{key: null, unset: true}`, the setting first. */
type ConfigUnsetResult = Record<string, null | true>;

export default class ConfigUnset extends MirageCommand<ConfigUnsetResult> {
  static override description = 'Remove a [daemon] setting from config.toml (unknown keys too, to repair a file the daemon refuses).';
  static override examples = ['<%= config.bin %> config unset port'];
  static override args = { key: Args.string({ description: 'Setting name.', required: true }) };

  async run(): Promise<ConfigUnsetResult> {
    const { args } = await this.parse(ConfigUnset);
    const path = homePaths(mirageHome(process.env)).config;
    if (existsSync(path)) writeConfigText(path, unsetInText(readConfigText(path), args.key));
    return { [args.key]: null, unset: true };
  }

  protected override formatHuman(result: ConfigUnsetResult): string {
    return `unset ${Object.keys(result)[0]}`;
  }
}
