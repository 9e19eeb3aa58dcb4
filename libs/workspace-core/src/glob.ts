// Pathname expansion for dry runs (provision): matches a glob against the workspace namespace
// without running any shell, so a pattern can never execute anything.
import type { IFileSystem } from './engine.js';
import { WorkspaceError } from './errors.js';

const MAGIC = /[*?[]/;
/** Most `*` wildcards in one path segment of a glob (see globSegmentSource). */
export const MAX_SEGMENT_STARS = 3;

/**
 * One path segment of a glob as a regex source (unanchored): `*`, `?`, `[...]`, and with `braces`
 * also `{a,b}` alternatives (the file tools' globs; the shell expands braces before pathnames, so
 * a dry run's pathname expansion takes `{` literally).
 */
export function globSegmentSource(segment: string, braces = false): string {
  // Each `*` is a `[^/]*` the regex engine backtracks over: k of them cost ~n^k steps on a name of n
  // characters (4 over 120 characters measured 1.3 s), so a segment may hold at most a few.
  if ((segment.replace(/\*+/g, '*').match(/\*/g)?.length ?? 0) > MAX_SEGMENT_STARS) {
    throw new WorkspaceError('invalid', `glob segment "${segment}" has more than ${MAX_SEGMENT_STARS} * wildcards`);
  }
  let source = '';
  for (let index = 0; index < segment.length; index += 1) {
    const char = segment[index];
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '[') {
      const close = segment.indexOf(']', index + 2);
      if (close === -1) source += '\\[';
      else {
        let body = segment.slice(index + 1, close);
        if (body.startsWith('!') || body.startsWith('^')) body = `^${body.slice(1)}`;
        source += `[${body.replace(/\\/g, '\\\\')}]`;
        index = close;
      }
    } else if (braces && char === '{') {
      const close = segment.indexOf('}', index + 1);
      if (close === -1) source += '\\{';
      else {
        const alternatives = segment.slice(index + 1, close).split(',');
        source += `(?:${alternatives.map((alternative) => globSegmentSource(alternative, true)).join('|')})`;
        index = close;
      }
    } else source += char.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return source;
}

function segmentRegex(segment: string): RegExp {
  return new RegExp(`^${globSegmentSource(segment)}$`);
}

/** Matches `pattern` (absolute, or relative to `cwd`); answers paths spelled like the pattern, sorted. */
export async function expandGlob(fs: IFileSystem, cwd: string, pattern: string): Promise<string[]> {
  if (!MAGIC.test(pattern)) return (await fs.exists(fs.resolvePath(cwd, pattern))) ? [pattern] : [];
  const absolute = pattern.startsWith('/');
  const segments = pattern.split('/').filter((segment) => segment !== '');
  // Each candidate: [path in the file system, path as the user spelled it].
  let candidates: [string, string][] = [[absolute ? '/' : cwd, absolute ? '/' : '']];
  for (const segment of segments) {
    const next: [string, string][] = [];
    for (const [real, shown] of candidates) {
      const join = (name: string): [string, string] => [
        real === '/' ? `/${name}` : `${real}/${name}`,
        shown === '' || shown === '/' ? `${shown}${name}` : `${shown}/${name}`,
      ];
      if (!MAGIC.test(segment)) {
        const [path, spelled] = join(segment);
        if (await fs.exists(path)) next.push([path, spelled]);
        continue;
      }
      let names: string[];
      try {
        names = await fs.readdir(real);
      } catch {
        continue;
      }
      const regex = segmentRegex(segment);
      for (const name of names.sort()) {
        if (name.startsWith('.') && !segment.startsWith('.')) continue;
        if (regex.test(name)) next.push(join(name));
      }
    }
    candidates = next;
  }
  return candidates.map(([, shown]) => shown);
}
