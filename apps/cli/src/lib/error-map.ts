// The single mapping from errors to (exit code, one stderr line), shared by the oclif base command
// and the oclif-free `execute` fast path. Matching by name as well as class: a plugin may load its
// own copy of the protocol library.
import {
  ConfigLoadError,
  DaemonConfigError,
  DaemonError,
  DaemonUnreachable,
  EXIT_CANCELED,
  STATUS_JOB_CANCELED,
} from '@mirage-ts/protocol/client';
import { CliError } from './errors.js';

export interface MappedError {
  code: number;
  message: string;
}

function is(error: Error, type: abstract new (...args: never[]) => Error, name: string): boolean {
  const errorName = error.name;
  return error instanceof type || errorName === name;
}

/** Exit code and message for the errors the CLI knows, or undefined. */
export function mapKnownError(error: unknown): MappedError | undefined {
  if (!(error instanceof Error)) return undefined;
  if (is(error, DaemonUnreachable, 'DaemonUnreachable')) return { code: 1, message: error.message };
  if (is(error, DaemonError, 'DaemonError')) {
    // A foreground execute whose job was canceled answers 499: the command was interrupted.
    return { code: (error as DaemonError).status === STATUS_JOB_CANCELED ? EXIT_CANCELED : 2, message: error.message };
  }
  if (is(error, ConfigLoadError, 'ConfigLoadError') || is(error, DaemonConfigError, 'DaemonConfigError'))
    return { code: 2, message: error.message };
  if (is(error, CliError, 'CliError')) return { code: (error as CliError).exitCode, message: error.message };
  return undefined;
}

/** Anything else: exit 1 and the message (the stack only with DEBUG set). */
export function mapUnexpectedError(error: unknown): MappedError {
  const message = error instanceof Error ? (process.env.DEBUG ? (error.stack ?? error.message) : error.message) : String(error);
  return { code: 1, message: `error: ${message}` };
}
