// What a plugin may build on (`@mirage-ts/cli/base`): the base command with its client, output and
// error mapping, the shared flags, the CLI's error type, the errors-to-exit-codes mapping (for a
// plugin's own entry points and tests) and the table formatter the built-in commands use.
export { MirageCommand, mapError } from './base-command.js';
export { workspaceFlag, optionalWorkspaceFlag, sessionFlag, commandFlag } from './flags.js';
export { CliError, usageError } from './lib/errors.js';
export { mapKnownError, mapUnexpectedError, type MappedError } from './lib/error-map.js';
export { formatTable } from './lib/formatters.js';
