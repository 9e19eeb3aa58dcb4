// The one error type of libs/versioning. `code` is stable; the daemon maps it once to a status:
// not_found → 404, already_exists → 409, busy → 409, invalid → 400.

export type VersioningErrorCode =
  | 'not_found' // unknown branch or version
  | 'already_exists' // branch name taken
  | 'busy' // the branch head moved while a commit was prepared
  | 'invalid'; // bad branch/ref name, bad workspace id, unversionable content

export class VersioningError extends Error {
  constructor(
    readonly code: VersioningErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'VersioningError';
  }
}
