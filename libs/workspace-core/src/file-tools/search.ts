// Listing and searching the namespace: ls, glob and grep as plain functions over a FileView.
// Walks never follow symlinks (no loops, nothing outside the tree). Patterns are RE2 regular
// expressions (grep, as the shell's grep) and globs with `**` and `{a,b}` (glob, grep --include).
import { posix } from 'node:path';
import { RE2JS } from 're2js';
import type {
  FileEntry,
  FileEntryType,
  FileListing,
  GlobRequest,
  GlobResult,
  GrepFile,
  GrepLine,
  GrepRequest,
  GrepResult,
} from '@mirage-ts/protocol';
import type { FsStat, IFileSystem } from '../engine.js';
import { WorkspaceError } from '../errors.js';
import { globSegmentSource } from '../glob.js';
import { openFileRange } from './read.js';
import { onPath, parseCount, resolveToolPath, type FileView } from './view.js';

/** Caps on one answer: a search of a huge tree stops there and says `truncated`. */
export const MAX_GLOB_PATHS = 10_000;
export const MAX_GREP_LINES = 10_000;
export const MAX_GREP_FILES = 10_000;

const join = (dir: string, name: string): string => (dir === '/' ? `/${name}` : `${dir}/${name}`);

function entryType(stat: FsStat): FileEntryType {
  return stat.isSymbolicLink ? 'symlink' : stat.isDirectory ? 'directory' : 'file';
}

async function describe(fs: IFileSystem, path: string, name: string): Promise<FileEntry> {
  const stat = await onPath(path, () => fs.lstat(path));
  const entry: FileEntry = {
    name,
    path,
    type: entryType(stat),
    size: stat.size,
    mode: stat.mode & 0o7777,
    mtime: stat.mtime.getTime() / 1000,
  };
  if (stat.isSymbolicLink) entry.target = await fs.readlink(path).catch(() => '');
  return entry;
}

/** `ls`: a directory's entries sorted by name, or the one entry of a file. */
export async function listFiles(view: FileView, rawPath = '.'): Promise<FileListing> {
  const path = resolveToolPath(view, rawPath);
  const stat = await onPath(path, () => view.fs.stat(path));
  if (!stat.isDirectory) return { path, type: entryType(stat), entries: [await describe(view.fs, path, posix.basename(path))] };
  const names = (await onPath(path, () => view.fs.readdir(path))).sort();
  return { path, type: 'directory', entries: await Promise.all(names.map((name) => describe(view.fs, join(path, name), name))) };
}

/** Depth-first, names in order; yields [path, lstat] of everything under `dir` (not `dir` itself). */
async function* walk(fs: IFileSystem, dir: string, maxDepth = Number.POSITIVE_INFINITY): AsyncGenerator<[string, FsStat]> {
  if (maxDepth <= 0) return;
  let names: string[];
  try {
    names = (await fs.readdir(dir)).sort();
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(dir, name);
    let stat: FsStat;
    try {
      stat = await fs.lstat(path);
    } catch {
      continue;
    }
    yield [path, stat];
    if (stat.isDirectory && !stat.isSymbolicLink) yield* walk(fs, path, maxDepth - 1);
  }
}

// ---- glob ------------------------------------------------------------------------------------

const MAGIC = /[*?[{]/;

/** One path segment of a glob as a regex source, with `{a,b}`; `*` does not match a leading dot. */
function segmentSource(segment: string): string {
  const source = globSegmentSource(segment, true);
  return segment.startsWith('.') ? source : `(?!\\.)${source}`;
}

/** A glob over `/`-separated relative paths as one anchored regex; `**` spans any number of segments. */
export function globRegex(pattern: string): RegExp {
  const segments = pattern.split('/').filter((segment) => segment !== '');
  let source = '';
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === '**') source += last ? '(?:(?!\\.)[^/]+(?:/(?!\\.)[^/]+)*)?' : '(?:(?!\\.)[^/]+/)*';
    else source += `${segmentSource(segment)}${last ? '' : '/'}`;
  });
  return new RegExp(`^${source}$`);
}

/** Paths under `path` (default: the session cwd) whose path relative to it matches `pattern`. */
export async function globFiles(view: FileView, request: GlobRequest): Promise<GlobResult> {
  if (typeof request.pattern !== 'string' || request.pattern === '') throw new WorkspaceError('invalid', 'pattern is required');
  if (request.pattern.includes('\0')) throw new WorkspaceError('invalid', 'pattern must not contain NUL bytes');
  if (request.pattern.split('/').includes('..'))
    throw new WorkspaceError('invalid', `pattern must not contain '..' segments: ${request.pattern}`);
  const root = request.pattern.startsWith('/') ? '/' : resolveToolPath(view, request.path ?? '.');
  const rootStat = await onPath(root, () => view.fs.stat(root));
  if (!rootStat.isDirectory) throw new WorkspaceError('invalid', `not a directory: ${root}`);
  const segments = request.pattern.split('/').filter((segment) => segment !== '');
  // Leading literal segments narrow the walk: `src/**/*.ts` walks only `src`.
  let base = root;
  while (segments.length > 1 && !MAGIC.test(segments[0])) base = join(base, segments.shift() as string);
  const baseStat = base === root ? rootStat : await view.fs.stat(base).catch(() => undefined);
  if (baseStat === undefined || !baseStat.isDirectory) return { paths: [], truncated: false };
  const regex = globRegex(segments.join('/'));
  const depth = segments.includes('**') ? Number.POSITIVE_INFINITY : segments.length;
  const paths: string[] = [];
  const prefixLength = base === '/' ? 1 : base.length + 1;
  for await (const [path] of walk(view.fs, base, depth)) {
    if (!regex.test(path.slice(prefixLength))) continue;
    if (paths.length === MAX_GLOB_PATHS) return { paths, truncated: true };
    paths.push(path);
  }
  return { paths, truncated: false };
}

// ---- grep ------------------------------------------------------------------------------------

/** Tests one line. */
type LineTest = (line: string) => boolean;

const REGEX_META = /[\\^$.|?*+()[\]{}]/;

/**
 * The line test of a grep request. Literals (fixed_strings, or a pattern without metacharacters)
 * are a substring search; anything else compiles with re2js, the linear-time RE2 engine the
 * shell's own grep uses, so no pattern can backtrack for ever and stall the daemon.
 */
function grepTest(request: GrepRequest): LineTest {
  if (typeof request.pattern !== 'string' || request.pattern === '') throw new WorkspaceError('invalid', 'pattern is required');
  const ignoreCase = request.ignore_case === true;
  if (request.fixed_strings === true || !REGEX_META.test(request.pattern)) {
    const needle = ignoreCase ? request.pattern.toLowerCase() : request.pattern;
    return ignoreCase ? (line) => line.toLowerCase().includes(needle) : (line) => line.includes(needle);
  }
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(request.pattern, ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (error) {
    throw new WorkspaceError('invalid', `invalid regular expression: ${error instanceof Error ? error.message : String(error)}`);
  }
  return (line) => compiled.matcher(line).find();
}

/**
 * One file's matches, read as a stream of lines (a large disk file is never held whole); reading
 * stops once max_count matches and their trailing context are in, or at the first match for
 * files_with_matches. `budget` is how many lines the answer may still list.
 */
async function grepStream(
  path: string,
  chunks: AsyncIterable<unknown>,
  test: LineTest,
  request: GrepRequest,
  maxCount: number | undefined,
  context: number,
  budget: number,
): Promise<GrepFile> {
  const listLines = request.files_with_matches !== true && request.count !== true;
  const out: GrepLine[] = [];
  const before: GrepLine[] = []; // unlisted lines just before the current one (context)
  let binary = false;
  let count = 0;
  let lineNumber = 0;
  let afterLeft = 0;
  const finished = (): boolean =>
    (request.files_with_matches === true && count > 0) || (maxCount !== undefined && count >= maxCount && afterLeft === 0);
  const onLine = (text: string): void => {
    lineNumber += 1;
    if ((maxCount === undefined || count < maxCount) && test(text)) {
      count += 1;
      if (listLines && !binary && out.length < budget) {
        out.push(...before, { line: lineNumber, text, match: true });
        before.length = 0;
        afterLeft = context;
      }
      return;
    }
    if (!listLines || binary) return;
    if (afterLeft > 0) {
      out.push({ line: lineNumber, text, match: false });
      afterLeft -= 1;
    } else if (context > 0) {
      before.push({ line: lineNumber, text, match: false });
      if (before.length > context) before.shift();
    }
  };
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  for await (const chunk of chunks) {
    const bytes = chunk as Buffer;
    if (!binary && bytes.includes(0)) {
      binary = true; // counted from here on, never listed
      out.length = 0;
      before.length = 0;
    }
    const lines = (rest + decoder.decode(bytes, { stream: true })).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      onLine(line);
      if (finished()) break;
    }
    if (finished()) break;
  }
  if (!finished()) {
    const tail = rest + decoder.decode();
    if (tail !== '') onLine(tail);
  }
  return { path, count, binary, lines: out };
}

/** Files to search: `path` itself when it is a file, else every file under it (recursive). */
async function* grepTargets(view: FileView, path: string, include: RegExp | undefined): AsyncGenerator<[string, number]> {
  const stat = await onPath(path, () => view.fs.stat(path));
  if (!stat.isDirectory) {
    yield [path, stat.size];
    return;
  }
  for await (const [file, fileStat] of walk(view.fs, path)) {
    if (!fileStat.isFile) continue;
    if (include !== undefined && !include.test(posix.basename(file))) continue;
    yield [file, fileStat.size];
  }
}

export async function grepFiles(view: FileView, request: GrepRequest): Promise<GrepResult> {
  const test = grepTest(request);
  const path = resolveToolPath(view, request.path ?? '.');
  const maxCount = parseCount(request.max_count, 'max_count');
  const context = parseCount(request.context, 'context') ?? 0;
  const include = request.include === undefined || request.include === '' ? undefined : globRegex(request.include);
  const files: GrepFile[] = [];
  let listed = 0;
  for await (const [file, size] of grepTargets(view, path, include)) {
    if (files.length === MAX_GREP_FILES || listed >= MAX_GREP_LINES) return { files, truncated: true };
    let found: GrepFile;
    try {
      const body = await openFileRange(view, file, 0, size);
      found = await grepStream(file, body, test, request, maxCount, context, MAX_GREP_LINES - listed);
      body.destroy(); // stopped early (max_count, files_with_matches): release the file
    } catch {
      continue; // vanished or unreadable mid-walk: skipped, as grep -s does
    }
    listed += found.lines.length;
    if (found.count > 0 || request.count === true) files.push(found);
  }
  return { files, truncated: false };
}
