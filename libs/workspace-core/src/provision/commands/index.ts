// The table of command models the walker dispatches through: one family per file. A name in two
// families is a mistake in the table, refused when the module loads.
import type { CommandEntry, CommandFamily } from '../model.js';
import { ARCHIVE_COMMANDS } from './archive.js';
import { FILTER_COMMANDS } from './filters.js';
import { METADATA_COMMANDS } from './metadata.js';
import { READ_COMMANDS } from './read-commands.js';
import { SEARCH_COMMANDS } from './search.js';
import { SHELL_COMMANDS } from './shell.js';
import { WRITE_COMMANDS } from './write-commands.js';

function table(families: readonly CommandFamily[]): ReadonlyMap<string, CommandEntry> {
  const entries = new Map<string, CommandEntry>();
  for (const commands of families) {
    for (const [name, entry] of Object.entries(commands)) {
      if (entries.has(name)) throw new Error(`provision: command ${name} is modelled twice`);
      entries.set(name, entry);
    }
  }
  return entries;
}

export const COMMAND_MODELS = table([
  FILTER_COMMANDS,
  READ_COMMANDS,
  WRITE_COMMANDS,
  SEARCH_COMMANDS,
  METADATA_COMMANDS,
  ARCHIVE_COMMANDS,
  SHELL_COMMANDS,
]);
