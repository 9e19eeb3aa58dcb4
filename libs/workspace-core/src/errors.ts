// The one error type of workspace-core. `code` is stable; the daemon maps it to an HTTP status
// once (its exception filter), the message becomes the `{"detail": ...}` text.

export type WorkspaceErrorCode =
  | 'not_found' // 404: workspace, session, job, or version not found
  | 'already_exists' // 409: id taken
  | 'busy' // 409: state moved or lines still running
  | 'invalid' // 400: bad config, bad id, bad path, bad request
  | 'forbidden' // 403: a change refused by a mount's mode (read-only mount or session ceiling)
  | 'unprocessable' // 422: engine refusal (bad session mount mode, ...)
  | 'too_large' // 413
  | 'build_failed' // 502: a resource could not be built
  | 'canceled'; // 499: a foreground job was canceled

export class WorkspaceError extends Error {
  constructor(
    readonly code: WorkspaceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'WorkspaceError';
  }
}
