// The home layout (docs/protocol.md §12.2, §15): MIRAGE_HOME is the one location setting. The old
// MIRAGE_VERSION_ROOT / MIRAGE_SNAPSHOT_ROOT still work with a warning on stderr; a daemon whose
// $HOME is unusable starts when MIRAGE_HOME is set and fails with one line when neither is usable.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, launchDaemon, spawnDaemon } from './support/daemon-process.js';

describe('the mirage home', () => {
  let root: string;
  /** A $HOME nobody can use: a path below a regular file. */
  let brokenHome: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'mirage-home-layout-'));
    writeFileSync(join(root, 'a-file'), '');
    brokenHome = join(root, 'a-file', 'home');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('lays out repos/, snapshots/, state/, daemon.pid under MIRAGE_HOME, with $HOME unusable', async () => {
    const home = join(root, 'home-1');
    const daemon = await spawnDaemon({ home, port: await freePort(), env: { HOME: brokenHome } });
    try {
      const created = await daemon.call('POST', '/v1/workspaces', {
        config: { mounts: { '/': { resource: 'ram', mode: 'write' } } },
        id: 'w',
      });
      expect(created.status).toBe(201);
      expect((await daemon.call('POST', '/v1/workspaces/w/execute', { command: 'echo x > /f' })).status).toBe(200);
      expect((await daemon.call('POST', '/v1/workspaces/w/commit', { message: 'm' })).status).toBe(200);
      for (const entry of ['repos/w', 'state', 'daemon.pid']) expect(existsSync(join(home, entry))).toBe(true);
      expect(daemon.output().stderr).toBe('');
    } finally {
      await daemon.stop();
    }
  });

  it('with neither MIRAGE_HOME nor $HOME usable: exit 1 and one line, no stack trace', async () => {
    const { daemon, listening } = launchDaemon({ home: '', port: await freePort(), env: { HOME: brokenHome } });
    await expect(listening).rejects.toThrow(/exited/);
    const { code } = await daemon.exited;
    expect(code).toBe(1);
    const { stderr } = daemon.output();
    expect(stderr).toBe(
      `mirage daemon failed to start: cannot use ${join(brokenHome, '.mirage')} (the default, ~/.mirage) as the mirage home: ENOTDIR; set MIRAGE_HOME to a writable directory\n`,
    );
  });

  it('an unusable MIRAGE_HOME is named as such', async () => {
    const { daemon, listening } = launchDaemon({ home: join(root, 'a-file', 'mh'), port: await freePort() });
    await expect(listening).rejects.toThrow(/exited/);
    expect((await daemon.exited).code).toBe(1);
    expect(daemon.output().stderr).toMatch(
      /^mirage daemon failed to start: cannot use .*a-file\/mh \(MIRAGE_HOME\) as the mirage home: ENOTDIR; set MIRAGE_HOME to a writable directory\n$/,
    );
  });

  it('MIRAGE_VERSION_ROOT and MIRAGE_SNAPSHOT_ROOT still work, each with a deprecation warning', async () => {
    const home = join(root, 'home-2');
    const versions = join(root, 'old-repos');
    const snapshots = join(root, 'old-snapshots');
    mkdirSync(snapshots);
    const daemon = await spawnDaemon({
      home,
      port: await freePort(),
      env: { MIRAGE_VERSION_ROOT: versions, MIRAGE_SNAPSHOT_ROOT: snapshots },
    });
    try {
      await daemon.call('POST', '/v1/workspaces', { config: { mounts: { '/': { resource: 'ram', mode: 'write' } } }, id: 'w' });
      expect((await daemon.call('POST', '/v1/workspaces/w/commit', { message: 'm' })).status).toBe(200);
      expect(existsSync(join(versions, 'w'))).toBe(true);
      expect(existsSync(join(home, 'repos', 'w'))).toBe(false);
      const snapshot = await daemon.call('POST', '/v1/workspaces/w/snapshot', { path: join(snapshots, 'w.tar') });
      expect(snapshot.status).toBe(200);
      expect(existsSync(join(snapshots, 'w.tar'))).toBe(true);
      const lines = daemon.output().stderr.trim().split('\n');
      expect(lines).toEqual([
        'mirage daemon: warning: MIRAGE_SNAPSHOT_ROOT is deprecated and will be removed in the next release; set MIRAGE_HOME instead (this directory is $MIRAGE_HOME/snapshots)',
        'mirage daemon: warning: MIRAGE_VERSION_ROOT is deprecated and will be removed in the next release; set MIRAGE_HOME instead (this directory is $MIRAGE_HOME/repos)',
      ]);
    } finally {
      await daemon.stop();
    }
  });
});
