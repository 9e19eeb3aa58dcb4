// MirageModule.forRoot inside a larger Nest application: the host app's own controller and the
// /v1 routes share its one HTTP server; the mirage edge (Host check, auth, {detail} errors) applies
// to mirage's routes only, leaving the host's routes to the host (daemon-embed-prefix.e2e-spec.ts:
// the same under a global prefix).
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, Inject, Module, NotFoundException, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { MIRAGE_REGISTRY, MirageModule } from '@mirage-ts/daemon';
import type { WorkspaceRegistry } from '@mirage-ts/workspace-core';
import { rawRequest } from './support/daemon.js';

@Controller('app')
class HostAppController {
  constructor(@Inject(MIRAGE_REGISTRY) private readonly registry: WorkspaceRegistry) {}

  @Get('hello')
  hello(): { hello: string; workspaces: number } {
    return { hello: 'host app', workspaces: this.registry.size };
  }

  @Get('things/:id')
  thing(@Param('id') id: string): never {
    throw new NotFoundException(`no thing ${id}`);
  }
}

describe('MirageModule embedded in a host Nest app', () => {
  let app: NestFastifyApplication;
  let url: string;
  let home: string;
  const token = 'embedded-token';

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'mirage-embed-'));
    @Module({ imports: [MirageModule.forRoot({ home, env: {}, auth: { mode: 'token', token } })], controllers: [HostAppController] })
    class HostAppModule {}
    app = await NestFactory.create<NestFastifyApplication>(HostAppModule, new FastifyAdapter(), { logger: false });
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });
  afterAll(async () => {
    await app.close();
    rmSync(home, { recursive: true, force: true });
  });

  const auth = { authorization: `Bearer ${token}` };

  it('serves the host app route and the mirage routes on one server', async () => {
    const hello = await rawRequest(url, 'GET', '/app/hello', {});
    expect(hello.status).toBe(200);
    expect(hello.json).toEqual({ hello: 'host app', workspaces: 0 });
    const health = await rawRequest(url, 'GET', '/v1/health', {});
    expect(health.json).toMatchObject({ status: 'ok', workspaces: 0 });
  });

  it('guards /v1 with the mirage token and answers {detail}', async () => {
    expect((await rawRequest(url, 'GET', '/v1/workspaces', {})).json).toEqual({ detail: 'Unauthorized' });
    expect((await rawRequest(url, 'GET', '/v1/workspaces', auth)).json).toEqual([]);
    expect((await rawRequest(url, 'GET', '/v1/workspaces/missing', auth)).json).toEqual({ detail: 'workspace not found' });
    expect((await rawRequest(url, 'GET', '/v1/health', { host: 'evil.example' })).status).toBe(400);
  });

  it("leaves the host app's routes and error shape alone", async () => {
    expect((await rawRequest(url, 'GET', '/app/hello', { host: 'evil.example' })).status).toBe(200);
    const missing = await rawRequest(url, 'GET', '/app/things/7', {});
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ statusCode: 404, message: 'no thing 7' });
  });

  it('shares the registry with the host app', async () => {
    const created = await rawRequest(
      url,
      'POST',
      '/v1/workspaces',
      { ...auth, 'content-type': 'application/json' },
      JSON.stringify({ config: { mounts: { '/': { resource: 'ram' } } }, id: 'w1' }),
    );
    expect(created.status).toBe(201);
    expect((await rawRequest(url, 'GET', '/app/hello', {})).json).toEqual({ hello: 'host app', workspaces: 1 });
  });
});
