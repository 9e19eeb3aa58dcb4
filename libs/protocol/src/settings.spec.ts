import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_DAEMON_URL } from './client.js';
import { isLoopbackAddress } from './loopback.js';
import {
  DAEMON_KEY_DEFAULTS,
  DAEMON_KEY_ENV,
  DAEMON_KEYS,
  DaemonConfigError,
  deprecatedSettingWarnings,
  NUMERIC_DAEMON_KEYS,
  SETTINGS,
  ensureTokenFile,
  homePaths,
  isLocalUrl,
  mirageHome,
  parseDaemonTable,
  readDaemonTable,
  resolveAllSettings,
  resolveClientSettings,
  resolveSetting,
  settingDefault,
  settingSpec,
  validateDaemonTable,
} from './settings.js';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../../..');

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'mirage-settings-'));
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

function configError(action: () => unknown): DaemonConfigError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(DaemonConfigError);
    return error as DaemonConfigError;
  }
  throw new Error('expected a DaemonConfigError');
}

const writeConfig = (text: string): void => writeFileSync(homePaths(home).config, text);
const writeToken = (text: string): void => writeFileSync(homePaths(home).token, text);

describe('deprecatedSettingWarnings', () => {
  it('warns once for each deprecated location variable that is set, and for nothing else', () => {
    expect(deprecatedSettingWarnings({ MIRAGE_HOME: '/h', MIRAGE_STATE_ROOT: '/s', MIRAGE_VERSION_ROOT: ' ' })).toEqual([]);
    expect(deprecatedSettingWarnings({ MIRAGE_VERSION_ROOT: '/v', MIRAGE_SNAPSHOT_ROOT: '/s' })).toEqual([
      'MIRAGE_SNAPSHOT_ROOT is deprecated and will be removed in the next release; set MIRAGE_HOME instead (this directory is $MIRAGE_HOME/snapshots)',
      'MIRAGE_VERSION_ROOT is deprecated and will be removed in the next release; set MIRAGE_HOME instead (this directory is $MIRAGE_HOME/repos)',
    ]);
  });
});

describe('mirageHome', () => {
  test('MIRAGE_HOME, absolute, is used as is', () => {
    expect(mirageHome({ MIRAGE_HOME: home })).toBe(home);
  });

  test('a relative MIRAGE_HOME is made absolute against the cwd', () => {
    expect(mirageHome({ MIRAGE_HOME: 'rel/dir' })).toBe(join(process.cwd(), 'rel/dir'));
  });

  test('unset or empty MIRAGE_HOME → ~/.mirage', () => {
    expect(mirageHome({})).toBe(join(homedir(), '.mirage'));
    expect(mirageHome({ MIRAGE_HOME: '' })).toBe(join(homedir(), '.mirage'));
  });
});

describe('parseDaemonTable / validateDaemonTable', () => {
  test('reads the [daemon] table with every value as a string; other tables are ignored', () => {
    const table = parseDaemonTable(
      '# c\n[other]\nurl = "x"\n[daemon]\nurl = "http://127.0.0.1:9"\nport = 8765\nidle_grace_seconds = 1.5\n',
    );
    expect(table).toEqual({ url: 'http://127.0.0.1:9', port: '8765', idle_grace_seconds: '1.5' });
    expect(() => validateDaemonTable(table)).not.toThrow();
  });

  test('no [daemon] table → {}', () => {
    expect(parseDaemonTable('')).toEqual({});
    expect(parseDaemonTable('[other]\na = 1\n')).toEqual({});
  });

  test('invalid TOML → DaemonConfigError, one line', () => {
    const error = configError(() => parseDaemonTable('[daemon\nurl = '));
    expect(error.message).toMatch(/^config\.toml is not valid TOML: /);
    expect(error.message).not.toContain('\n');
  });

  test('[daemon] that is not a table → DaemonConfigError', () => {
    expect(configError(() => parseDaemonTable('daemon = 1\n')).message).toBe('config.toml: [daemon] must be a table');
  });

  test('non-scalar values → wrong type, sorted', () => {
    expect(configError(() => parseDaemonTable('[daemon]\nurl = ["a"]\nallowed_hosts = { a = 1 }\n')).message).toBe(
      'config.toml: the following [daemon] keys have the wrong type: allowed_hosts, url',
    );
  });

  test('unknown keys → the spec message, sorted by code point', () => {
    const table = parseDaemonTable('[daemon]\nzeta = "1"\nurl = "http://127.0.0.1:1"\nZed = 2\nalpha = true\npersist_dir = "/x"\n');
    expect(configError(() => validateDaemonTable(table)).message).toBe(
      "config.toml: the following [daemon] keys don't match any configuration option: Zed, alpha, persist_dir, zeta",
    );
  });

  test('names of Object.prototype members are unknown keys too', () => {
    const table = parseDaemonTable('[daemon]\ntoString = "x"\nconstructor = "y"\n__proto__ = "z"\n');
    expect(configError(() => validateDaemonTable(table)).message).toBe(
      "config.toml: the following [daemon] keys don't match any configuration option: __proto__, constructor, toString",
    );
  });

  test('non-numeric numeric keys → wrong type, in key order', () => {
    const table = parseDaemonTable('[daemon]\nport = "eighty"\njwt_clock_skew = "5"\nidle_grace_seconds = ""\n');
    expect(configError(() => validateDaemonTable(table)).message).toBe(
      'config.toml: the following [daemon] keys have the wrong type: idle_grace_seconds, port',
    );
  });

  test('unknown keys are reported before wrong types', () => {
    expect(configError(() => validateDaemonTable({ port: 'x', bogus: '1' })).message).toMatch(
      /don't match any configuration option: bogus$/,
    );
  });

  test('numeric keys as quoted numbers are accepted', () => {
    expect(() => validateDaemonTable({ port: '9000', jwt_clock_skew: '0', idle_grace_seconds: '2.5' })).not.toThrow();
  });

  test('readDaemonTable: a missing file is an empty table', () => {
    expect(readDaemonTable(home)).toEqual({});
    expect(readDaemonTable(join(home, 'does-not-exist'))).toEqual({});
  });

  test('readDaemonTable validates what it reads', () => {
    writeConfig('[daemon]\nport = 9001\n');
    expect(readDaemonTable(home)).toEqual({ port: '9001' });
    writeConfig('[daemon]\nprot = 9001\n');
    expect(configError(() => readDaemonTable(home)).message).toMatch(/don't match any configuration option: prot$/);
  });
});

describe('the settings table', () => {
  test('one row per key, sorted, every row described', () => {
    const keys = SETTINGS.map((spec) => spec.key);
    expect(keys).toEqual([...keys].sort());
    expect(new Set(keys).size).toBe(keys.length);
    for (const spec of SETTINGS) expect(spec.description.length).toBeGreaterThan(10);
  });

  test('the key lists, env names and defaults come from it', () => {
    expect(DAEMON_KEYS).toEqual([
      'allowed_hosts',
      'auth_mode',
      'auth_token',
      'engine',
      'idle_grace_seconds',
      'jwt_alg',
      'jwt_audience',
      'jwt_authorized_parties',
      'jwt_clock_skew',
      'jwt_issuer',
      'jwt_pubkey_file',
      'pid_file',
      'port',
      'snapshot_root',
      'socket',
      'state_root',
      'url',
      'version_root',
    ]);
    expect(NUMERIC_DAEMON_KEYS).toEqual(['idle_grace_seconds', 'jwt_clock_skew', 'port']);
    expect(DAEMON_KEY_ENV).toMatchObject({
      url: 'MIRAGE_DAEMON_URL',
      auth_token: 'MIRAGE_TOKEN',
      jwt_clock_skew: 'MIRAGE_JWT_CLOCK_SKEW_SECONDS',
      socket: undefined,
    });
    expect(settingSpec('auth_token')?.daemonEnv).toBe('MIRAGE_AUTH_TOKEN');
    expect(DAEMON_KEY_DEFAULTS).toEqual({
      allowed_hosts: '127.0.0.1,localhost,::1',
      auth_mode: 'local',
      engine: 'auto',
      idle_grace_seconds: '30',
      jwt_clock_skew: '5',
      port: '8765',
      url: DEFAULT_DAEMON_URL,
    });
  });

  test('unknown keys have no row, also names of Object.prototype members', () => {
    for (const key of ['nope', 'toString', '__proto__', 'constructor']) expect(settingSpec(key)).toBeUndefined();
    expect(() => settingDefault('nope', home)).toThrow('no such setting: nope');
  });

  test('path defaults live under MIRAGE_HOME', () => {
    expect(settingDefault('state_root', home)).toBe(join(home, 'state'));
    expect(settingDefault('version_root', home)).toBe(join(home, 'repos'));
    expect(settingDefault('snapshot_root', home)).toBe(join(home, 'snapshots'));
    expect(settingDefault('pid_file', home)).toBe(join(home, 'daemon.pid'));
    expect(settingDefault('jwt_pubkey_file', home)).toBe('');
  });
});

describe('resolveSetting / resolveAllSettings', () => {
  test('env over file over default; blank values count as unset', () => {
    expect(resolveSetting('port', { port: '9000' }, { MIRAGE_DAEMON_PORT: '9100' }, home)).toEqual({
      value: '9100',
      origin: 'env MIRAGE_DAEMON_PORT',
    });
    expect(resolveSetting('port', { port: '9000' }, { MIRAGE_DAEMON_PORT: ' ' }, home)).toEqual({ value: '9000', origin: 'file' });
    expect(resolveSetting('port', { port: '' }, {}, home)).toEqual({ value: '8765', origin: 'default' });
  });

  test('path values are made absolute against the cwd; defaults are the real ones', () => {
    expect(resolveSetting('state_root', { state_root: 'rel/state' }, {}, home)).toEqual({ value: resolve('rel/state'), origin: 'file' });
    expect(resolveSetting('state_root', {}, { MIRAGE_STATE_ROOT: '/abs/state' }, home)).toEqual({
      value: '/abs/state',
      origin: 'env MIRAGE_STATE_ROOT',
    });
    expect(resolveSetting('state_root', {}, {}, home)).toEqual({ value: join(home, 'state'), origin: 'default' });
  });

  test('a key without an env var is read from the file only; the daemon token variable on request', () => {
    expect(resolveSetting('socket', { socket: '/tmp/s' }, { MIRAGE_SOCKET: '/x' }, home)).toEqual({ value: '/tmp/s', origin: 'file' });
    const env = { MIRAGE_TOKEN: 'client', MIRAGE_AUTH_TOKEN: 'daemon' };
    expect(resolveSetting('auth_token', {}, env, home).value).toBe('client');
    expect(resolveSetting('auth_token', {}, env, home, settingSpec('auth_token')?.daemonEnv)).toEqual({
      value: 'daemon',
      origin: 'env MIRAGE_AUTH_TOKEN',
    });
  });

  test('every key, in table order, and no path default left empty', () => {
    const all = resolveAllSettings({}, {}, home);
    expect(Object.keys(all)).toEqual(DAEMON_KEYS);
    for (const spec of SETTINGS.filter((row) => row.type === 'path' && row.readBy !== 'none')) expect(all[spec.key].value).toMatch(/^\//);
  });
});

describe('isLocalUrl', () => {
  test.each([
    ['http://127.0.0.1:8765', true],
    ['http://127.1.2.3', true],
    ['http://localhost:1', true],
    ['http://LOCALHOST:1/x', true],
    ['http://[::1]:8765', true],
    ['http://localhost.:1', false],
    ['http://localhost.evil.com:1', false],
    ['http://127.0.0.1.nip.io', false],
    ['http://0.0.0.0:1', false],
    ['http://10.0.0.1:1', false],
    ['https://example.com', false],
    ['not a url', false],
    ['', false],
  ])('%p → %p', (url, expected) => {
    expect(isLocalUrl(url)).toBe(expected);
  });
});

describe('isLoopbackAddress (the daemon bind check and isLocalUrl share it)', () => {
  test.each([
    ['127.0.0.1', true],
    ['127.255.0.9', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['127.0.0.1.nip.io', false],
    ['1270.0.0.1', false],
    ['127.0.0.1000', false],
    ['0.0.0.0', false],
    ['::', false],
    ['', false],
  ])('%p → %p', (host, expected) => {
    expect(isLoopbackAddress(host)).toBe(expected);
  });
});

describe('resolveClientSettings', () => {
  test('defaults: no config, no env, no token file', () => {
    const settings = resolveClientSettings({ MIRAGE_HOME: home });
    expect(settings).toEqual({ home, url: DEFAULT_DAEMON_URL, token: '', tokenOrigin: 'none', idleGraceSeconds: 30, table: {} });
  });

  test('url: MIRAGE_DAEMON_URL > config url > default; empty env is unset', () => {
    writeConfig('[daemon]\nurl = "http://127.0.0.1:9100"\n');
    expect(resolveClientSettings({ MIRAGE_HOME: home }).url).toBe('http://127.0.0.1:9100');
    expect(resolveClientSettings({ MIRAGE_HOME: home, MIRAGE_DAEMON_URL: '' }).url).toBe('http://127.0.0.1:9100');
    expect(resolveClientSettings({ MIRAGE_HOME: home, MIRAGE_DAEMON_URL: 'http://127.0.0.1:9200' }).url).toBe('http://127.0.0.1:9200');
  });

  test('token: MIRAGE_TOKEN > config auth_token > token file', () => {
    writeToken('from-file\n');
    expect(resolveClientSettings({ MIRAGE_HOME: home })).toMatchObject({ token: 'from-file', tokenOrigin: 'token_file' });
    writeConfig('[daemon]\nauth_token = "from-config"\n');
    expect(resolveClientSettings({ MIRAGE_HOME: home })).toMatchObject({ token: 'from-config', tokenOrigin: 'file' });
    expect(resolveClientSettings({ MIRAGE_HOME: home, MIRAGE_TOKEN: '' })).toMatchObject({ token: 'from-config', tokenOrigin: 'file' });
    expect(resolveClientSettings({ MIRAGE_HOME: home, MIRAGE_TOKEN: 'from-env' })).toMatchObject({ token: 'from-env', tokenOrigin: 'env' });
  });

  test('the token file is read for loopback URLs only', () => {
    writeToken('secret');
    expect(resolveClientSettings({ MIRAGE_HOME: home, MIRAGE_DAEMON_URL: 'http://localhost:9' }).token).toBe('secret');
    expect(resolveClientSettings({ MIRAGE_HOME: home, MIRAGE_DAEMON_URL: 'https://daemon.example.com' })).toMatchObject({
      token: '',
      tokenOrigin: 'none',
    });
    writeConfig('[daemon]\nurl = "http://10.1.2.3:8765"\n');
    expect(resolveClientSettings({ MIRAGE_HOME: home }).token).toBe('');
  });

  test('an explicit token is sent to remote URLs', () => {
    expect(resolveClientSettings({ MIRAGE_HOME: home, MIRAGE_DAEMON_URL: 'https://d.example.com', MIRAGE_TOKEN: 't' }).token).toBe('t');
  });

  test('an empty or blank token file is no token', () => {
    writeToken('  \n');
    expect(resolveClientSettings({ MIRAGE_HOME: home })).toMatchObject({ token: '', tokenOrigin: 'none' });
  });

  test('idle grace: env > config > 30', () => {
    writeConfig('[daemon]\nidle_grace_seconds = 7\n');
    expect(resolveClientSettings({ MIRAGE_HOME: home }).idleGraceSeconds).toBe(7);
    expect(resolveClientSettings({ MIRAGE_HOME: home, MIRAGE_IDLE_GRACE_SECONDS: '3' }).idleGraceSeconds).toBe(3);
  });

  test('a bad config.toml stops resolution with DaemonConfigError', () => {
    writeConfig('[daemon]\nnope = 1\n');
    configError(() => resolveClientSettings({ MIRAGE_HOME: home }));
  });

  test('does not read process.env when given an env object', () => {
    const saved = process.env.MIRAGE_DAEMON_URL;
    process.env.MIRAGE_DAEMON_URL = 'http://127.0.0.1:1';
    try {
      expect(resolveClientSettings({ MIRAGE_HOME: home }).url).toBe(DEFAULT_DAEMON_URL);
    } finally {
      if (saved === undefined) delete process.env.MIRAGE_DAEMON_URL;
      else process.env.MIRAGE_DAEMON_URL = saved;
    }
  });
});

describe('ensureTokenFile', () => {
  const TOKEN = /^[A-Za-z0-9_-]{43}$/;

  test('creates a 43-character base64url token with mode 0600, and parent dirs', () => {
    const path = join(home, 'nested', 'auth_token');
    const token = ensureTokenFile(path);
    expect(token).toMatch(TOKEN);
    expect(readFileSync(path, 'utf8')).toBe(token);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(home, 'nested'))).toEqual(['auth_token']);
  });

  test('two tokens differ', () => {
    expect(ensureTokenFile(join(home, 'a'))).not.toBe(ensureTokenFile(join(home, 'b')));
  });

  test('keeps an existing token (trimmed)', () => {
    const path = homePaths(home).token;
    writeFileSync(path, 'existing-token\n', { mode: 0o600 });
    expect(ensureTokenFile(path)).toBe('existing-token');
    expect(readFileSync(path, 'utf8')).toBe('existing-token\n');
  });

  test('replaces an empty or blank file, leaving no stray files', () => {
    for (const content of ['', ' \n']) {
      const path = homePaths(home).token;
      writeFileSync(path, content);
      const token = ensureTokenFile(path);
      expect(token).toMatch(TOKEN);
      expect(readFileSync(path, 'utf8')).toBe(token);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readdirSync(home)).toEqual(['auth_token']);
      rmSync(path);
    }
  });

  test('an unreadable token path is an error, not silently replaced', () => {
    const path = homePaths(home).token;
    mkdirSync(path);
    expect(() => ensureTokenFile(path)).toThrow();
    expect(statSync(path).isDirectory()).toBe(true);
  });

  describe('between processes', () => {
    beforeAll(() => {
      execFileSync(join(REPO, 'node_modules/.bin/tsc'), ['-b', 'libs/protocol'], { cwd: REPO, stdio: 'pipe' });
    }, 60_000);

    // Each child waits for a shared start instant, then walks the same list of token paths, so
    // the calls overlap many times (one path alone rarely catches a race on two cores).
    const PATHS = 50;
    const child = (dir: string, startAt: number) =>
      run(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const { ensureTokenFile } = await import(${JSON.stringify(join(REPO, 'libs/protocol/dist/settings.js'))});
           while (Date.now() < ${startAt}) await new Promise((r) => setTimeout(r, 1));
           const tokens = [];
           for (let i = 0; i < ${PATHS}; i++) tokens.push(ensureTokenFile(${JSON.stringify(dir)} + '/token' + i));
           process.stdout.write(JSON.stringify(tokens));`,
        ],
        { cwd: REPO },
      );

    test.each([
      ['no file', undefined],
      ['an empty file', ''],
    ])(
      '20 concurrent processes, starting from %s, all get the same token',
      async (_name, initial) => {
        const paths = Array.from({ length: PATHS }, (_, i) => join(home, `token${i}`));
        if (initial !== undefined) for (const path of paths) writeFileSync(path, initial);
        const startAt = Date.now() + 1500;
        const outputs = await Promise.all(Array.from({ length: 20 }, () => child(home, startAt)));
        const lists = outputs.map((output) => JSON.parse(output.stdout) as string[]);
        paths.forEach((path, i) => {
          const onDisk = readFileSync(path, 'utf8');
          expect(onDisk).toMatch(TOKEN);
          expect(lists.map((list) => list[i])).toEqual(Array(20).fill(onDisk));
        });
        expect(readdirSync(home).sort()).toEqual(paths.map((path) => path.slice(home.length + 1)).sort());
      },
      60_000,
    );
  });
});
