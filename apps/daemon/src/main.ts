// createDaemon: the standalone daemon (bin/daemon.js and the tests use it). It builds MirageModule
// on its own Fastify server, guards every path, answers every error as `{"detail"}`, and listens.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DaemonConfigError, isLoopbackAddress } from '@mirage-ts/protocol';
import { MirageModule } from './app.module.js';
import { AccessLogController } from './common/access-log.js';
import { DetailExceptionFilter } from './common/detail-exception.filter.js';
import { PinoNestLogger } from './common/pino-nest-logger.js';
import type { DaemonSettings, ExitReason, MirageModuleOptions } from './config/daemon-settings.js';
import { MIRAGE_SETTINGS } from './config/tokens.js';
import { OpenApiService } from './openapi/openapi.service.js';

/** Largest request body (JSON) the daemon reads; more is a 413. */
export const BODY_LIMIT_BYTES = 4 * 1024 * 1024;
export const DEFAULT_LISTEN_HOST = '127.0.0.1';

export interface DaemonOptions extends MirageModuleOptions {
  /** Bind address. Default 127.0.0.1; a non-loopback address requires a bearer token. */
  host?: string;
  /** Port; default MIRAGE_DAEMON_PORT → config `port` → 8765. 0 picks a free port. */
  port?: number;
  /** Log to stdout (pino JSON lines). Default false. */
  logger?: boolean;
}

export interface Daemon {
  app: NestFastifyApplication;
  settings: DaemonSettings;
  /** e.g. `http://127.0.0.1:43121` */
  url: string;
  host: string;
  port: number;
  /** The bearer token clients must send (null with auth mode `none`). */
  token: string | null;
  /** Graceful stop: closes the server, cancels jobs, closes workspaces. Idempotent. */
  close(): Promise<void>;
}

// Kept in the daemon's exports for embedders; the test itself lives in the protocol library.
export { isLoopbackAddress };

/** Builds and starts the daemon; resolves once it listens. */
export async function createDaemon(options: DaemonOptions = {}): Promise<Daemon> {
  const host = options.host ?? DEFAULT_LISTEN_HOST;
  // The exit callback is wired into the module before the application exists.
  const started: { app?: NestFastifyApplication; closing?: Promise<void> } = {};
  const close = (): Promise<void> => {
    started.closing ??= started.app === undefined ? Promise.resolve() : started.app.close();
    return started.closing;
  };
  const onExit = async (reason: ExitReason): Promise<void> => {
    await close();
    await options.onExit?.(reason);
  };
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    logger: options.logger === true ? { level: 'info' } : false,
    logController: new AccessLogController(),
    // Refusals of Fastify's router itself (a path parameter over its length limit, a malformed
    // URL encoding) answer {detail} like every other error, not Fastify's default shape.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      void reply
        .code(tooLong ? 414 : (error.statusCode ?? 400))
        .header('content-type', 'application/json; charset=utf-8')
        .send({ detail: tooLong ? 'URI Too Long: a path segment is too long' : 'Bad Request: malformed URL' });
    },
  });
  // Once closing, answers end their connection: a keep-alive client would otherwise hold the
  // graceful close open until the server's keep-alive timeout.
  adapter.getInstance().addHook('onSend', (_request, reply, payload, done) => {
    if (started.closing !== undefined) void reply.header('connection', 'close');
    done(null, payload);
  });
  const { host: _host, port: _port, logger: _logger, ...moduleOptions } = options;
  const mirage = MirageModule.forRoot({ ...moduleOptions, guardAllRoutes: true, onExit });
  // Nest's logger is attached once the module is built: a bad config.toml (thrown by the settings
  // provider) is the one-line start-up error of bin/daemon.js, not a log record too.
  const app = await NestFactory.create<NestFastifyApplication>(mirage, adapter, { logger: false, abortOnError: false });
  if (options.logger === true) app.useLogger(new PinoNestLogger(adapter.getInstance().log));
  started.app = app;
  app.useGlobalFilters(new DetailExceptionFilter());
  app.get(OpenApiService).attach(app);
  // Resolved by the module's provider while the application was created (throws DaemonConfigError).
  const settings = app.get<DaemonSettings>(MIRAGE_SETTINGS);
  try {
    if (!isLoopbackAddress(host) && settings.authToken === null) {
      throw new DaemonConfigError(`refusing to listen on non-loopback address ${host} without a bearer token (set MIRAGE_AUTH_TOKEN)`);
    }
    await app.listen(options.port ?? settings.port, host);
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? settings.port);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return { app, settings, url: `http://${urlHost}:${port}`, host, port, token: settings.authToken, close };
}
