// Wire types of the file tools (docs/file-tools.md): routes under /v1/workspaces/{id}/files/.
// `read` answers raw bytes and `write` and the tar upload take raw bytes; the rest is JSON.

/** Response header of `read`: the whole file's size in bytes (the body may be a range of it). */
export const FILE_SIZE_HEADER = 'x-mirage-file-size';

export type FileEntryType = 'file' | 'directory' | 'symlink';

export interface FileWritten {
  path: string;
  /** Bytes now in the file. */
  size: number;
  /** True when the file did not exist before. */
  created: boolean;
}

export interface EditFileRequest {
  path: string;
  /** The exact text to replace (as agents' Edit tools name it). */
  old_string: string;
  new_string: string;
  replace_all?: boolean;
  session_id?: string;
}

export interface FileEdited {
  path: string;
  replacements: number;
  size: number;
}

export interface FileEntry {
  name: string;
  /** Absolute path in the workspace. */
  path: string;
  type: FileEntryType;
  size: number;
  /** Permission bits, e.g. 420 (0o644). */
  mode: number;
  /** Seconds since the epoch. */
  mtime: number;
  /** Symlink target, for symlinks. */
  target?: string;
}

export interface FileListing {
  path: string;
  type: FileEntryType;
  /** The directory's entries sorted by name; for a file path, that one file. */
  entries: FileEntry[];
}

export interface GrepRequest {
  pattern: string;
  path?: string;
  ignore_case?: boolean;
  /** The pattern is a literal string, not a regular expression. */
  fixed_strings?: boolean;
  /** Only the names of matching files (grep -l). */
  files_with_matches?: boolean;
  /** Only a count per file (grep -c). */
  count?: boolean;
  /** Stop reading a file after this many matching lines (grep -m). */
  max_count?: number;
  /** Lines of context before and after each match (grep -C). */
  context?: number;
  /** Only files whose name matches this glob (grep --include). */
  include?: string;
  session_id?: string;
}

export interface GrepLine {
  /** 1-based line number. */
  line: number;
  text: string;
  /** False for a context line. */
  match: boolean;
}

export interface GrepFile {
  path: string;
  /** Matching lines in this file (capped by max_count). */
  count: number;
  /** The file holds NUL bytes: counted, lines not listed. */
  binary: boolean;
  /** Matching and context lines in file order; empty with files_with_matches or count. */
  lines: GrepLine[];
}

export interface GrepResult {
  /** Files with at least one match (with `count`, every file searched), in path order. */
  files: GrepFile[];
  /** True when the result stopped at the daemon's cap on listed lines or files. */
  truncated: boolean;
}

export interface GlobRequest {
  pattern: string;
  path?: string;
  session_id?: string;
}

export interface GlobResult {
  /** Absolute paths of the matching files, directories and symlinks, sorted. */
  paths: string[];
  truncated: boolean;
}

export interface TreeUploaded {
  /** Where the top entry of the tar landed. */
  path: string;
  files: number;
  directories: number;
  symlinks: number;
  bytes: number;
}
