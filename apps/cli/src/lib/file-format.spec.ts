import { formatGlob, formatGrep, formatListing } from './file-format.js';

describe('file-tool formatters (terminal output)', () => {
  it('ls: names, or long lines with type, permissions, size, mtime and link targets', () => {
    const listing = {
      path: '/d',
      type: 'directory' as const,
      entries: [
        { name: 'a.txt', path: '/d/a.txt', type: 'file' as const, size: 5, mode: 0o644, mtime: 0 },
        { name: 'sub', path: '/d/sub', type: 'directory' as const, size: 4096, mode: 0o755, mtime: 0 },
        { name: 'l', path: '/d/l', type: 'symlink' as const, size: 5, mode: 0o777, mtime: 0, target: 'a.txt' },
      ],
    };
    expect(formatListing(listing, false)).toBe('a.txt\nsub\nl');
    expect(formatListing(listing, true).split('\n')).toEqual([
      '-rw-r--r--     5  1970-01-01 00:00  a.txt',
      'drwxr-xr-x  4096  1970-01-01 00:00  sub',
      'lrwxrwxrwx     5  1970-01-01 00:00  l -> a.txt',
    ]);
  });

  it('grep: path:line:text, context with dashes, -- between groups, -l, -c and binary files', () => {
    const result = {
      truncated: false,
      files: [
        {
          path: '/a',
          count: 2,
          binary: false,
          lines: [
            { line: 1, text: 'x', match: true },
            { line: 2, text: 'ctx', match: false },
            { line: 9, text: 'y', match: true },
          ],
        },
        { path: '/b', count: 1, binary: true, lines: [] },
      ],
    };
    expect(formatGrep(result, {})).toBe('/a:1:x\n/a-2-ctx\n--\n/a:9:y\nBinary file /b matches');
    expect(formatGrep(result, { filesWithMatches: true })).toBe('/a\n/b');
    expect(formatGrep(result, { count: true })).toBe('/a:2\n/b:1');
    expect(formatGrep({ ...result, truncated: true }, { count: true })).toMatch(/truncated/);
  });

  it('glob: one path a line', () => {
    expect(formatGlob({ paths: ['/a', '/b'], truncated: false })).toBe('/a\n/b');
  });
});
