import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDaemonTable } from '@mirage-ts/protocol/client';
import { assertKnownKey, formatEntry, readRawTable, resolveAll, setInText, unsetInText, writeConfigText } from './config-file.js';

describe('config.toml editing', () => {
  it('creates the [daemon] table in an empty file', () => {
    expect(setInText('', 'port', '9000')).toBe('[daemon]\nport = 9000\n');
  });

  it('quotes strings and escapes backslashes and quotes', () => {
    expect(formatEntry('url', 'http://a"b\\c')).toBe('url = "http://a\\"b\\\\c"');
    expect(parseDaemonTable(setInText('', 'url', 'x"y\\z')).url).toBe('x"y\\z');
  });

  it('refuses a non-numeric value for a numeric key', () => {
    expect(() => formatEntry('port', 'abc')).toThrow('port must be a number');
  });

  it('replaces an existing key in place and keeps comments and other tables', () => {
    const before = '# mine\n[other]\nport = 1\n\n[daemon]\n# the url\nurl = "a"\nport = 1\n\n[more]\nx = 2\n';
    const after = setInText(before, 'port', '2');
    expect(after).toBe('# mine\n[other]\nport = 1\n\n[daemon]\n# the url\nurl = "a"\nport = 2\n\n[more]\nx = 2\n');
  });

  it('inserts a new key after the last line of the table, before the next table', () => {
    const after = setInText('[daemon]\nurl = "a"\n\n[more]\nx = 2\n', 'port', '3');
    expect(after).toBe('[daemon]\nurl = "a"\nport = 3\n\n[more]\nx = 2\n');
  });

  it('appends a [daemon] table after other content', () => {
    expect(setInText('[other]\na = 1\n', 'port', '3')).toBe('[other]\na = 1\n\n[daemon]\nport = 3\n');
  });

  it('unsets every assignment of a key, also unknown ones, and nothing else', () => {
    const text = '[daemon]\nbogus = 1\nurl = "a"\n[other]\nbogus = 2\n';
    expect(unsetInText(text, 'bogus')).toBe('[daemon]\nurl = "a"\n[other]\nbogus = 2\n');
    expect(unsetInText('[other]\nx = 1\n', 'x')).toBe('[other]\nx = 1\n');
  });

  it('knows the allowed keys only', () => {
    expect(() => assertKnownKey('port')).not.toThrow();
    expect(() => assertKnownKey('__proto__')).toThrow("unknown config key: '__proto__'");
    expect(() => assertKnownKey('nope')).toThrow(/allowed: allowed_hosts, auth_mode/);
  });
});

describe('config.toml on disk', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'mirage-cfg-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes with mode 600, creating the directory', () => {
    const path = join(dir, 'home', 'config.toml');
    writeConfigText(path, '[daemon]\nport = 1\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toBe('[daemon]\nport = 1\n');
  });

  it('reads the raw table and names unknown keys', () => {
    const path = join(dir, 'config.toml');
    writeConfigText(path, '[daemon]\nport = 1\nzeta = "z"\nalpha = "a"\n');
    expect(readRawTable(path)).toEqual({ table: { port: '1', zeta: 'z', alpha: 'a' }, unknown: ['alpha', 'zeta'] });
    expect(readRawTable(join(dir, 'absent.toml'))).toEqual({ table: {}, unknown: [] });
  });
});

describe('resolveAll', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'mirage-cfg-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('takes env over file over default and masks the token', () => {
    const all = resolveAll(
      { port: '9000', url: 'http://file', auth_token: 'secret' },
      { MIRAGE_DAEMON_URL: 'http://env', MIRAGE_DAEMON_PORT: '' },
      dir,
    );
    expect(all.url).toEqual({ value: 'http://env', origin: 'env MIRAGE_DAEMON_URL' });
    expect(all.port).toEqual({ value: '9000', origin: 'file' });
    expect(all.idle_grace_seconds).toEqual({ value: '30', origin: 'default' });
    expect(all.auth_token).toEqual({ value: '***', origin: 'file' });
    expect(all.jwt_alg).toEqual({ value: '', origin: 'default' });
  });

  it('shows the real path defaults under MIRAGE_HOME, not empty values', () => {
    const all = resolveAll({}, {}, dir);
    expect(all.state_root).toEqual({ value: join(dir, 'state'), origin: 'default' });
    expect(all.version_root).toEqual({ value: join(dir, 'repos'), origin: 'default' });
    expect(all.snapshot_root).toEqual({ value: join(dir, 'snapshots'), origin: 'default' });
    expect(all.pid_file).toEqual({ value: join(dir, 'daemon.pid'), origin: 'default' });
    expect(all.auth_token).toEqual({ value: '', origin: 'default' });
  });

  // The daemon resolves the same table: what `config list --resolved` shows is what it runs with.
  it.each([
    ['defaults', {}, {}],
    [
      'config.toml',
      {
        state_root: 'rel/state',
        version_root: '/v',
        snapshot_root: '/s',
        pid_file: 'run/d.pid',
        port: '9001',
        idle_grace_seconds: '4',
        allowed_hosts: 'a,b',
        auth_mode: 'token',
      },
      { MIRAGE_AUTH_TOKEN: 't' },
    ],
    [
      'environment',
      { port: '9001' },
      {
        MIRAGE_STATE_ROOT: '/e/state',
        MIRAGE_VERSION_ROOT: '/e/v',
        MIRAGE_SNAPSHOT_ROOT: '/e/s',
        MIRAGE_PID_FILE: '/e/pid',
        MIRAGE_DAEMON_PORT: '9002',
        MIRAGE_IDLE_GRACE_SECONDS: '5',
        MIRAGE_ALLOWED_HOSTS: 'x',
        MIRAGE_AUTH_MODE: 'token',
        MIRAGE_AUTH_TOKEN: 't',
      },
    ],
  ])('agrees with the daemon on %s', async (_name, table: Record<string, string>, env: Record<string, string>) => {
    const { resolveDaemonSettings } = await import('@mirage-ts/daemon');
    writeConfigText(
      join(dir, 'config.toml'),
      `[daemon]\n${Object.entries(table)
        .map(([key, value]) => formatEntry(key, value))
        .join('\n')}\n`,
    );
    const daemon = resolveDaemonSettings({ home: dir, env });
    const cli = resolveAll(readRawTable(join(dir, 'config.toml')).table, env, dir);
    const fromDaemon: Record<string, string | undefined> = {
      state_root: daemon.stateRoot,
      version_root: daemon.versionRoot,
      snapshot_root: daemon.snapshotRoot,
      pid_file: daemon.pidFile,
      port: String(daemon.port),
      idle_grace_seconds: String(daemon.idleGraceSeconds),
      allowed_hosts: daemon.allowedHosts?.join(','),
      auth_mode: daemon.authMode,
    };
    expect(Object.fromEntries(Object.keys(fromDaemon).map((key) => [key, cli[key].value]))).toEqual(fromDaemon);
  });
});
