// The base of every mirage command: settings resolved once, the daemon client, output (JSON when
// piped or with --json, human text on a terminal) and the single mapping from errors to exit codes.
import { Command, Errors, Flags } from '@oclif/core';
import { MirageClient, resolveClientSettings, type ClientSettings } from '@mirage-ts/protocol/client';
import { mapKnownError, mapUnexpectedError, type MappedError } from './lib/error-map.js';
import { usageError } from './lib/errors.js';
import { ensureRunning } from './lib/spawner.js';

export type HumanFormatter<T> = (value: T) => string;

/** oclif's multi-line parser message as one line, without its headers and help pointer. */
function oneLine(message: string): string {
  const lines = message
    .split('\n')
    .map((line) => line.trim().replace(/\s{2,}/g, ' '))
    .filter((line) => line !== '' && !/^See more help with/.test(line) && !/^The following errors? occurred:?$/.test(line));
  return lines.reduce((out, line) => (out === '' ? line : out.endsWith(':') ? `${out} ${line}` : `${out}; ${line}`), '') || message;
}

/** Exit code and one-line message for an error, or undefined for errors we do not know. */
export function mapError(error: unknown, commandId?: string): MappedError | undefined {
  const known = mapKnownError(error);
  if (known !== undefined) return known;
  if (error instanceof Errors.CLIError && !(error instanceof Errors.ExitError)) {
    // oclif's parser errors (missing flag or argument, unknown flag): a usage error, exit 2.
    const hint = commandId ? ` (see: mirage ${commandId.replaceAll(':', ' ')} --help)` : '';
    return { code: 2, message: `${oneLine(error.message)}${hint}` };
  }
  return undefined;
}

export abstract class MirageCommand extends Command {
  static override baseFlags = {
    json: Flags.boolean({ description: 'Print JSON even on a terminal.', helpGroup: 'GLOBAL' }),
  };

  private resolvedSettings: ClientSettings | undefined;
  private daemonClient: MirageClient | undefined;

  /** URL, token and [daemon] table, resolved once (env > config.toml > token file > default). */
  protected get settings(): ClientSettings {
    this.resolvedSettings ??= resolveClientSettings(process.env);
    return this.resolvedSettings;
  }

  protected get client(): MirageClient {
    this.daemonClient ??= new MirageClient({ baseUrl: this.settings.url, token: this.settings.token });
    return this.daemonClient;
  }

  /** For the verbs that may start the daemon: probe, spawn if allowed, and talk with its token. */
  protected async ensureDaemon(allowSpawn: boolean): Promise<boolean> {
    const { token, spawned } = await ensureRunning(this.settings, { allowSpawn });
    if (token !== this.settings.token) {
      this.resolvedSettings = { ...this.settings, token };
      this.daemonClient = undefined;
    }
    return spawned;
  }

  protected get humanOutput(): boolean {
    const dashDash = this.argv.indexOf('--');
    const json = this.argv.findIndex((arg) => arg === '--json');
    const jsonFlag = json !== -1 && (dashDash === -1 || json < dashDash);
    return Boolean(process.stdout.isTTY) && !jsonFlag;
  }

  /** Prints a result: human text on a terminal when a formatter exists, else 2-space JSON. */
  protected emit<T>(value: T, human?: HumanFormatter<T>): void {
    const text = human !== undefined && this.humanOutput ? human(value) : JSON.stringify(value, null, 2);
    process.stdout.write(`${text}\n`);
  }

  protected warnLine(message: string): void {
    process.stderr.write(`${message}\n`);
  }

  /** Parses a number of seconds given as a flag value; a usage error otherwise. */
  protected seconds(flag: string, value: string | undefined): number | undefined {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw usageError(`--${flag} expects a number of seconds, got '${value}'`);
    return n;
  }

  override async catch(error: Error & { exitCode?: number }): Promise<void> {
    const mapped = mapError(error, this.id);
    if (mapped === undefined && error instanceof Errors.ExitError) throw error;
    const { code, message } = mapped ?? mapUnexpectedError(error);
    process.stderr.write(`${message}\n`);
    process.exitCode = code;
  }
}
