// Human (TTY) renderings of the file tools' answers: ls, grep and glob as their shell namesakes
// print them. Piped output stays JSON (the daemon's answer), as for every other command.
import type { FileListing, GlobResult, GrepResult } from '@mirage-ts/protocol/client';

function permissions(type: string, mode: number): string {
  const bits = ['r', 'w', 'x'];
  let text = type === 'directory' ? 'd' : type === 'symlink' ? 'l' : '-';
  for (let shift = 8; shift >= 0; shift -= 1) text += (mode >> shift) & 1 ? bits[(8 - shift) % 3] : '-';
  return text;
}

export function formatListing(listing: FileListing, long: boolean): string {
  if (!long) return listing.entries.map((entry) => entry.name).join('\n');
  const width = Math.max(0, ...listing.entries.map((entry) => String(entry.size).length));
  return listing.entries
    .map((entry) => {
      const when = new Date(entry.mtime * 1000).toISOString().slice(0, 16).replace('T', ' ');
      const link = entry.target !== undefined ? ` -> ${entry.target}` : '';
      return `${permissions(entry.type, entry.mode)}  ${String(entry.size).padStart(width)}  ${when}  ${entry.name}${link}`;
    })
    .join('\n');
}

export function formatGrep(result: GrepResult, options: { filesWithMatches?: boolean; count?: boolean }): string {
  const lines: string[] = [];
  for (const file of result.files) {
    if (options.filesWithMatches) lines.push(file.path);
    else if (options.count) lines.push(`${file.path}:${file.count}`);
    else if (file.binary) lines.push(`Binary file ${file.path} matches`);
    else {
      let previous: number | undefined;
      for (const line of file.lines) {
        if (previous !== undefined && line.line > previous + 1) lines.push('--');
        lines.push(`${file.path}${line.match ? ':' : '-'}${line.line}${line.match ? ':' : '-'}${line.text}`);
        previous = line.line;
      }
    }
  }
  if (result.truncated) lines.push('mirage: result truncated (the daemon lists at most 10000 lines or files)');
  return lines.join('\n');
}

export function formatGlob(result: GlobResult): string {
  const lines = [...result.paths];
  if (result.truncated) lines.push('mirage: result truncated (the daemon lists at most 10000 paths)');
  return lines.join('\n');
}
