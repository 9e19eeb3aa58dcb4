// Drift on load for s3 mounts, end to end: the real CLI and daemon against a real S3-protocol
// server (s3rver). A snapshot records each s3 file's ETag; `workspace load` refuses (409, naming
// the first changed path) when the bucket moved on, unless `--drift off`.
import { jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { freePort, makeSandbox, runCli, stopDaemon, type CliRun, type Sandbox } from './support/cli.js';
import { startS3rver, type S3rverFixture } from './support/s3rver-fixture.js';

jest.setTimeout(90_000);

function expectExit(run: CliRun, code: number): void {
  if (run.code !== code) throw new Error(`expected exit ${code}, got ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
}

describe('workspace load --drift with an s3 mount', () => {
  let box: Sandbox;
  let s3: S3rverFixture;
  let tar: string;
  let override: string;
  const cli = (args: string[]) => runCli(args, { env: box.env });
  const ids = async (): Promise<string[]> => (await cli(['workspace', 'list'])).json.map((w: { id: string }) => w.id);

  beforeAll(async () => {
    s3 = await startS3rver('drift-e2e');
    await s3.put('data/hello.txt', 'hello\n');
    await s3.put('data/other.txt', 'other\n');
    const port = await freePort();
    box = makeSandbox({
      MIRAGE_DAEMON_URL: `http://127.0.0.1:${port}`,
      MIRAGE_DAEMON_PORT: String(port),
      MIRAGE_IDLE_GRACE_SECONDS: '600',
    });
    const config = join(box.root, 'ws.yaml');
    writeFileSync(
      config,
      `mounts:\n  /:\n    resource: ram\n    mode: write\n  /s3:\n    resource: s3\n    mode: read\n    config:\n      bucket: drift-e2e\n      endpoint_url: ${s3.endpoint}\n      aws_access_key_id: S3RVER\n      aws_secret_access_key: S3RVER\n`,
    );
    override = join(box.root, 'creds.yaml');
    writeFileSync(override, 'mounts:\n  /s3:\n    config:\n      aws_access_key_id: S3RVER\n      aws_secret_access_key: S3RVER\n');
    expectExit(await cli(['workspace', 'create', config, '--id', 'src']), 0);
    tar = join(box.root, 'src.tar');
    expectExit(await cli(['workspace', 'snapshot', 'src', tar]), 0);
  });
  afterAll(async () => {
    await stopDaemon(box.home);
    box.cleanup();
    await s3.stop();
  });

  it('records each s3 file with its ETag in the manifest', () => {
    const manifest = JSON.parse(execFileSync('tar', ['xOf', tar, 'manifest.json'], { encoding: 'utf8' })) as {
      s3_files: Record<string, Array<{ path: string; etag: string }>>;
    };
    expect(manifest.s3_files['/s3'].map((f) => f.path)).toEqual(['/data/hello.txt', '/data/other.txt']);
    for (const file of manifest.s3_files['/s3']) expect(file.etag).toMatch(/^"[0-9a-f]{32}"$/);
  });

  it('loads while the bucket is unchanged', async () => {
    expectExit(await cli(['workspace', 'load', tar, override, '--id', 'same']), 0);
    const cat = await cli(['execute', '-w', 'same', '-c', 'cat /s3/data/hello.txt']);
    expect(cat.json.stdout).toBe('hello\n');
  });

  it('refuses with 409 naming the first drifted path, then loads with --drift off', async () => {
    await s3.put('data/other.txt', 'changed\n');
    const refused = await cli(['workspace', 'load', tar, override, '--id', 'drifted']);
    expectExit(refused, 2);
    expect(refused.stderr).toMatch(
      /^daemon error 409: snapshot drift: \/s3\/data\/other\.txt changed since the snapshot \(ETag "[0-9a-f]+" is now "[0-9a-f]+"\)/,
    );
    expect(await ids()).not.toContain('drifted');

    expectExit(await cli(['workspace', 'load', tar, override, '--id', 'loose', '--drift', 'off']), 0);
    const cat = await cli(['execute', '-w', 'loose', '-c', 'cat /s3/data/other.txt']);
    expect(cat.json.stdout).toBe('changed\n');
  });

  it('names a deleted file too, and refuses a bad --drift value', async () => {
    await s3.client.send(new DeleteObjectCommand({ Bucket: 'drift-e2e', Key: 'data/hello.txt' }));
    const refused = await cli(['workspace', 'load', tar, override, '--id', 'gone']);
    expectExit(refused, 2);
    expect(refused.stderr).toContain('daemon error 409: snapshot drift: /s3/data/hello.txt changed since the snapshot (deleted)');
    const bad = await cli(['workspace', 'load', tar, override, '--drift', 'maybe']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('Expected --drift=maybe to be one of: strict, off');
    expect(await ids()).not.toContain('gone');
  });
});
