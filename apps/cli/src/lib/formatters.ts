// Human (TTY) renderings of daemon answers. Piped output is always JSON; these run only
// on a terminal. They read both spellings of keys (`created_at` / `createdAt`) since older daemons
// answered camelCase.
import { isRecord } from '@mirage-ts/protocol/client';

type Row = Record<string, unknown>;

/** First defined value among the spellings of a key. */
function pick(row: Row, ...keys: string[]): unknown {
  for (const key of keys) if (row[key] !== undefined) return row[key];
  return undefined;
}

const text = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

/** `Ns`, `Nm`, `Nh` or `Nd` since `epochSeconds`, floored; the future counts as 0s. */
export function formatAge(epochSeconds: number, nowMs: number = Date.now()): string {
  const seconds = Math.max(0, Math.floor(nowMs / 1000 - epochSeconds));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

/** Left-aligned columns joined by two spaces, each line right-trimmed. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

const indent = (block: string): string =>
  block
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');

export function formatWorkspaceDetail(detail: unknown, nowMs: number = Date.now()): string {
  const ws: Row = isRecord(detail) ? detail : {};
  const created = Number(pick(ws, 'created_at', 'createdAt') ?? 0);
  const lines = [`ID:        ${text(ws.id)}`, `Mode:      ${text(ws.mode)}`, `Created:   ${formatAge(created, nowMs)} ago`];
  const mounts = Array.isArray(ws.mounts) ? ws.mounts.filter(isRecord) : [];
  if (mounts.length > 0) {
    const rows = mounts.map((m) => [text(m.prefix), text(pick(m, 'resource', 'vfs')), text(m.mode)]);
    lines.push('', 'Mounts:', indent(formatTable(['PREFIX', 'RESOURCE', 'MODE'], rows)));
  }
  const sessions = Array.isArray(ws.sessions) ? ws.sessions.filter(isRecord) : [];
  if (sessions.length > 0) {
    const rows = sessions.map((s) => [text(pick(s, 'session_id', 'sessionId')), text(s.cwd)]);
    lines.push('', 'Sessions:', indent(formatTable(['SESSION', 'CWD'], rows)));
  }
  if (isRecord(ws.internals)) {
    const internals = ws.internals;
    lines.push('', 'Internals:');
    for (const [snake, camel] of [
      ['cache_bytes', 'cacheBytes'],
      ['cache_entries', 'cacheEntries'],
      ['history_length', 'historyLength'],
      ['in_flight_jobs', 'inFlightJobs'],
    ]) {
      const value = pick(internals, snake, camel);
      lines.push(`  ${camel.padEnd(16)} ${value === null || value === undefined ? 'n/a (not tracked)' : String(value)}`);
    }
  }
  return lines.join('\n');
}

export function formatWorkspaceList(list: unknown, nowMs: number = Date.now()): string {
  const rows = Array.isArray(list) ? list.filter(isRecord) : [];
  if (rows.length === 0) return 'No active workspaces.';
  return formatTable(
    ['ID', 'MODE', 'MOUNTS', 'SESSIONS', 'AGE'],
    rows.map((ws) => [
      text(ws.id),
      text(ws.mode),
      text(pick(ws, 'mount_count', 'mountCount')),
      text(pick(ws, 'session_count', 'sessionCount')),
      formatAge(Number(pick(ws, 'created_at', 'createdAt') ?? 0), nowMs),
    ]),
  );
}

export const formatClosed = (answer: unknown): string => `Closed workspace ${text(isRecord(answer) ? answer.id : '')}.`;

/** `workspace status`: the branch and its head, then the diff lines (or that nothing changed). */
export function formatStatus(status: unknown): string {
  const row: Row = isRecord(status) ? status : {};
  const head = typeof row.head === 'string' ? `at ${row.head.slice(0, 12)}` : '(no commits yet)';
  const changes = row.clean === true ? 'Nothing changed since the head.' : formatDiff(row);
  return `On branch ${text(row.branch)} ${head}.\n${changes}`;
}

export const formatDeleted = (answer: unknown): string => `Deleted workspace ${text(isRecord(answer) ? answer.id : '')}.`;

export function formatSnapshot(answer: unknown): string {
  const row: Row = isRecord(answer) ? answer : {};
  return `Snapshot ${text(row.id)} -> ${text(row.path)} (${Number(row.size ?? 0).toLocaleString('en-US')} bytes).`;
}

export function formatCommit(answer: unknown): string {
  const row: Row = isRecord(answer) ? answer : {};
  return `Committed ${text(row.version).slice(0, 12)} on ${text(row.branch)}.`;
}

export function formatBranch(answer: unknown): string {
  const row: Row = isRecord(answer) ? answer : {};
  return `Created branch ${text(row.branch)} at ${text(row.version).slice(0, 12)}.`;
}

export function formatLog(versions: unknown): string {
  const rows = Array.isArray(versions) ? versions.filter(isRecord) : [];
  if (rows.length === 0) return 'No versions.';
  return formatTable(
    ['VERSION', 'MESSAGE'],
    rows.map((v) => [text(pick(v, 'id', 'version')).slice(0, 12), text(v.message)]),
  );
}

export function formatDiff(diff: unknown): string {
  const row: Row = isRecord(diff) ? diff : {};
  const lines: string[] = [];
  for (const kind of ['added', 'modified', 'deleted']) {
    const paths = Array.isArray(row[kind]) ? (row[kind] as unknown[]) : [];
    for (const path of paths) lines.push(`${kind.padStart(9)} ${text(path)}`);
  }
  return lines.length === 0 ? 'No changes.' : lines.join('\n');
}

export function formatDaemonStatus(status: unknown, nowMs: number = Date.now()): string {
  const row: Row = isRecord(status) ? status : {};
  if (row.running !== true) return `Daemon not running. URL: ${text(row.url)}`;
  let line = `Running. PID ${row.pid === null || row.pid === undefined ? '?' : text(row.pid)}`;
  const uptime = pick(row, 'uptime_s', 'uptimeS');
  if (typeof uptime === 'number') line += `, uptime ${formatAge(nowMs / 1000 - uptime, nowMs)}`;
  const count = row.workspaces;
  if (typeof count === 'number') line += `, ${count} workspace${count === 1 ? '' : 's'}`;
  return `${line}. URL: ${text(row.url)}`;
}
