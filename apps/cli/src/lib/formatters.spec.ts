import {
  formatAge,
  formatBranch,
  formatCommit,
  formatDaemonStatus,
  formatDiff,
  formatLog,
  formatSnapshot,
  formatStatus,
  formatTable,
  formatWorkspaceDetail,
  formatWorkspaceList,
} from './formatters.js';

const NOW = 1_700_000_000_000;

describe('formatAge', () => {
  it.each([
    [0, '0s'],
    [59, '59s'],
    [60, '1m'],
    [3599, '59m'],
    [3600, '1h'],
    [86_399, '23h'],
    [86_400, '1d'],
    [-50, '0s'],
  ])('%i seconds ago is %s', (ago, expected) => {
    expect(formatAge(NOW / 1000 - ago, NOW)).toBe(expected);
  });
});

describe('formatTable', () => {
  it('pads columns to the widest cell, joins with two spaces and trims line ends', () => {
    expect(
      formatTable(
        ['ID', 'MODE'],
        [
          ['a', 'write'],
          ['longer-id', ''],
        ],
      ),
    ).toBe('ID         MODE\na          write\nlonger-id');
  });
  it('prints only the headers without rows', () => {
    expect(formatTable(['A', 'B'], [])).toBe('A  B');
  });
});

describe('workspace formatters', () => {
  const detail = {
    id: 'demo',
    mode: 'write',
    created_at: NOW / 1000 - 120,
    mounts: [{ prefix: '/', resource: 'ram', mode: 'write' }],
    sessions: [{ session_id: 'default', cwd: '/' }],
    internals: { cache_bytes: null, cache_entries: null, history_length: 3, in_flight_jobs: 0 },
  };

  it('renders the detail with mounts, sessions and internals', () => {
    expect(formatWorkspaceDetail(detail, NOW)).toBe(
      [
        'ID:        demo',
        'Mode:      write',
        'Created:   2m ago',
        '',
        'Mounts:',
        '  PREFIX  RESOURCE  MODE',
        '  /       ram       write',
        '',
        'Sessions:',
        '  SESSION  CWD',
        '  default  /',
        '',
        'Internals:',
        '  cacheBytes       n/a (not tracked)',
        '  cacheEntries     n/a (not tracked)',
        '  historyLength    3',
        '  inFlightJobs     0',
      ].join('\n'),
    );
  });

  it('reads the early camelCase spelling too', () => {
    expect(
      formatWorkspaceDetail(
        { id: 'x', mode: 'read', createdAt: NOW / 1000 - 5, mounts: [], sessions: [{ sessionId: 's', cwd: '/a' }] },
        NOW,
      ),
    ).toContain('  s        /a');
  });

  it('lists workspaces or says there are none', () => {
    expect(formatWorkspaceList([], NOW)).toBe('No active workspaces.');
    expect(formatWorkspaceList([{ id: 'demo', mode: 'write', mount_count: 2, session_count: 1, created_at: NOW / 1000 - 7200 }], NOW)).toBe(
      'ID    MODE   MOUNTS  SESSIONS  AGE\ndemo  write  2       1         2h',
    );
  });

  it('formats snapshot, commit, branch, log and diff lines', () => {
    expect(formatSnapshot({ id: 'demo', path: '/tmp/d.tar', size: 1234567 })).toBe('Snapshot demo -> /tmp/d.tar (1,234,567 bytes).');
    expect(formatCommit({ version: '0123456789abcdef', branch: 'main' })).toBe('Committed 0123456789ab on main.');
    expect(formatBranch({ version: 'fedcba9876543210', branch: 'exp' })).toBe('Created branch exp at fedcba987654.');
    expect(formatLog([])).toBe('No versions.');
    expect(formatLog([{ id: '0123456789abcdef', message: 'first' }])).toBe('VERSION       MESSAGE\n0123456789ab  first');
    expect(formatDiff({ added: [], modified: [], deleted: [] })).toBe('No changes.');
    expect(formatDiff({ added: ['/a'], modified: ['/m'], deleted: ['/d'] })).toBe('    added /a\n modified /m\n  deleted /d');
  });
});

describe('formatDaemonStatus', () => {
  it('says when the daemon is not running', () => {
    expect(formatDaemonStatus({ running: false, pid: null, url: 'http://127.0.0.1:1' })).toBe(
      'Daemon not running. URL: http://127.0.0.1:1',
    );
  });
  it('shows pid, uptime and workspace count, singular for one', () => {
    expect(formatDaemonStatus({ running: true, pid: 42, url: 'u', uptime_s: 90, workspaces: 1 }, NOW)).toBe(
      'Running. PID 42, uptime 1m, 1 workspace. URL: u',
    );
    expect(formatDaemonStatus({ running: true, pid: null, url: 'u', workspaces: 3 }, NOW)).toBe('Running. PID ?, 3 workspaces. URL: u');
  });
});

describe('formatStatus', () => {
  it('names the branch and its head, then the changes or that there are none', () => {
    const head = 'a'.repeat(40);
    expect(formatStatus({ branch: 'main', head, clean: true, added: [], modified: [], deleted: [] })).toBe(
      `On branch main at ${'a'.repeat(12)}.\nNothing changed since the head.`,
    );
    expect(formatStatus({ branch: 'exp', head: null, clean: false, added: ['a.txt'], modified: [], deleted: ['b'] })).toBe(
      'On branch exp (no commits yet).\n    added a.txt\n  deleted b',
    );
  });
});
