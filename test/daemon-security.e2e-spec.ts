// The daemon's edge against a real daemon on a loopback port: Host allow-list, bearer auth, body
// limit, and the `{"detail"}` shape of every error (docs/protocol.md §2, §3).
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createDaemon } from '@mirage-ts/daemon';
import { rawRequest, startTestDaemon, type TestDaemon } from './support/daemon.js';

describe('daemon edge', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startTestDaemon();
  });
  afterAll(() => d.close());

  describe('auth (local mode)', () => {
    it('creates $MIRAGE_HOME/auth_token with mode 0600 and uses it', () => {
      const file = join(d.home, 'auth_token');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8').trim()).toBe(d.token);
      expect(d.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });

    it('health needs no token', async () => {
      const answer = await d.call('GET', '/v1/health', { token: null });
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({
        status: 'ok',
        workspaces: 0,
        uptime_s: expect.any(Number),
        engines: expect.any(Array),
        default_engine: expect.any(String),
      });
      expect(answer.json.uptime_s).toBeGreaterThanOrEqual(0);
    });

    it.each([
      ['no header', {}],
      ['a wrong token', { authorization: 'Bearer not-the-token' }],
      ['a lower-case prefix', { authorization: 'bearer TOKEN' }],
      ['no prefix', { authorization: 'TOKEN' }],
      ['an empty bearer', { authorization: 'Bearer ' }],
    ])('refuses %s with 401 and WWW-Authenticate', async (_what, headers: Record<string, string>) => {
      const real = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.replace('TOKEN', d.token)]));
      const answer = await d.call('GET', '/v1/workspaces', { token: null, headers: real });
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toBe('Bearer');
      expect(answer.json).toEqual({ detail: 'Unauthorized' });
    });

    it('accepts the right token (surrounding spaces trimmed)', async () => {
      expect((await d.call('GET', '/v1/workspaces')).json).toEqual([]);
      expect((await d.call('GET', '/v1/workspaces', { token: null, headers: { authorization: `Bearer  ${d.token} ` } })).status).toBe(200);
    });

    it('checks auth before routing: an unknown path without a token is 401, with one 404', async () => {
      expect((await d.call('GET', '/v1/nope', { token: null })).status).toBe(401);
      expect((await d.call('GET', '/elsewhere', { token: null })).status).toBe(401);
      const notFound = await d.call('GET', '/v1/nope');
      expect(notFound.status).toBe(404);
      expect(notFound.json).toEqual({ detail: 'Not Found' });
    });

    it('has no trailing-slash tolerance', async () => {
      const answer = await d.call('GET', '/v1/workspaces/');
      expect(answer.status).toBe(404);
      expect(answer.json).toEqual({ detail: 'Not Found' });
    });
  });

  describe('host header', () => {
    it.each(['127.0.0.1', 'localhost', '127.0.0.1:8765', '[::1]', '[::1]:8765', 'localhost:1'])('accepts %s', async (host) => {
      expect((await rawRequest(d.url, 'GET', '/v1/health', { host })).status).toBe(200);
    });

    it.each([
      'attacker.example',
      '[::1]evil',
      '[::1]:8765x',
      '[::1].attacker.tld',
      '[::1',
      ':8765',
      '[]',
      '127.0.0.1:8765x',
      'attacker.example:80',
    ])('refuses %s with 400 before auth, even on /v1/health', async (host) => {
      for (const path of ['/v1/health', '/v1/workspaces']) {
        const answer = await rawRequest(d.url, 'GET', path, { host });
        expect(answer.status).toBe(400);
        expect(answer.json).toEqual({ detail: 'Invalid host header' });
      }
    });

    it('honours MIRAGE_ALLOWED_HOSTS, and `*` disables the check', async () => {
      const custom = await startTestDaemon({ env: { MIRAGE_ALLOWED_HOSTS: 'mirage.internal' } });
      const open = await startTestDaemon({ env: { MIRAGE_ALLOWED_HOSTS: '*' } });
      try {
        expect((await rawRequest(custom.url, 'GET', '/v1/health', { host: 'mirage.internal:9' })).status).toBe(200);
        expect((await rawRequest(custom.url, 'GET', '/v1/health', { host: 'localhost' })).status).toBe(400);
        expect((await rawRequest(open.url, 'GET', '/v1/health', { host: 'anything.example' })).status).toBe(200);
      } finally {
        await Promise.all([custom.close(), open.close()]);
      }
    });
  });

  describe('error bodies', () => {
    it('answers 413 {detail} for a body over 4 MiB', async () => {
      const big = JSON.stringify({ config: { mounts: {} }, id: 'x'.repeat(4 * 1024 * 1024 + 10) });
      const answer = await d.call('POST', '/v1/workspaces', { body: big, headers: { 'content-type': 'application/json' } });
      expect(answer.status).toBe(413);
      expect(answer.json).toEqual({ detail: expect.any(String) });
    });

    it('answers 400 {detail} for bad JSON and for an empty JSON body', async () => {
      const bad = await d.call('POST', '/v1/workspaces', { body: '{"config":', headers: { 'content-type': 'application/json' } });
      expect(bad.status).toBe(400);
      expect(bad.json).toEqual({ detail: expect.any(String) });
      const empty = await d.call('POST', '/v1/workspaces', { body: '', headers: { 'content-type': 'application/json' } });
      expect(empty.status).toBe(400);
      expect(empty.json).toEqual({ detail: expect.any(String) });
    });

    it('answers 400 naming unknown fields and listing every validation problem', async () => {
      const unknown = await d.call('POST', '/v1/workspaces', { body: { config: { mounts: {} }, bogus: 1 } });
      expect(unknown.status).toBe(400);
      expect(unknown.json).toEqual({ detail: 'unknown field: bogus' });
      const notMapping = await d.call('POST', '/v1/workspaces', { body: { config: '/etc/passwd' } });
      expect(notMapping.json).toEqual({ detail: 'config must be a mapping' });
      const both = await d.call('POST', '/v1/workspaces', { body: { config: 1, id: 2 } });
      expect(both.status).toBe(400);
      expect(both.json.detail).toContain('config must be a mapping');
      expect(both.json.detail).toContain('id must be a string');
      const unknownQuery = await d.call('GET', '/v1/jobs?colour=red');
      expect(unknownQuery.status).toBe(400);
      expect(unknownQuery.json).toEqual({ detail: 'unknown field: colour' });
    });

    it('answers 415 {detail} for an unsupported content type, 400 for a body that is not an object', async () => {
      const xml = await d.call('POST', '/v1/workspaces', { body: '<config/>', headers: { 'content-type': 'application/xml' } });
      expect(xml.status).toBe(415);
      expect(xml.json).toEqual({ detail: expect.any(String) });
      const text = await d.call('POST', '/v1/workspaces', { body: 'config', headers: { 'content-type': 'text/plain' } });
      expect(text.status).toBe(400);
      expect(text.json).toEqual({ detail: 'request body must be a JSON object' });
      const list = await d.call('POST', '/v1/workspaces', { body: [1] });
      expect(list.json).toEqual({ detail: 'request body must be a JSON object' });
    });
  });

  describe('auth configuration', () => {
    it('token mode uses MIRAGE_AUTH_TOKEN and writes no token file', async () => {
      const t = await startTestDaemon({ env: { MIRAGE_AUTH_MODE: 'token', MIRAGE_AUTH_TOKEN: 'shared-secret' } });
      try {
        expect(t.token).toBe('shared-secret');
        expect((await t.call('GET', '/v1/workspaces')).status).toBe(200);
        expect((await t.call('GET', '/v1/workspaces', { token: 'shared-secreT' })).status).toBe(401);
        expect(() => statSync(join(t.home, 'auth_token'))).toThrow();
      } finally {
        await t.close();
      }
    });

    it('refuses to start in token mode without a token', async () => {
      await expect(startTestDaemon({ env: { MIRAGE_AUTH_MODE: 'token' } })).rejects.toThrow(
        'mode=token requires MIRAGE_AUTH_TOKEN to be set',
      );
    });

    it('refuses to listen on a non-loopback address without a token', async () => {
      await expect(createDaemon({ host: '0.0.0.0', port: 0, auth: { mode: 'none' }, env: {}, home: d.home })).rejects.toThrow(
        /refusing to listen on non-loopback address 0\.0\.0\.0/,
      );
    });
  });
});
