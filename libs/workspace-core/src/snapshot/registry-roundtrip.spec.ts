// Snapshot → file → a new registry (a restarted daemon): ram and disk come back byte for byte,
// with modes, mtimes, symlinks, empty directories and sessions.
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkspaceRegistry } from '../registry.js';
import type { LiveTreeEntry, TreeFile } from '../tree.js';
import type { Workspace } from '../workspace.js';
import { applyOverride, readSnapshotFile, writeSnapshotFile } from './index.js';

const binary = new Uint8Array(70_000).map((_, i) => (i * 131 + 17) % 256);
const lines = `${Array.from({ length: 5000 }, (_, i) => `${i}: ${'é'.repeat(i % 5)}`).join('\n')}\n`;
const MTIME = 1_650_000_000_250;

function fixture(prefix: string): TreeFile[] {
  const at = (p: string) => (prefix === '' ? p : `${prefix}/${p}`);
  const text = (s: string) => new Uint8Array(Buffer.from(s));
  return [
    { path: at('bin.dat'), kind: 'file', mode: 0o644, data: binary, mtimeMs: MTIME },
    { path: at('empty.txt'), kind: 'file', mode: 0o644, data: new Uint8Array(), mtimeMs: MTIME },
    { path: at('naïve – 文字 ✓.txt'), kind: 'file', mode: 0o644, data: text('unicode\n'), mtimeMs: MTIME },
    { path: at('a'), kind: 'directory', mode: 0o755, mtimeMs: MTIME },
    { path: at('a/b'), kind: 'directory', mode: 0o750, mtimeMs: MTIME },
    { path: at('a/b/lines.txt'), kind: 'file', mode: 0o600, data: text(lines), mtimeMs: MTIME },
    { path: at('a/empty-dir'), kind: 'directory', mode: 0o700, mtimeMs: MTIME },
    { path: at('run.sh'), kind: 'file', mode: 0o755, data: text('#!/bin/sh\necho hi\n'), mtimeMs: MTIME },
    { path: at('link'), kind: 'symlink', mode: 0o777, target: 'a/b/lines.txt' },
  ];
}

async function describeTree(workspace: Workspace): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of (await workspace.listTree()) as LiveTreeEntry[]) {
    if (entry.kind === 'file') {
      out[entry.path] = `file ${entry.mode.toString(8)} ${entry.mtimeMs} ${Buffer.from(await entry.read()).toString('base64')}`;
    } else if (entry.kind === 'symlink') {
      out[entry.path] = `link ${entry.target}`;
    } else {
      out[entry.path] = `dir ${entry.mode.toString(8)}`;
    }
  }
  return out;
}

describe('snapshot round trip through a restarted registry', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mirage-roundtrip-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('restores ram and disk mounts byte for byte with modes, mtimes, links and sessions', async () => {
    const diskA = mkdtempSync(join(dir, 'disk-a-'));
    const diskB = mkdtempSync(join(dir, 'disk-b-'));
    const config = {
      mounts: { '/': { resource: 'ram', mode: 'write' }, '/disk': { resource: 'disk', mode: 'write', config: { root: diskA } } },
    };
    const first = new WorkspaceRegistry({ env: {} });
    const source = await first.create({ config, id: 'src', files: [...fixture(''), ...fixture('disk')] });
    source.restoreSessions([{ session_id: 'agent', cwd: '/a/b', env: { TOKEN_NAME: 'x', UNICODE: 'ü' } }]);
    const before = await describeTree(source);
    expect(Object.keys(before)).toContain('disk/a/empty-dir');

    const file = join(dir, 'snapshots', 'src.tar');
    await writeSnapshotFile(
      { id: source.id, config: source.redactedConfig(), sessions: source.sessionStates(), entries: await source.listTree() },
      file,
    );
    await first.closeAll();

    const restarted = new WorkspaceRegistry({ env: {} });
    const loaded = await readSnapshotFile(file);
    const restored = await restarted.create({
      config: applyOverride(loaded.manifest.config, { mounts: { '/disk': { config: { root: diskB } } } }),
      id: 'copy',
      sessions: loaded.manifest.sessions,
      files: loaded.files,
    });
    expect(await describeTree(restored)).toEqual(before);
    expect(restored.sessionStates().find((s) => s.session_id === 'agent')).toMatchObject({
      cwd: '/a/b',
      env: expect.objectContaining({ UNICODE: 'ü' }),
    });

    // The disk mount holds real host files.
    expect(Buffer.from(readFileSync(join(diskB, 'bin.dat')))).toEqual(Buffer.from(binary));
    expect(readFileSync(join(diskB, 'a/b/lines.txt'), 'utf8')).toBe(lines);
    expect(lstatSync(join(diskB, 'run.sh')).mode & 0o777).toBe(0o755);
    expect(lstatSync(join(diskB, 'a/b/lines.txt')).mode & 0o777).toBe(0o600);
    expect(readlinkSync(join(diskB, 'link'))).toBe('a/b/lines.txt');
    expect(lstatSync(join(diskB, 'a/empty-dir')).isDirectory()).toBe(true);
    await restarted.closeAll();
  });
});
