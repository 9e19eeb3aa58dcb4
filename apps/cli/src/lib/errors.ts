// The CLI's own error: a message for stderr and the exit code to end with. Everything the CLI
// refuses locally (usage, missing files, bad values) is one of these; the base command maps it once.
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A usage mistake (bad flag value, malformed argument): exit 2, as Python's typer does. */
export const usageError = (message: string): CliError => new CliError(message, 2);
