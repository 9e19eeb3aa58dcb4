// Starts the host service: its routes and mirage's under the global prefix `api`
// (`GET /api/hello`, `POST /api/v1/workspaces`, ...) on one Fastify server.
import 'reflect-metadata';
import { pathToFileURL } from 'node:url';
import { NestFactory } from '@nestjs/core';
import { ConfigService } from '@nestjs/config';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import type { HostConfig } from './host-config.js';

export const GLOBAL_PREFIX = 'api';

export interface HostService {
  app: NestFastifyApplication;
  url: string;
}

export async function startHostService(host = '127.0.0.1'): Promise<HostService> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), {
    logger: ['error', 'warn'],
    abortOnError: false,
  });
  app.setGlobalPrefix(GLOBAL_PREFIX);
  app.enableShutdownHooks();
  const config = app.get(ConfigService).getOrThrow<HostConfig>('host');
  await app.listen(config.port, host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  return { app, url: `http://${host}:${port}` };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  startHostService().then(
    (service) => console.log(`host service listening on ${service.url}`),
    (error: unknown) => {
      console.error(`host service failed to start: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
