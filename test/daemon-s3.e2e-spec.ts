// An s3 mount through the daemon against a real S3-protocol server (s3rver).
import { startS3rver, type S3rverFixture } from './support/s3rver-fixture.js';
import { startTestDaemon, type TestDaemon } from './support/daemon.js';

describe('daemon with an s3 mount', () => {
  let s3: S3rverFixture;
  let d: TestDaemon;
  beforeAll(async () => {
    s3 = await startS3rver('daemon-e2e');
    await s3.put('data/hello.txt', 'hello from s3\n');
    await s3.put('data/nested/deep.txt', 'deep\n');
    d = await startTestDaemon({ env: { S3_ENDPOINT: s3.endpoint } });
  });
  afterAll(async () => {
    await d.close();
    await s3.stop();
  });

  const exec = (ws: string, command: string) => d.call('POST', `/v1/workspaces/${ws}/execute`, { body: { command } });

  it('reads the bucket through the mount, and refuses writes to a read mount', async () => {
    const created = await d.call('POST', '/v1/workspaces', {
      body: {
        id: 's3ws',
        config: { mounts: { '/': { resource: 'ram', mode: 'write' }, '/s3': { resource: 's3', mode: 'read', config: s3.config() } } },
      },
    });
    expect(created.status).toBe(201);
    expect(created.json.mounts).toEqual(expect.arrayContaining([expect.objectContaining({ prefix: '/s3/', mode: 'read' })]));
    expect(JSON.stringify(created.json)).not.toContain('S3RVER');
    expect((await exec('s3ws', 'cat /s3/data/hello.txt')).json).toMatchObject({ exit_code: 0, stdout: 'hello from s3\n' });
    expect((await exec('s3ws', 'ls /s3/data')).json.stdout.split(/\s+/).filter(Boolean).sort()).toEqual(['hello.txt', 'nested']);
    expect((await exec('s3ws', 'cat /s3/data/nested/deep.txt | wc -l')).json.stdout.trim()).toBe('1');
    const write = await exec('s3ws', 'echo nope > /s3/data/new.txt');
    expect(write.status).toBe(200);
    expect(write.json.exit_code).not.toBe(0);
  });

  it('answers 400 for a bad s3 config, naming the problem', async () => {
    const bad = await d.call('POST', '/v1/workspaces', {
      body: { id: 's3bad', config: { mounts: { '/s3': { resource: 's3', config: { bucket: 'daemon-e2e', colour: 'red' } } } } },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.detail).toContain('colour');
  });
});
