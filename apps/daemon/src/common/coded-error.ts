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

/** An error the daemon itself raises with a status and the `detail` text to answer. */
export class DaemonHttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'DaemonHttpError';
  }
}
