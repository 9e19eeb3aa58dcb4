import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkspaceError, WorkspaceRegistry } from './index.js';

const RAM = { mounts: { '/': { resource: 'ram' } } };
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function refusal(promise: Promise<unknown>): Promise<WorkspaceError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WorkspaceError) return error;
    throw error;
  }
  throw new Error('expected a WorkspaceError');
}

describe('WorkspaceRegistry ids', () => {
  const registry = new WorkspaceRegistry({ env: {} });
  afterAll(() => registry.closeAll());

  it('takes the body id, then config workspace_id, then mints a UUIDv7', async () => {
    expect((await registry.create({ config: RAM, id: 'given' })).id).toBe('given');
    expect((await registry.create({ config: { ...RAM, workspace_id: 'from-config' } })).id).toBe('from-config');
    expect((await registry.create({ config: { ...RAM, workspace_id: 'ignored' }, id: 'body-wins' })).id).toBe('body-wins');
    const minted = await registry.create({ config: RAM });
    expect(minted.id).toMatch(UUID_V7);
    expect(registry.list().map((workspace) => workspace.id)).toEqual(['given', 'from-config', 'body-wins', minted.id]);
    expect(registry.size).toBe(4);
  });

  it('refuses a taken id with already_exists, also for a concurrent create', async () => {
    await registry.create({ config: RAM, id: 'dup' });
    const error = await refusal(registry.create({ config: RAM, id: 'dup' }));
    expect(error.code).toBe('already_exists');
    expect(error.message).toBe('workspace id already exists: dup');
    const results = await Promise.allSettled([registry.create({ config: RAM, id: 'race' }), registry.create({ config: RAM, id: 'race' })]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
  });

  it.each(['.', '..', 'a/b', '', 'x'.repeat(129), 'sp ace'])('refuses the id %j', async (id) => {
    const error = await refusal(registry.create({ config: RAM, id }));
    expect(error.code).toBe('invalid');
    expect(error.message).toBe(`invalid workspace id: ${id}`);
  });

  it('get/has/delete answer not_found for unknown ids', async () => {
    expect(registry.has('nope')).toBe(false);
    expect(() => registry.get('nope')).toThrow(new WorkspaceError('not_found', 'workspace not found'));
    await expect(registry.delete('nope')).rejects.toThrow('workspace not found');
  });
});

describe('WorkspaceRegistry onEmpty', () => {
  it('fires only when a delete empties the registry, never at start or on closeAll', async () => {
    const registry = new WorkspaceRegistry({ env: {} });
    let fired = 0;
    registry.onEmpty(() => (fired += 1));
    expect(fired).toBe(0);
    const a = await registry.create({ config: RAM });
    const b = await registry.create({ config: RAM });
    await registry.delete(a.id);
    expect(fired).toBe(0);
    const closed = await registry.delete(b.id);
    expect(closed.id).toBe(b.id);
    expect(typeof closed.closed_at).toBe('number');
    expect(fired).toBe(1);
    expect(registry.has(b.id)).toBe(false);
    await registry.create({ config: RAM, id: b.id });
    await registry.closeAll();
    expect(fired).toBe(1);
    expect(registry.size).toBe(0);
  });
});

describe('config validation', () => {
  const root = mkdtempSync(join(tmpdir(), 'mirage-config-'));
  const registry = new WorkspaceRegistry({ env: { PROJECT_DIR: root, BUCKET: 'my-bucket' } });
  afterAll(async () => {
    await registry.closeAll();
    rmSync(root, { recursive: true, force: true });
  });

  it('refuses a non-mapping config', async () => {
    for (const config of ['/etc/passwd', [], null, 3]) {
      const error = await refusal(registry.create({ config }));
      expect(error.message).toBe('config must be a mapping');
    }
  });

  it('requires a mounts mapping', async () => {
    const error = await refusal(registry.create({ config: {} }));
    expect(error).toMatchObject({ code: 'invalid', message: 'config requires a `mounts` mapping' });
  });

  it('lists every problem at once', async () => {
    const error = await refusal(
      registry.create({
        config: {
          bogus: 1,
          mounts: {
            '/': { resource: 'ram', mode: 'admin' },
            '/d': { resource: 'disk', config: { root: '${MISSING_B}' } },
            '/e': { vfs: 'ram', extra: true },
            rel: { resource: 'ram' },
            '/x': { resource: 'disk', config: { root: '${MISSING_A}' } },
            '/y': { resource: 'disk', config: { root: '/nonexistent/mirage/dir' } },
          },
        },
      }),
    );
    expect(error.code).toBe('invalid');
    for (const part of [
      'missing environment variables: MISSING_A, MISSING_B',
      'unknown config keys: bogus',
      'mount /: invalid mode: admin',
      'mount /e: unknown keys: extra',
      'mount rel: prefix must be an absolute path',
      'mount /y: disk: root is not an existing directory: /nonexistent/mirage/dir',
    ]) {
      expect(error.message).toContain(part);
    }
  });

  it('an unknown resource is a build failure', async () => {
    const error = await refusal(registry.create({ config: { mounts: { '/': { resource: 'ftp' } } } }));
    expect(error).toMatchObject({ code: 'build_failed', message: 'resource build failed: unknown resource: ftp' });
  });

  it('interpolates ${VAR}, normalises prefixes and modes (case-insensitive, top-level default)', async () => {
    const workspace = await registry.create({
      config: {
        mode: 'READ',
        mounts: { '/': { resource: 'ram', mode: 'Write' }, '/project/': { vfs: 'disk', config: { root: '${PROJECT_DIR}' } } },
      },
    });
    expect(workspace.config.mounts['/project']).toEqual({ resource: 'disk', mode: 'read', config: { root: root } });
    expect(workspace.detail().mounts.map((mount) => [mount.prefix, mount.mode])).toEqual([
      ['/', 'write'],
      ['/project/', 'read'],
    ]);
    expect(workspace.brief()).toMatchObject({ mode: 'write', mount_count: 2, session_count: 1 });
  });

  it('disk needs config.root, nested mounts are refused', async () => {
    const error = await refusal(
      registry.create({ config: { mounts: { '/d': { resource: 'disk' }, '/a': { resource: 'ram' }, '/a/b': { resource: 'ram' } } } }),
    );
    expect(error.message).toContain('mount /d: disk: config.root is required');
    expect(error.message).toContain('mount /a/b: nested inside mount /a');
  });

  it('s3 configs are checked by the s3 module and credentials are redacted', async () => {
    const bad = await refusal(registry.create({ config: { mounts: { '/s3': { resource: 's3', config: {} } } } }));
    expect(bad.message).toContain('bucket is required');
    const workspace = await registry.create({
      config: {
        mounts: {
          '/s3': {
            resource: 's3',
            mode: 'read',
            config: { bucket: '${BUCKET}', endpoint_url: 'http://127.0.0.1:1', aws_access_key_id: 'AK', aws_secret_access_key: 'SECRET' },
          },
        },
      },
    });
    expect(workspace.config.mounts['/s3'].config).toMatchObject({ bucket: 'my-bucket', aws_secret_access_key: 'SECRET' });
    expect(JSON.stringify(workspace.redactedConfig())).not.toContain('SECRET');
    expect(JSON.stringify(workspace.mountResources())).not.toContain('SECRET');
    expect(workspace.mountResources()).toEqual([
      expect.objectContaining({ prefix: '/s3/', resource: 's3', mode: 'read', config: expect.objectContaining({ bucket: 'my-bucket' }) }),
    ]);
  });
});

describe('WorkspaceRegistry built from saved parts', () => {
  const registry = new WorkspaceRegistry({ env: {} });
  afterAll(() => registry.closeAll());

  it('fills a read-only ram mount with the saved files, and still refuses writes to it', async () => {
    const files = [
      { path: 'docs', kind: 'directory' as const, mode: 0o755 },
      { path: 'docs/a.txt', kind: 'file' as const, mode: 0o644, data: Buffer.from('kept\n') },
    ];
    const workspace = await registry.create({ config: { mounts: { '/': { resource: 'ram', mode: 'read' } } }, files });
    const read = await workspace.execute({ command: 'cat /docs/a.txt' });
    expect(read).toMatchObject({ exit_code: 0, stdout: 'kept\n' });
    const write = await workspace.execute({ command: 'echo x > /docs/b.txt' });
    expect(write.exit_code).toBe(1);
    expect(write.stderr).toContain('read-only');
  });
});
