// Flags shared by several commands. Legacy spellings from the docs and the Python CLI are aliases.
import { Flags } from '@oclif/core';

export const workspaceFlag = Flags.string({
  char: 'w',
  aliases: ['workspace_id'],
  description: 'Workspace id.',
  required: true,
});

export const optionalWorkspaceFlag = Flags.string({
  char: 'w',
  aliases: ['workspace_id'],
  description: 'Only this workspace.',
});

export const sessionFlag = Flags.string({
  char: 's',
  aliases: ['session_id'],
  description: 'Session id (default: the workspace default session).',
});

export const commandFlag = Flags.string({
  char: 'c',
  description: 'The bash command line to run.',
  required: true,
});

export const timeoutFlag = (description: string, defaultSeconds?: string) =>
  Flags.string({
    description,
    ...(defaultSeconds === undefined ? {} : { default: defaultSeconds }),
  });
