// One table maps every library error code to its HTTP status. Any error carrying a known `code`
// string and a `message` qualifies (WorkspaceError, VersioningError, ...), so the daemon maps each
// library's errors once, here, without importing their classes.

export const STATUS_BY_CODE = {
  not_found: 404,
  already_exists: 409,
  busy: 409,
  invalid: 400,
  forbidden: 403,
  unprocessable: 422,
  too_large: 413,
  build_failed: 502,
  canceled: 499,
  // The daemon's own (DaemonError): a route that exists but is not offered in this setup, and a
  // failure of the daemon itself whose cause is reported.
  not_available: 409,
  internal: 500,
} as const satisfies Record<string, number>;

export type KnownErrorCode = keyof typeof STATUS_BY_CODE;

export interface CodedError extends Error {
  code: KnownErrorCode;
}

export function isCodedError(error: unknown): error is CodedError {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(STATUS_BY_CODE, code) && typeof error.message === 'string';
}

/** An error of the daemon's services, by code like every library's (mapped once, here). */
export class DaemonError extends Error implements CodedError {
  constructor(
    readonly code: KnownErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DaemonError';
  }
}

/** An error of the HTTP edge (a malformed or oversized request) with the status to answer. */
export class DaemonHttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'DaemonHttpError';
  }
}
