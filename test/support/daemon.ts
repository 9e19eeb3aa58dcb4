// Starts a real daemon (createDaemon) on 127.0.0.1, port 0, in a fresh temp MIRAGE_HOME, with an
// environment isolated from the test runner's. Reuse it: `const d = await startTestDaemon();
// ... await d.close();` — close stops the daemon and removes the home.
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDaemon, type Daemon, type DaemonOptions } from '@mirage-ts/daemon';

export interface TestDaemon {
  url: string;
  /** The bearer token (generated into `<home>/auth_token` in local mode). */
  token: string;
  home: string;
  port: number;
  daemon: Daemon;
  /** JSON request with the bearer token (unless `token: null`), answer parsed. */
  call(method: string, path: string, options?: CallOptions): Promise<HttpAnswer>;
  close(): Promise<void>;
}

export interface CallOptions {
  /** Serialized as JSON with `content-type: application/json`, unless a Buffer/string is given. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Overrides the bearer token; `null` sends none. */
  token?: string | null;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Parsed JSON body, or undefined when it is not JSON. */
  // Tests read answers field by field; typing each one would only restate the assertions.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** A raw HTTP/1.1 request with full control of headers (Host included). */
export function rawRequest(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer | string,
): Promise<HttpAnswer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method,
        path,
        headers,
        setHost: !Object.keys(headers).some((h) => h.toLowerCase() === 'host'),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text === '' ? undefined : JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export async function startTestDaemon(options: DaemonOptions = {}): Promise<TestDaemon> {
  const home = mkdtempSync(join(tmpdir(), 'mirage-daemon-test-'));
  let daemon: Daemon;
  try {
    daemon = await createDaemon({ home, port: 0, idleGraceSeconds: 3600, ...options, env: { ...(options.env ?? {}) } });
  } catch (error) {
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
  const token = daemon.token ?? '';
  const call = (method: string, path: string, callOptions: CallOptions = {}): Promise<HttpAnswer> => {
    const headers: Record<string, string> = { ...callOptions.headers };
    const bearer = callOptions.token === undefined ? token : callOptions.token;
    if (bearer !== null && bearer !== '') headers.authorization = `Bearer ${bearer}`;
    let body: Buffer | string | undefined;
    if (Buffer.isBuffer(callOptions.body) || typeof callOptions.body === 'string') body = callOptions.body;
    else if (callOptions.body !== undefined) {
      body = JSON.stringify(callOptions.body);
      headers['content-type'] ??= 'application/json';
    }
    return rawRequest(daemon.url, method, path, headers, body);
  };
  return {
    url: daemon.url,
    token,
    home,
    port: daemon.port,
    daemon,
    call,
    close: async () => {
      await daemon.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/**
 * Whether a daemon started here offers the sandbox engine (GET /v1/health lists the engines,
 * docs/protocol.md §5.1): specs that need live output from real bash ask once, before declaring
 * their tests, and skip those with a reason when it is not.
 */
export async function sandboxAvailable(): Promise<boolean> {
  const probe = await startTestDaemon();
  try {
    const engines: unknown = (await probe.call('GET', '/v1/health')).json?.engines;
    return (
      Array.isArray(engines) &&
      engines.some((engine: { name?: string; available?: boolean }) => engine.name === 'sandbox' && engine.available === true)
    );
  } finally {
    await probe.close();
  }
}
