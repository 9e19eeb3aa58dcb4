import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Bash, InMemoryFs, MountableFs } from '../../engine.js';
import { WorkspaceError } from '../../errors.js';
import { S3Fs, isRedacted, parseS3MountConfig, redactS3Config } from './index.js';
import { startS3rver, type S3rverFixture } from '../../../../../test/support/s3rver-fixture.js';

let s3: S3rverFixture;
let fs: S3Fs;

beforeAll(async () => {
  s3 = await startS3rver('mirage-s3fs-spec');
  await s3.put('top.txt', 'hello top\n');
  await s3.put('dir/file.txt', 'line one\nline two\nneedle here\n');
  await s3.put('dir/sub/deep.txt', 'deep needle\n');
  await s3.put('data/a.csv', 'x,y\n1,2\n');
  await s3.put('data/b.csv', 'x,y\n3,4\n5,6\n');
  await s3.put('data/notes.md', '# notes\n');
  await s3.put('scoped/inner/one.txt', 'scoped one\n');
  await s3.put('my dir/with space+plus.txt', 'odd name\n');
  fs = new S3Fs(s3.config());
});

afterAll(async () => {
  fs.destroy();
  await s3.stop();
});

async function objectText(key: string): Promise<string | undefined> {
  try {
    const response = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    return await response.Body?.transformToString();
  } catch {
    return undefined;
  }
}

async function keysUnder(prefix: string): Promise<string[]> {
  const page = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((o) => o.Key ?? '').sort();
}

describe('parseS3MountConfig', () => {
  it('accepts a full config, defaults the region and normalises the prefix', () => {
    expect(parseS3MountConfig({ bucket: 'my-bucket', prefix: '/a/b', endpoint_url: 'http://127.0.0.1:9' }, '/s3/')).toEqual({
      bucket: 'my-bucket',
      region: 'us-east-1',
      prefix: 'a/b/',
      endpoint_url: 'http://127.0.0.1:9',
    });
  });

  it('treats empty strings as absent', () => {
    expect(parseS3MountConfig({ bucket: 'abc', region: '', endpoint_url: '', aws_access_key_id: '' }, '/s3/')).toEqual({
      bucket: 'abc',
      region: 'us-east-1',
    });
  });

  it('names every problem at once', () => {
    let caught: unknown;
    try {
      parseS3MountConfig(
        { region: 7, endpoint_url: 'ftp://x', aws_access_key_id: 'id', force_path_style: 'yes', colour: 'red', Bucket: 'b' },
        '/s3/',
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WorkspaceError);
    const error = caught as WorkspaceError;
    expect(error.code).toBe('invalid');
    expect(error.message).toContain("s3 mount /s3/: unknown config keys 'Bucket', 'colour'");
    expect(error.message).toContain('s3 mount /s3/: bucket is required');
    expect(error.message).toContain('region must be a string');
    expect(error.message).toContain("endpoint_url 'ftp://x' is not an http(s) URL");
    expect(error.message).toContain('aws_access_key_id and aws_secret_access_key must be given together');
    expect(error.message).toContain('force_path_style must be true or false');
  });

  it('refuses non-mappings, bad bucket names and redacted credentials', () => {
    expect(() => parseS3MountConfig({})).toThrow(/^s3 mount: bucket is required$/);
    expect(() => parseS3MountConfig(undefined, '/s3/')).toThrow('s3 mount /s3/: config must be a mapping');
    expect(() => parseS3MountConfig(['x'], '/s3/')).toThrow(WorkspaceError);
    expect(() => parseS3MountConfig({ bucket: 'Ab' }, '/s3/')).toThrow("bucket 'Ab' is not a valid bucket name");
    expect(() => parseS3MountConfig({ bucket: 'abc', aws_access_key_id: 'id', aws_secret_access_key: '<redacted>' }, '/data/')).toThrow(
      's3 mount /data/: aws_secret_access_key is redacted; supply the credential again',
    );
  });

  it('redacts credentials and nothing else', () => {
    const redacted = redactS3Config({ bucket: 'abc', aws_access_key_id: 'AKIA', aws_secret_access_key: 'shh', region: 'eu-west-1' });
    expect(redacted).toEqual({ bucket: 'abc', aws_access_key_id: '<redacted>', aws_secret_access_key: '<redacted>', region: 'eu-west-1' });
    expect(isRedacted(redacted.aws_secret_access_key)).toBe(true);
    expect(isRedacted('shh')).toBe(false);
    expect(JSON.stringify(redacted)).not.toContain('shh');
  });
});

describe('S3Fs directly', () => {
  it('reads objects as text, bytes and ByteString', async () => {
    expect(await fs.readFile('/dir/file.txt')).toBe('line one\nline two\nneedle here\n');
    expect(Buffer.from(await fs.readFileBuffer('/top.txt')).toString()).toBe('hello top\n');
    expect(await fs.readFileBytes('/top.txt')).toBeDefined();
  });

  it('stats files and implied directories', async () => {
    const file = await fs.stat('/dir/file.txt');
    expect(file).toMatchObject({ isFile: true, isDirectory: false, size: 30 });
    expect((await fs.stat('/dir')).isDirectory).toBe(true);
    expect((await fs.stat('/')).isDirectory).toBe(true);
    expect(await fs.exists('/dir/sub')).toBe(true);
    expect(await fs.exists('/dir/nope')).toBe(false);
  });

  it('lists directories from key prefixes', async () => {
    expect(await fs.readdir('/')).toEqual(expect.arrayContaining(['data', 'dir', 'my dir', 'scoped', 'top.txt']));
    expect(await fs.readdir('/dir')).toEqual(['file.txt', 'sub']);
    expect(await fs.readdirWithFileTypes('/dir')).toEqual([
      { name: 'file.txt', isFile: true, isDirectory: false, isSymbolicLink: false },
      { name: 'sub', isFile: false, isDirectory: true, isSymbolicLink: false },
    ]);
  });

  it('throws the fs-style errors commands expect', async () => {
    await expect(fs.readFile('/dir/missing.txt')).rejects.toThrow("ENOENT: no such file or directory, open '/dir/missing.txt'");
    await expect(fs.readFile('/dir')).rejects.toThrow("EISDIR: illegal operation on a directory, read '/dir'");
    await expect(fs.stat('/nope')).rejects.toThrow("ENOENT: no such file or directory, stat '/nope'");
    await expect(fs.readdir('/nope')).rejects.toThrow("ENOENT: no such file or directory, scandir '/nope'");
    await expect(fs.readdir('/top.txt')).rejects.toThrow("ENOTDIR: not a directory, scandir '/top.txt'");
    await expect(fs.symlink('/top.txt', '/link')).rejects.toThrow("ENOTSUP: operation not supported on an s3 mount, symlink '/link'");
    await expect(fs.link('/top.txt', '/hard')).rejects.toThrow('ENOTSUP');
    await expect(fs.readlink('/top.txt')).rejects.toThrow("EINVAL: invalid argument, readlink '/top.txt'");
    await expect(fs.mkdir('/dir')).rejects.toThrow("EEXIST: file already exists, mkdir '/dir'");
    await expect(fs.mkdir('/q/r')).rejects.toThrow("ENOENT: no such file or directory, mkdir '/q/r'");
    await expect(fs.rm('/gone')).rejects.toThrow("ENOENT: no such file or directory, rm '/gone'");
    await expect(fs.rm('/gone', { force: true })).resolves.toBeUndefined();
    await expect(fs.rm('/dir')).rejects.toThrow("ENOTEMPTY: directory not empty, rm '/dir'");
    await expect(fs.cp('/dir', '/dir2')).rejects.toThrow("EISDIR: is a directory, cp '/dir'");
    await expect(fs.writeFile('/top.txt/x', 'no')).rejects.toThrow('ENOTDIR');
  });

  it('sets code, errno, syscall and path on every error, as node fs errors do', async () => {
    const failure = async (attempt: Promise<unknown>): Promise<NodeJS.ErrnoException> => {
      const error: unknown = await attempt.then(
        () => undefined,
        (caught: unknown) => caught,
      );
      if (!(error instanceof Error)) throw new Error('expected the call to fail with an Error');
      return error as NodeJS.ErrnoException;
    };
    const fields = (error: NodeJS.ErrnoException) => ({ code: error.code, errno: error.errno, syscall: error.syscall, path: error.path });
    expect(fields(await failure(fs.readFile('/dir/missing.txt')))).toEqual({
      code: 'ENOENT',
      errno: -2,
      syscall: 'open',
      path: '/dir/missing.txt',
    });
    expect(fields(await failure(fs.readFile('/dir')))).toEqual({ code: 'EISDIR', errno: -21, syscall: 'read', path: '/dir' });
    expect(fields(await failure(fs.writeFile('/dir', 'x')))).toEqual({ code: 'EISDIR', errno: -21, syscall: 'open', path: '/dir' });
    expect(fields(await failure(fs.readdir('/top.txt')))).toEqual({ code: 'ENOTDIR', errno: -20, syscall: 'scandir', path: '/top.txt' });
    expect(fields(await failure(fs.writeFile('/top.txt/x', 'no')))).toEqual({
      code: 'ENOTDIR',
      errno: -20,
      syscall: 'open',
      path: '/top.txt/x',
    });
    expect(fields(await failure(fs.mkdir('/dir')))).toEqual({ code: 'EEXIST', errno: -17, syscall: 'mkdir', path: '/dir' });
    expect(fields(await failure(fs.rm('/dir')))).toEqual({ code: 'ENOTEMPTY', errno: -39, syscall: 'rm', path: '/dir' });
    expect(fields(await failure(fs.symlink('/top.txt', '/link')))).toEqual({
      code: 'ENOTSUP',
      errno: -95,
      syscall: 'symlink',
      path: '/link',
    });
    expect(fields(await failure(fs.readlink('/top.txt')))).toEqual({ code: 'EINVAL', errno: -22, syscall: 'readlink', path: '/top.txt' });
    // Copying or moving a directory into itself: EINVAL with a code too (it used to be a bare Error).
    const intoItself = await failure(fs.cp('/dir', '/dir/sub/again', { recursive: true }));
    expect(fields(intoItself)).toEqual({ code: 'EINVAL', errno: -22, syscall: 'cp', path: '/dir/sub/again' });
    expect(intoItself.message).toBe("EINVAL: cannot copy '/dir' into itself, cp '/dir/sub/again'");
    expect(fields(await failure(fs.mv('/dir', '/dir/inner')))).toEqual({ code: 'EINVAL', errno: -22, syscall: 'mv', path: '/dir/inner' });
    expect(await keysUnder('dir/sub/again')).toEqual([]); // nothing was written
    expect(await keysUnder('dir/inner')).toEqual([]);

    // Failures of S3 itself: refused credentials are EACCES, anything else EIO; the S3 error is the cause.
    const stranger = new S3Fs({ ...s3.config(), aws_access_key_id: 'NOT-A-KEY' });
    const dead = new S3Fs({ ...s3.config(), endpoint_url: 'http://127.0.0.1:1' });
    try {
      const refused = await failure(stranger.readFile('/top.txt'));
      expect(fields(refused)).toEqual({ code: 'EACCES', errno: -13, syscall: 'open', path: '/top.txt' });
      expect(refused.message).toBe("EACCES: permission denied (s3: InvalidAccessKeyId), open '/top.txt'");
      expect((refused.cause as { name?: string }).name).toBe('InvalidAccessKeyId');
      expect(fields(await failure(stranger.writeFile('/new.txt', 'x')))).toEqual({
        code: 'EACCES',
        errno: -13,
        syscall: 'open',
        path: '/new.txt',
      });
      const unreachable = await failure(dead.readdir('/dir'));
      expect(fields(unreachable)).toEqual({ code: 'EIO', errno: -5, syscall: 'scandir', path: '/dir' });
      expect(unreachable.cause).toBeInstanceOf(Error);
    } finally {
      stranger.destroy();
      dead.destroy();
    }
    expect(await objectText('new.txt')).toBeUndefined();
  });

  it('writes, appends, copies, moves and removes real objects', async () => {
    await fs.writeFile('/w/new.txt', 'first\n');
    expect(await objectText('w/new.txt')).toBe('first\n');
    await fs.appendFile('/w/new.txt', 'second\n');
    expect(await fs.readFile('/w/new.txt')).toBe('first\nsecond\n');
    await fs.cp('/w/new.txt', '/w/copy.txt');
    await fs.mv('/w/copy.txt', '/w/moved.txt');
    expect(await fs.readdir('/w')).toEqual(['moved.txt', 'new.txt']);
    await fs.cp('/my dir/with space+plus.txt', '/w/odd copy.txt');
    expect(await objectText('w/odd copy.txt')).toBe('odd name\n');
    await fs.mkdir('/w/empty');
    expect(await keysUnder('w/empty')).toEqual(['w/empty/']);
    expect(await fs.readdir('/w/empty')).toEqual([]);
    await fs.cp('/w', '/w2', { recursive: true });
    expect(await keysUnder('w2/')).toEqual(['w2/', 'w2/empty/', 'w2/moved.txt', 'w2/new.txt', 'w2/odd copy.txt']);
    await fs.mv('/w2', '/w3');
    expect(await keysUnder('w2/')).toEqual([]);
    expect(await fs.readFile('/w3/moved.txt')).toBe('first\nsecond\n');
    await fs.rm('/w', { recursive: true });
    await fs.rm('/w3', { recursive: true });
    expect(await keysUnder('w')).toEqual([]);
    expect(await fs.exists('/w')).toBe(false);
  });

  it('keeps paths under the configured key prefix', async () => {
    const scoped = new S3Fs(s3.config({ prefix: 'scoped/' }));
    try {
      expect(await scoped.readdir('/')).toEqual(['inner']);
      expect(await scoped.readFile('/inner/one.txt')).toBe('scoped one\n');
      await scoped.writeFile('/inner/two.txt', 'two\n');
      expect(await objectText('scoped/inner/two.txt')).toBe('two\n');
      expect(await scoped.exists('/top.txt')).toBe(false);
      expect(await scoped.sizeOf('/')).toBe(15);
    } finally {
      await scoped.rm('/inner/two.txt');
      scoped.destroy();
    }
  });

  it('sizes files and directories for provision', async () => {
    expect(await fs.sizeOf('/data/a.csv')).toBe(8);
    expect(await fs.sizeOf('/data')).toBe(8 + 12 + 8);
    expect(await fs.sizeOf('/missing')).toBeUndefined();
    expect(await fs.objectCount('/data')).toBe(3);
  });

  it('reports an unreachable endpoint as an EIO error, not a crash', async () => {
    const dead = new S3Fs({ ...s3.config(), endpoint_url: 'http://127.0.0.1:1' });
    try {
      await expect(dead.readFile('/top.txt')).rejects.toThrow(/^EIO: s3 request failed .*open '\/top.txt'$/);
    } finally {
      dead.destroy();
    }
  });

  it('reports a missing bucket as an EIO error naming the S3 error', async () => {
    const wrong = new S3Fs({ ...s3.config(), bucket: 'no-such-bucket' });
    try {
      await expect(wrong.readdir('/')).rejects.toThrow(/^EIO: s3 request failed \(NoSuchBucket: .*scandir '\/'$/);
    } finally {
      wrong.destroy();
    }
  });
});

describe('S3Fs mounted in a real just-bash shell', () => {
  let bash: Bash;
  let mountFs: S3Fs;

  beforeAll(() => {
    mountFs = new S3Fs(s3.config());
    const root = new MountableFs({ base: new InMemoryFs() });
    root.mount('/s3', mountFs);
    bash = new Bash({ fs: root, cwd: '/', defenseInDepth: true });
  });
  afterAll(() => mountFs.destroy());

  const run = (command: string) => bash.exec(command);

  it('ls, cat, wc -c', async () => {
    const ls = await run('ls /s3');
    expect(ls.exitCode).toBe(0);
    expect(ls.stdout.split('\n')).toEqual(expect.arrayContaining(['data', 'dir', 'top.txt']));
    expect((await run('cat /s3/dir/file.txt')).stdout).toBe('line one\nline two\nneedle here\n');
    expect((await run('wc -c < /s3/dir/file.txt')).stdout.trim()).toBe('30');
    expect((await run('ls -l /s3/dir')).stdout).toMatch(/file\.txt/);
  });

  it('find, grep -r and globs', async () => {
    const find = await run('find /s3/dir -type f | sort');
    expect(find.stdout).toBe('/s3/dir/file.txt\n/s3/dir/sub/deep.txt\n');
    const grep = await run('grep -r needle /s3/dir | sort');
    expect(grep.stdout).toBe('/s3/dir/file.txt:needle here\n/s3/dir/sub/deep.txt:deep needle\n');
    const glob = await run('cat /s3/data/*.csv');
    expect(glob.stdout).toBe('x,y\n1,2\nx,y\n3,4\n5,6\n');
  });

  it('writes through redirects, cp and mv, then reads back', async () => {
    const write = await run('echo written > /s3/out/note.txt && echo more >> /s3/out/note.txt && cat /s3/out/note.txt');
    expect(write.stdout).toBe('written\nmore\n');
    expect(await objectText('out/note.txt')).toBe('written\nmore\n');
    const copy = await run(
      'mkdir -p /tmp && echo local > /tmp/l.txt && cp /tmp/l.txt /s3/out/l.txt && mv /s3/out/l.txt /s3/out/m.txt && ls /s3/out',
    );
    expect(copy.stdout).toBe('m.txt\nnote.txt\n');
    expect(await objectText('out/m.txt')).toBe('local\n');
    expect((await run('rm -r /s3/out && ls /s3/out')).exitCode).not.toBe(0);
    expect(await keysUnder('out/')).toEqual([]);
  });

  it('mkdir, touch, rmdir and cat of a directory behave like a disk', async () => {
    const made = await run('mkdir /s3/made && touch /s3/made/t.txt && ls /s3/made && wc -c < /s3/made/t.txt');
    expect(made.stdout).toBe('t.txt\n0\n');
    expect(await keysUnder('made/')).toEqual(['made/', 'made/t.txt']);
    const dir = await run('cat /s3/made');
    expect(dir.exitCode).toBe(1);
    expect(dir.stderr).toMatch(/^cat: \/s3\/made: /); // just-bash words it as for an in-memory directory
    expect((await run('rm /s3/made/t.txt && rmdir /s3/made && ls /s3')).stdout).not.toMatch(/made/);
    expect(await keysUnder('made/')).toEqual([]);
  });

  it('prints sane errors for missing keys and links', async () => {
    const missing = await run('cat /s3/dir/missing.txt');
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('/s3/dir/missing.txt: No such file or directory');
    const link = await run('ln -s /s3/top.txt /s3/link');
    expect(link.exitCode).not.toBe(0);
    expect(link.stderr).toMatch(/ln:/);
  });
});
