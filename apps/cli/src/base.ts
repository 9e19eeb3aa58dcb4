// What a plugin may build on (`@mirage-ts/cli/base`): the base command with its client, output and
// error mapping, the shared flags, and the CLI's error type.
export { MirageCommand, mapError, type HumanFormatter } from './base-command.js';
export { workspaceFlag, optionalWorkspaceFlag, sessionFlag, commandFlag } from './flags.js';
export { CliError, usageError } from './lib/errors.js';
