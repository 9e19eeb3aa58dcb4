// File-system errors as just-bash and Node shape them: `CODE: message`, with `code` set, so the
// interpreter prints them like any other failed redirect or command.
export type FsErrorCode = 'ENOENT' | 'EISDIR' | 'ENOTDIR' | 'EACCES' | 'ENOSPC' | 'EXDEV' | 'ELOOP' | 'EINVAL';

export class BuiltinFsError extends Error {
  constructor(
    readonly code: FsErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'BuiltinFsError';
  }
}

export function fsError(code: FsErrorCode, message: string): BuiltinFsError {
  return new BuiltinFsError(code, message);
}
