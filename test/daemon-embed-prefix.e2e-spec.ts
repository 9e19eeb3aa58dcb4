// MirageModule mounted by a host Nest app under a global prefix (`app.setGlobalPrefix('api')`):
// mirage's routes are guarded where they are mounted (Host check 400 before auth, 401 with
// WWW-Authenticate without the token), health answers under the prefix, forRootAsync takes its
// options from the host's own ConfigModule, nothing is resolved before the app initialises, and
// an embedded mirage neither exits on idle nor accepts POST /v1/shutdown. Real HTTP on 127.0.0.1.
import 'reflect-metadata';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { AbstractHttpAdapter, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { buildPath, DaemonConfigError, ROUTES } from '@mirage-ts/protocol';
import { MIRAGE_SETTINGS, MirageModule, type DaemonSettings, type MirageModuleOptions } from '@mirage-ts/daemon';
import { rawRequest } from './support/daemon.js';

const RAM = { config: { mounts: { '/': { resource: 'ram' } } } };

@Controller('things')
class ThingsController {
  @Get()
  list(): string[] {
    return ['a thing'];
  }
}

interface HostApp {
  app: NestFastifyApplication;
  url: string;
}

async function startHostApp(mirage: DynamicModule, prefix = 'api'): Promise<HostApp> {
  @Module({ imports: [mirage], controllers: [ThingsController] })
  class HostModule {}
  const app = await NestFactory.create<NestFastifyApplication>(HostModule, new FastifyAdapter(), { logger: false, abortOnError: false });
  app.setGlobalPrefix(prefix);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  return { app, url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}` };
}

const json = { 'content-type': 'application/json' };

describe('MirageModule under a host global prefix', () => {
  let home: string;
  let host: HostApp;
  const token = 'prefix-token';
  const auth = { authorization: `Bearer ${token}` };

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'mirage-embed-prefix-'));
    host = await startHostApp(MirageModule.forRoot({ home, env: {}, auth: { mode: 'token', token }, idleGraceSeconds: 0 }));
  });
  afterAll(async () => {
    await host.app.close();
    rmSync(home, { recursive: true, force: true });
  });

  it.each([
    ['GET', '/api/v1/workspaces', undefined],
    ['POST', '/api/v1/workspaces', JSON.stringify({ ...RAM, id: 'sneak' })],
    ['POST', '/api/v1/workspaces/sneak/execute', JSON.stringify({ command: 'echo pwned' })],
    ['GET', '/api/v1/jobs', undefined],
    ['POST', '/api/v1/shutdown', undefined],
  ])('refuses %s %s without the token: 401, WWW-Authenticate, {detail}', async (method, path, body) => {
    const refusedHeaders: Record<string, string>[] = [{}, { authorization: 'Bearer wrong' }, { authorization: token }];
    for (const headers of refusedHeaders) {
      const answer = await rawRequest(host.url, method, path, { ...headers, ...(body === undefined ? {} : json) }, body);
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toBe('Bearer');
      expect(answer.json).toEqual({ detail: 'Unauthorized' });
    }
    // Nothing was created by the refused calls.
    expect((await rawRequest(host.url, 'GET', '/api/v1/workspaces', auth)).json).toEqual([]);
  });

  it.each(Object.entries(ROUTES).filter(([name]) => name !== 'health'))(
    'guards every mirage route under the prefix: %s',
    async (_name, spec) => {
      const path = `/api${buildPath(spec, { id: 'w', sid: 's', jobId: 'j' })}`;
      const refused = await rawRequest(host.url, spec.method, path, {});
      expect(refused.status).toBe(401);
      expect(refused.json).toEqual({ detail: 'Unauthorized' });
      expect((await rawRequest(host.url, spec.method, path, { host: 'evil.example' })).status).toBe(400);
    },
  );

  it('checks the Host header first: a foreign Host is 400 with or without the token, health included', async () => {
    for (const path of ['/api/v1/workspaces', '/api/v1/health']) {
      for (const headers of [{ host: 'evil.example' }, { host: 'evil.example', ...auth }]) {
        const answer = await rawRequest(host.url, 'GET', path, headers);
        expect(answer.status).toBe(400);
        expect(answer.json).toEqual({ detail: 'Invalid host header' });
      }
    }
  });

  it('serves health under the prefix without a token, and not at the bare path', async () => {
    const health = await rawRequest(host.url, 'GET', '/api/v1/health', {});
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ status: 'ok', workspaces: expect.any(Number), uptime_s: expect.any(Number) });
    // The bare paths are the host's 404s (its own error shape), not a second, unguarded mirage.
    for (const path of ['/v1/health', '/v1/workspaces']) {
      const bare = await rawRequest(host.url, 'GET', path, {});
      expect(bare.status).toBe(404);
      expect(bare.json).toMatchObject({ statusCode: 404 });
    }
  });

  it('leaves the host routes under the same prefix to the host', async () => {
    const things = await rawRequest(host.url, 'GET', '/api/things', { host: 'evil.example' });
    expect(things.status).toBe(200);
    expect(things.json).toEqual(['a thing']);
  });

  it('with the token: creates a workspace, executes in it and deletes it through the prefix', async () => {
    const created = await rawRequest(host.url, 'POST', '/api/v1/workspaces', { ...auth, ...json }, JSON.stringify({ ...RAM, id: 'pw' }));
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ id: 'pw' });
    const ran = await rawRequest(
      host.url,
      'POST',
      '/api/v1/workspaces/pw/execute',
      { ...auth, ...json },
      JSON.stringify({ command: 'echo hi; pwd' }),
    );
    expect(ran.status).toBe(200);
    expect(ran.json).toMatchObject({ exit_code: 0, stdout: 'hi\n/\n' });
    expect((await rawRequest(host.url, 'GET', '/api/v1/workspaces/missing', auth)).json).toEqual({ detail: 'workspace not found' });
    // A bodiless DELETE with a JSON content type, as many clients send it.
    const deleted = await rawRequest(host.url, 'DELETE', '/api/v1/workspaces/pw', { ...auth, ...json, 'content-length': '0' });
    expect(deleted.status).toBe(200);
    expect(deleted.json).toMatchObject({ id: 'pw' });
  });

  it("answers Fastify's own refusals on mirage routes as {detail}, leaving the host's shape to the host", async () => {
    const badJson = await rawRequest(host.url, 'POST', '/api/v1/workspaces', { ...auth, ...json }, '{"config":');
    expect(badJson.status).toBe(400);
    expect(badJson.json).toEqual({ detail: expect.any(String) });
    const badType = await rawRequest(host.url, 'POST', '/api/v1/workspaces', { ...auth, 'content-type': 'text/weird' }, 'x');
    expect(badType.status).toBe(415);
    expect(badType.json).toEqual({ detail: expect.any(String) });
    const hostMissing = await rawRequest(host.url, 'GET', '/api/nothing-here', {});
    expect(hostMissing.json).toMatchObject({ statusCode: 404 });
  });

  it('does not exit on idle when embedded (grace 0, registry emptied by a delete)', async () => {
    await rawRequest(host.url, 'POST', '/api/v1/workspaces', { ...auth, ...json }, JSON.stringify({ ...RAM, id: 'idle' }));
    expect((await rawRequest(host.url, 'DELETE', '/api/v1/workspaces/idle', auth)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const health = await rawRequest(host.url, 'GET', '/api/v1/health', {});
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ workspaces: 0 });
    expect((await rawRequest(host.url, 'GET', '/api/things', {})).status).toBe(200);
  });

  it('refuses POST /v1/shutdown when embedded, and keeps serving', async () => {
    const refused = await rawRequest(host.url, 'POST', '/api/v1/shutdown', { ...auth, ...json, 'content-length': '0' });
    expect(refused.status).toBe(409);
    expect(refused.json).toEqual({ detail: 'shutdown is not available when mirage is embedded in a host application' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await rawRequest(host.url, 'GET', '/api/v1/workspaces', auth)).status).toBe(200);
  });
});

describe('MirageModule.forRootAsync', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'mirage-embed-async-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it("takes its options from the host's ConfigModule, resolved when the app initialises", async () => {
    const hostSettings = () => ({ mirage: { home, token: 'from-host-config', hosts: ['127.0.0.1', 'svc.internal'] } });
    const mirage = MirageModule.forRootAsync({
      imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [hostSettings] })],
      inject: [ConfigService],
      useFactory: (config: ConfigService): MirageModuleOptions => ({
        home: config.getOrThrow<string>('mirage.home'),
        env: {},
        allowedHosts: config.getOrThrow<string[]>('mirage.hosts'),
        auth: { mode: 'token', token: config.getOrThrow<string>('mirage.token') },
      }),
    });
    const host = await startHostApp(mirage, 'svc');
    try {
      expect(host.app.get<DaemonSettings>(MIRAGE_SETTINGS)).toMatchObject({
        home,
        authMode: 'token',
        authToken: 'from-host-config',
        guardAllRoutes: false,
      });
      expect((await rawRequest(host.url, 'GET', '/svc/v1/workspaces', {})).status).toBe(401);
      expect((await rawRequest(host.url, 'GET', '/svc/v1/workspaces', { authorization: 'Bearer from-host-config' })).json).toEqual([]);
      expect((await rawRequest(host.url, 'GET', '/svc/v1/health', { host: 'svc.internal:8080' })).status).toBe(200);
      expect((await rawRequest(host.url, 'GET', '/svc/v1/health', { host: 'other.internal' })).status).toBe(400);
      // Token mode: no token file was written.
      expect(existsSync(join(home, 'auth_token'))).toBe(false);
    } finally {
      await host.app.close();
    }
  });

  it('reads config.toml and writes the token file only when the app is created, not when the module is built', async () => {
    const forRoot = MirageModule.forRoot({ home, env: {} });
    const forRootAsync = MirageModule.forRootAsync({ useFactory: () => ({ home, env: {} }) });
    expect(existsSync(join(home, 'auth_token'))).toBe(false);
    // A bad config.toml does not break building (importing) the module, only starting it.
    writeFileSync(join(home, 'config.toml'), '[daemon]\nbogus = 1\n');
    for (const mirage of [forRoot, forRootAsync]) {
      await expect(startHostApp(mirage)).rejects.toThrow(
        new DaemonConfigError("config.toml: the following [daemon] keys don't match any configuration option: bogus"),
      );
    }
    rmSync(join(home, 'config.toml'));
    const host = await startHostApp(forRootAsync);
    try {
      expect(existsSync(join(home, 'auth_token'))).toBe(true);
      const token = host.app.get<DaemonSettings>(MIRAGE_SETTINGS).authToken;
      expect((await rawRequest(host.url, 'GET', '/api/v1/workspaces', { authorization: `Bearer ${token}` })).status).toBe(200);
    } finally {
      await host.app.close();
    }
  });
});

/**
 * A Nest HTTP adapter that is not Fastify, reporting the type Express's adapter reports
 * (@nestjs/platform-express is not installed here): enough for Nest to build the module graph.
 */
class NotFastifyAdapter extends AbstractHttpAdapter<Server> {
  getType(): string {
    return 'express';
  }
  initHttpServer(): void {
    this.httpServer = createServer();
  }
  async close(): Promise<void> {}
  useStaticAssets(): void {}
  setViewEngine(): void {}
  getRequestHostname(): string {
    return '';
  }
  getRequestMethod(): string {
    return '';
  }
  getRequestUrl(): string {
    return '';
  }
  status(): void {}
  reply(): void {}
  end(): void {}
  render(): void {}
  redirect(): void {}
  setErrorHandler(): void {}
  setNotFoundHandler(): void {}
  isHeadersSent(): boolean {
    return false;
  }
  getHeader(): undefined {
    return undefined;
  }
  setHeader(): void {}
  appendHeader(): void {}
  registerParserMiddleware(): void {}
  enableCors(): void {}
  createMiddlewareFactory(): () => void {
    return () => undefined;
  }
  applyVersionFilter(): () => () => void {
    return () => () => undefined;
  }
}

describe('MirageModule on a non-Fastify application', () => {
  it('fails at start-up with a clear error naming the adapter', async () => {
    const home = mkdtempSync(join(tmpdir(), 'mirage-embed-express-'));
    try {
      @Module({ imports: [MirageModule.forRoot({ home, env: {}, auth: { mode: 'token', token: 't' } })] })
      class HostModule {}
      await expect(NestFactory.create(HostModule, new NotFastifyAdapter(), { logger: false, abortOnError: false })).rejects.toThrow(
        'MirageModule needs a Nest application on Fastify (new FastifyAdapter() from @nestjs/platform-fastify); this one runs on express',
      );
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
