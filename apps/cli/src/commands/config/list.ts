import { Flags } from '@oclif/core';
import { homePaths, mirageHome, SETTINGS, settingDefault } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';
import { readRawTable, resolveAll, type ResolvedValue } from '../../lib/config-file.js';

/** The raw [daemon] table (`key: value`), or with --resolved every setting's `{value, origin}`. */
type ConfigListing = Record<string, string | ResolvedValue>;

/** The settings table for --help: key, environment variable, default (path defaults under ~/.mirage). */
function settingsHelp(): string {
  const rows = SETTINGS.filter((spec) => spec.readBy !== 'none').map((spec) => {
    const fallback = settingDefault(spec.key, '$MIRAGE_HOME');
    return `${spec.key} (${spec.env ?? 'no env var'}${fallback === '' ? '' : `, default ${fallback}`}): ${spec.description}`;
  });
  return ['Settings (environment variable, default):', ...rows, 'jwt_*, socket: accepted for compatibility, not used.'].join('\n');
}

export default class ConfigList extends MirageCommand<ConfigListing> {
  static override summary =
    'Show the [daemon] table of $MIRAGE_HOME/config.toml; with --resolved, every setting with its effective value and origin.';
  static override description = settingsHelp();
  static override examples = ['<%= config.bin %> config list', '<%= config.bin %> config list --resolved'];
  static override flags = { resolved: Flags.boolean({ description: 'Every setting: value and origin (env, file or default).' }) };

  async run(): Promise<ConfigListing> {
    const { flags } = await this.parse(ConfigList);
    const home = mirageHome(process.env);
    const { table, unknown } = readRawTable(homePaths(home).config);
    if (unknown.length > 0) this.warnLine(`warning: unknown [daemon] keys (daemon will refuse to start): ${unknown.join(', ')}`);
    return flags.resolved ? resolveAll(table, process.env, home) : table;
  }

  protected override formatHuman(result: ConfigListing): string {
    return Object.entries(result)
      .map(([key, entry]) => (typeof entry === 'string' ? `${key} = ${entry}` : `${key} = ${entry.value}  (${entry.origin})`))
      .join('\n');
  }
}
