// The base of every mirage command: settings resolved once, the daemon client, output and the single
// mapping from errors to exit codes. A command's run() returns its typed result and this class
// prints it (salesforcecli/plugin-org style): JSON when piped or with --json, the command's human
// form (formatHuman) on a terminal.
import { Command, Errors, Flags } from '@oclif/core';
import { deprecatedSettingWarnings, MirageClient, resolveClientSettings, type ClientSettings } from '@mirage-ts/protocol/client';
import { mapKnownError, mapUnexpectedError, type MappedError } from './lib/error-map.js';
import { usageError } from './lib/errors.js';
import { ensureRunning } from './lib/spawner.js';

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

export abstract class MirageCommand<R = unknown> extends Command {
  static override enableJsonFlag = true;
  // oclif adds --json with enableJsonFlag; this keeps its help text and group.
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

  abstract override run(): Promise<R>;

  override async init(): Promise<void> {
    await super.init();
    for (const warning of deprecatedSettingWarnings(process.env)) this.warnLine(`warning: ${warning}`);
  }

  /**
   * The result as text for a terminal. Commands without one (execute, jobs, sessions) print JSON
   * on a terminal too.
   */
  protected formatHuman?(result: R): string;

  /** JSON unless stdout is a terminal, the command has a human form and --json is not given. */
  override jsonEnabled(): boolean {
    return !process.stdout.isTTY || this.formatHuman === undefined || super.jsonEnabled();
  }

  /** oclif prints the result of run() as JSON; on a terminal this prints its human form instead. */
  protected override async _run<T>(): Promise<T> {
    const result = await super._run<T>();
    if (result !== undefined && this.formatHuman !== undefined && !this.jsonEnabled()) this.log(this.formatHuman(result as unknown as R));
    return result;
  }

  /** 2-space JSON, uncoloured even on a terminal: scripts and agents parse it as is. */
  protected override logJson(json: unknown): void {
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  }

  /** A warning line on stderr, printed in JSON mode too (oclif's warn and logToStderr are silent there). */
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
    // One stderr line and the mapped exit code in every mode (stdout stays empty on failure).
    process.stderr.write(`${message}\n`);
    process.exitCode = code;
  }
}
