import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DaemonConfigError } from '@mirage-ts/protocol';
import { resolveDaemonSettings } from './daemon-settings.js';

describe('daemon settings', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'mirage-settings-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('defaults: port 8765, idle 30, loopback hosts, home layout, a token file with mode 0600', () => {
    const settings = resolveDaemonSettings({ home, env: {} });
    expect(settings.port).toBe(8765);
    expect(settings.idleGraceSeconds).toBe(30);
    expect(settings.allowedHosts).toEqual(['127.0.0.1', 'localhost', '::1']);
    expect(settings.versionRoot).toBe(join(home, 'repos'));
    expect(settings.snapshotRoot).toBe(join(home, 'snapshots'));
    expect(settings.stateRoot).toBe(join(home, 'state'));
    expect(settings.pidFile).toBe(join(home, 'daemon.pid'));
    expect(settings.authMode).toBe('local');
    const tokenFile = join(home, 'auth_token');
    expect(settings.authToken).toBe(readFileSync(tokenFile, 'utf8'));
    expect(settings.authToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
  });

  it('engine: MIRAGE_ENGINE, then config.toml `engine`, then auto; anything else stops the daemon', () => {
    expect(resolveDaemonSettings({ home, env: {} }).engine).toBe('auto');
    writeFileSync(join(home, 'config.toml'), '[daemon]\nengine = "builtin"\n');
    expect(resolveDaemonSettings({ home, env: {} }).engine).toBe('builtin');
    expect(resolveDaemonSettings({ home, env: { MIRAGE_ENGINE: 'Sandbox' } }).engine).toBe('sandbox');
    expect(() => resolveDaemonSettings({ home, env: { MIRAGE_ENGINE: 'docker' } })).toThrow(
      new DaemonConfigError('MIRAGE_ENGINE must be one of auto|builtin|sandbox, got "docker"'),
    );
  });

  it('keeps an existing token file', () => {
    writeFileSync(join(home, 'auth_token'), 'kept-token\n', { mode: 0o600 });
    expect(resolveDaemonSettings({ home, env: {} }).authToken).toBe('kept-token');
  });

  it('env wins over config.toml, which wins over defaults', () => {
    writeFileSync(join(home, 'config.toml'), '[daemon]\nport = 9000\nidle_grace_seconds = 5\nallowed_hosts = "a.example, b.example"\n');
    const fromFile = resolveDaemonSettings({ home, env: {} });
    expect([fromFile.port, fromFile.idleGraceSeconds, fromFile.allowedHosts]).toEqual([9000, 5, ['a.example', 'b.example']]);
    const fromEnv = resolveDaemonSettings({
      home,
      env: {
        MIRAGE_DAEMON_PORT: '9100',
        MIRAGE_IDLE_GRACE_SECONDS: '1',
        MIRAGE_ALLOWED_HOSTS: 'c.example',
        MIRAGE_AUTH_TOKEN: 'env-token',
      },
    });
    expect([fromEnv.port, fromEnv.idleGraceSeconds, fromEnv.allowedHosts, fromEnv.authToken]).toEqual([
      9100,
      1,
      ['c.example'],
      'env-token',
    ]);
  });

  it('`*` disables the host check; an all-empty list falls back to the default', () => {
    expect(resolveDaemonSettings({ home, env: { MIRAGE_ALLOWED_HOSTS: 'x, *' } }).allowedHosts).toBeNull();
    expect(resolveDaemonSettings({ home, env: { MIRAGE_ALLOWED_HOSTS: ' , ,' } }).allowedHosts).toEqual(['127.0.0.1', 'localhost', '::1']);
  });

  it('stops on unknown or ill-typed config keys with the spec message', () => {
    writeFileSync(join(home, 'config.toml'), '[daemon]\nzeta = 1\nalpha = "x"\n');
    expect(() => resolveDaemonSettings({ home, env: {} })).toThrow(
      new DaemonConfigError("config.toml: the following [daemon] keys don't match any configuration option: alpha, zeta"),
    );
    writeFileSync(join(home, 'config.toml'), '[daemon]\nport = "eighty"\n');
    expect(() => resolveDaemonSettings({ home, env: {} })).toThrow('config.toml: the following [daemon] keys have the wrong type: port');
  });

  it('token mode requires MIRAGE_AUTH_TOKEN; unknown modes are refused', () => {
    expect(() => resolveDaemonSettings({ home, env: { MIRAGE_AUTH_MODE: 'token' } })).toThrow(
      'mode=token requires MIRAGE_AUTH_TOKEN to be set',
    );
    expect(resolveDaemonSettings({ home, env: { MIRAGE_AUTH_MODE: ' TOKEN ', MIRAGE_AUTH_TOKEN: 't' } })).toMatchObject({
      authMode: 'token',
      authToken: 't',
    });
    expect(() => resolveDaemonSettings({ home, env: { MIRAGE_AUTH_MODE: 'bogus' } })).toThrow(
      'MIRAGE_AUTH_MODE must be one of local|token, got "bogus"',
    );
    expect(() => resolveDaemonSettings({ home, env: { MIRAGE_AUTH_MODE: 'none' } })).toThrow(DaemonConfigError);
  });

  it('explicit options win over everything', () => {
    const settings = resolveDaemonSettings({
      home,
      env: { MIRAGE_VERSION_ROOT: '/env/repos' },
      versionRoot: join(home, 'r'),
      idleGraceSeconds: 0,
      allowedHosts: ['h'],
      auth: { mode: 'none' },
    });
    expect(settings).toMatchObject({
      versionRoot: join(home, 'r'),
      idleGraceSeconds: 0,
      allowedHosts: ['h'],
      authMode: 'none',
      authToken: null,
    });
  });
});
