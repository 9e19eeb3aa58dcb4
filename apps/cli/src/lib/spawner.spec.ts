import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClientSettings } from '@mirage-ts/protocol/client';
import { daemonEntry, daemonEnvironment, ensureRunning, probeHealth, spawnPort } from './spawner.js';

const settings = (over: Partial<ClientSettings> = {}): ClientSettings => ({
  home: '/tmp/mirage-home',
  url: 'http://127.0.0.1:8765',
  token: '',
  tokenOrigin: 'none',
  idleGraceSeconds: 30,
  table: {},
  ...over,
});

describe('spawnPort', () => {
  it('takes MIRAGE_DAEMON_PORT, then config port, then the URL port, then 8765', () => {
    expect(spawnPort(settings({ url: 'http://127.0.0.1:9001', table: { port: '9002' } }), { MIRAGE_DAEMON_PORT: '9003' })).toBe('9003');
    expect(spawnPort(settings({ url: 'http://127.0.0.1:9001', table: { port: '9002' } }), {})).toBe('9002');
    expect(spawnPort(settings({ url: 'http://127.0.0.1:9001' }), { MIRAGE_DAEMON_PORT: '' })).toBe('9001');
    expect(spawnPort(settings({ url: 'http://localhost' }), {})).toBe('8765');
  });
});

describe('daemonEnvironment', () => {
  it('passes the token and home, defaults auth mode to local and idle grace from settings', () => {
    const env = daemonEnvironment(settings({ idleGraceSeconds: 12 }), 'tok', { PATH: '/bin' });
    expect(env).toMatchObject({
      PATH: '/bin',
      MIRAGE_HOME: '/tmp/mirage-home',
      MIRAGE_DAEMON_PORT: '8765',
      MIRAGE_IDLE_GRACE_SECONDS: '12',
      MIRAGE_AUTH_TOKEN: 'tok',
      MIRAGE_AUTH_MODE: 'local',
    });
  });
  it('keeps an idle grace and auth mode already set, and config auth_mode before the default', () => {
    expect(daemonEnvironment(settings(), 't', { MIRAGE_IDLE_GRACE_SECONDS: '1', MIRAGE_AUTH_MODE: 'token' })).toMatchObject({
      MIRAGE_IDLE_GRACE_SECONDS: '1',
      MIRAGE_AUTH_MODE: 'token',
    });
    expect(daemonEnvironment(settings({ table: { auth_mode: 'jwt' } }), 't', {}).MIRAGE_AUTH_MODE).toBe('jwt');
  });
});

describe('daemonEntry', () => {
  it('finds the workspace daemon package, or the MIRAGE_DAEMON_BIN override', () => {
    expect(daemonEntry({}).endsWith('/daemon/bin/daemon.js')).toBe(true);
    expect(existsSync(daemonEntry({}))).toBe(true);
    expect(daemonEntry({ MIRAGE_DAEMON_BIN: '/opt/d.js' })).toBe('/opt/d.js');
  });
});

describe('probeHealth and ensureRunning', () => {
  let server: Server;
  let url: string;
  let status = 200;
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.statusCode = req.url === '/v1/health' ? status : 404;
      res.setHeader('content-type', 'application/json');
      res.end(status === 200 ? '{"status":"ok","workspaces":0,"uptime_s":1}' : '{"detail":"no"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('is healthy only on a 200', async () => {
    status = 200;
    expect(await probeHealth(url, '', 300)).toBe(true);
    status = 503;
    expect(await probeHealth(url, '', 300)).toBe(false);
    expect(await probeHealth('http://127.0.0.1:1', '', 300)).toBe(false);
  });

  it('returns without spawning when the daemon answers', async () => {
    status = 200;
    expect(await ensureRunning(settings({ url, token: 'given' }), { allowSpawn: false })).toEqual({ token: 'given', spawned: false });
  });

  it('refuses to spawn when not allowed, and for a non-loopback URL', async () => {
    await expect(ensureRunning(settings({ url: 'http://127.0.0.1:1' }), { allowSpawn: false })).rejects.toMatchObject({
      name: 'DaemonUnreachable',
    });
    await expect(ensureRunning(settings({ url: 'http://mirage.invalid:1' }), { allowSpawn: true })).rejects.toThrow(
      'daemon not reachable at http://mirage.invalid:1',
    );
  });
});
