// The state store (atomic files, modes, corrupt input) and restoring a saved workspace into a
// fresh registry (files from the newer of snapshot and version, sessions with their ceilings).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkspaceRegistry } from '../registry.js';
import type { TreeFile } from '../tree.js';
import { isNoSpaceError, writeFileAtomic } from './atomic.js';
import { restoreStoredWorkspace } from './restore.js';
import { STATE_FORMAT, WorkspaceStateStore, type WorkspaceStateRecord } from './state-store.js';

const RAM = { mounts: { '/': { resource: 'ram', mode: 'write' } } };
const text = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));

function record(
  id: string,
  lastCommit: WorkspaceStateRecord['last_commit'] = null,
  config: WorkspaceStateRecord['config'] = RAM,
): WorkspaceStateRecord {
  return { format: STATE_FORMAT, version: 1, id, created_at: 1, config, last_commit: lastCommit };
}

describe('workspace state', () => {
  let root: string;
  let store: WorkspaceStateStore;

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'mirage-state-spec-'));
    store = new WorkspaceStateStore(join(root, 'state'));
    await store.prepare();
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes files atomically with mode 0600 and leaves no temporary file', async () => {
    const file = join(root, 'f.json');
    await Promise.all(Array.from({ length: 20 }, (_, i) => writeFileAtomic(file, `{"n":${i}}`)));
    expect(JSON.parse(readFileSync(file, 'utf8')).n).toEqual(expect.any(Number));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(root).sort()).toEqual(['f.json', 'state']);
    expect(statSync(join(root, 'state')).mode & 0o777).toBe(0o700);
  });

  it('recognises a full disk by code or by message (libgit2 gives only a message)', () => {
    expect(isNoSpaceError(Object.assign(new Error('x'), { code: 'ENOSPC' }))).toBe(true);
    expect(isNoSpaceError(new Error('failed to write object: No space left on device'))).toBe(true);
    expect(isNoSpaceError(new Error('EACCES'))).toBe(false);
    expect(isNoSpaceError('ENOSPC')).toBe(false);
  });

  it('saves and loads a workspace, dropping temporary files a crash left behind', async () => {
    await store.saveRecord(record('w'));
    await store.saveSessions('w', [{ session_id: 'default', cwd: '/x', env: { A: '1' }, mounts: null }]);
    writeFileSync(join(store.dirOf('w'), '.workspace.json.tmp-1-1'), '{"half');
    const loaded = await store.load('w');
    expect(loaded.record).toMatchObject({ id: 'w', config: RAM });
    expect(loaded.sessions).toEqual([{ session_id: 'default', cwd: '/x', env: { A: '1' }, mounts: null }]);
    expect(loaded.snapshot).toBeNull();
    expect(readdirSync(store.dirOf('w')).sort()).toEqual(['sessions.json', 'workspace.json']);
    expect(statSync(store.dirOf('w')).mode & 0o777).toBe(0o700);
  });

  it('refuses corrupt, foreign and future state files with a clear message', async () => {
    mkdirSync(store.dirOf('bad'), { recursive: true });
    writeFileSync(join(store.dirOf('bad'), 'workspace.json'), '{"format":');
    await expect(store.load('bad')).rejects.toThrow(/workspace\.json is unusable: not JSON/);
    writeFileSync(join(store.dirOf('bad'), 'workspace.json'), JSON.stringify(record('other')));
    await expect(store.load('bad')).rejects.toThrow(/names workspace "other"/);
    writeFileSync(join(store.dirOf('bad'), 'workspace.json'), JSON.stringify({ ...record('bad'), version: 99 }));
    await expect(store.load('bad')).rejects.toThrow(/format version 99 is not supported/);
    rmSync(join(store.dirOf('bad'), 'workspace.json'));
    await expect(store.load('bad')).rejects.toThrow(/missing/);
    expect(() => store.dirOf('../x')).toThrow(/invalid workspace id/);
    mkdirSync(join(store.workspacesDir, '-odd'));
    expect((await store.ids()).sort()).toEqual(['bad']);
  });

  it('a fresh record of a reused id wipes what the earlier workspace left', async () => {
    await store.saveRecord(record('w'));
    writeFileSync(join(store.dirOf('w'), 'snapshot.tar'), 'old');
    await store.saveRecord(record('w'), { fresh: true });
    expect(existsSync(join(store.dirOf('w'), 'snapshot.tar'))).toBe(false);
  });

  describe('restore into a registry', () => {
    const version: TreeFile[] = [{ path: 'v.txt', kind: 'file', mode: 0o644, data: text('from version') }];

    async function saved(id: string, lastCommitAt: number | null): Promise<void> {
      const source = new WorkspaceRegistry();
      const workspace = await source.create({ config: RAM, id });
      await workspace.replaceTree([{ path: 's.txt', kind: 'file', mode: 0o640, data: text('from snapshot') }]);
      workspace.createSession({ session_id: 'reader', mounts: { '/': 'read' } });
      await workspace.execute({ command: 'cd /; export K=v', session_id: 'reader' });
      await store.saveRecord(record(id, lastCommitAt === null ? null : { branch: 'dev', at: lastCommitAt }));
      await store.saveSessions(id, [
        ...workspace.sessionStates().map((state) => ({ ...state, mounts: state.session_id === 'reader' ? { '/': 'read' } : null })),
      ]);
      await store.saveSnapshot(id, { id, config: RAM, sessions: [], entries: await workspace.listTree() });
      await source.closeAll();
    }

    it('takes the snapshot when it is newer than the last commit, with sessions and their ceilings', async () => {
      await saved('w', Date.now() - 60_000);
      const registry = new WorkspaceRegistry();
      const branches: string[] = [];
      const { workspace, from } = await restoreStoredWorkspace(registry, await store.load('w'), {
        readVersion: async (_id, branch) => (branches.push(branch), version),
      });
      expect(from).toBe('snapshot');
      expect(branches).toEqual([]);
      expect((await workspace.execute({ command: 'cat /s.txt; echo; echo $K', session_id: 'reader' })).stdout).toBe('from snapshot\nv\n');
      expect((await workspace.execute({ command: 'echo x > /y.txt', session_id: 'reader' })).exit_code).not.toBe(0);
      await registry.closeAll();
    });

    it('takes the head of the last committed branch when the commit is newer (daemon crashed later)', async () => {
      await saved('w', Date.now() + 60_000);
      const registry = new WorkspaceRegistry();
      const branches: string[] = [];
      const { workspace, from } = await restoreStoredWorkspace(registry, await store.load('w'), {
        readVersion: async (_id, branch) => (branches.push(branch), branch === 'dev' ? version : null),
      });
      expect(from).toBe('version');
      expect(branches).toEqual(['dev']);
      expect((await workspace.execute({ command: 'cat /v.txt; test -e /s.txt || echo no-s' })).stdout).toBe('from versionno-s\n');
      await registry.closeAll();
    });

    it('removes a half-built workspace when a step fails, so it is not live', async () => {
      await store.saveRecord(record('w'));
      await store.saveSessions('w', [{ session_id: 'bad', cwd: '/', env: {}, mounts: { '/nowhere': 'read' } }]);
      const registry = new WorkspaceRegistry();
      await expect(restoreStoredWorkspace(registry, await store.load('w'))).rejects.toThrow(/unknown mount/);
      expect(registry.has('w')).toBe(false);
    });
  });
});
