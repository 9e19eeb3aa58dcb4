import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { promisify } from 'node:util';
import { MirageClient } from './client.js';
import { DaemonError, DaemonUnreachable } from './errors.js';

// ---- a real HTTP server that records what it receives -----------------------------------------

interface Received {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

type Handler = (request: Received, response: ServerResponse) => void;

interface TestServer {
  url: string;
  requests: Received[];
  handle(handler: Handler): void;
  close(): Promise<void>;
}

async function startServer(): Promise<TestServer> {
  const requests: Received[] = [];
  let handler: Handler = (_request, response) => json(response, 200, {});
  const server: Server = createServer((incoming: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const url = new URL(incoming.url ?? '/', 'http://x');
      const received = {
        method: incoming.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: incoming.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(received);
      handler(received, response);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle: (next) => (handler = next),
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

interface Part {
  name: string;
  filename: string | undefined;
  contentType: string | undefined;
  data: Buffer;
}

/** A small multipart/form-data reader, byte-exact, independent of the client's encoder. */
function parseMultipart(body: Buffer, contentType: string | undefined): Part[] {
  const match = /^multipart\/form-data;\s*boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType ?? '');
  if (match === null) throw new Error(`not multipart: ${contentType}`);
  const delimiter = Buffer.from(`--${match[1] ?? match[2]}`);
  const parts: Part[] = [];
  let position = body.indexOf(delimiter);
  expect(position).toBe(0);
  for (;;) {
    position += delimiter.length;
    if (body.subarray(position, position + 2).toString() === '--') break;
    expect(body.subarray(position, position + 2).toString()).toBe('\r\n');
    const headerEnd = body.indexOf('\r\n\r\n', position);
    const headers = body
      .subarray(position + 2, headerEnd)
      .toString('utf8')
      .split('\r\n');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) throw new Error('unterminated part');
    const disposition = headers.find((line) => /^content-disposition:/i.test(line)) ?? '';
    parts.push({
      name: /\bname="([^"]*)"/.exec(disposition)?.[1] ?? '',
      filename: /\bfilename="([^"]*)"/.exec(disposition)?.[1],
      contentType: headers.find((line) => /^content-type:/i.test(line))?.replace(/^content-type:\s*/i, ''),
      data: body.subarray(headerEnd + 4, next),
    });
    position = next + 2;
  }
  return parts;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

const WORKSPACE = { id: 'w1', mode: 'write', created_at: 1, fuse_mountpoints: {}, mounts: [], sessions: [], internals: null };
const IO = { kind: 'io', exit_code: 3, stdout: 'out', stderr: '', refusal: null };

let server: TestServer;
let scratch: string;
beforeEach(async () => {
  server = await startServer();
  scratch = mkdtempSync(join(tmpdir(), 'mirage-client-'));
});
afterEach(async () => {
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
});

// ---- tests ------------------------------------------------------------------------------------

describe('MirageClient: requests', () => {
  test('sends the bearer header iff a token is given', async () => {
    server.handle((_request, response) => json(response, 200, { status: 'ok', workspaces: 0, uptime_s: 1 }));
    await expect(new MirageClient({ baseUrl: server.url, token: 's3cret' }).health()).resolves.toEqual({
      status: 'ok',
      workspaces: 0,
      uptime_s: 1,
    });
    await new MirageClient({ baseUrl: server.url }).health();
    await new MirageClient({ baseUrl: server.url, token: '' }).health();
    expect(server.requests.map((request) => request.headers.authorization)).toEqual(['Bearer s3cret', undefined, undefined]);
    expect(server.requests.every((request) => request.method === 'GET' && request.path === '/v1/health')).toBe(true);
  });

  test('a trailing slash on the base URL is dropped', async () => {
    await new MirageClient({ baseUrl: `${server.url}//` }).health();
    expect(server.requests[0].path).toBe('/v1/health');
  });

  test('sends JSON bodies with a JSON content-type', async () => {
    server.handle((_request, response) => json(response, 201, WORKSPACE));
    const config = { mounts: { '/': { resource: 'ram', config: { someKey: 1 } } } };
    await expect(new MirageClient({ baseUrl: server.url }).createWorkspace(config, 'w1')).resolves.toEqual(WORKSPACE);
    const [request] = server.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v1/workspaces');
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(request.body.toString('utf8'))).toEqual({ config, id: 'w1' });
  });

  test('encodes ids in paths', async () => {
    server.handle((_request, response) => json(response, 200, WORKSPACE));
    await new MirageClient({ baseUrl: server.url }).getWorkspace('a/b c');
    expect(server.requests[0].path).toBe('/v1/workspaces/a%2Fb%20c');
  });

  test('query parameters: verbose, workspace_id, branch/a/b', async () => {
    server.handle((request, response) =>
      json(
        response,
        200,
        request.path.endsWith('/diff')
          ? { added: [], modified: [], deleted: [] }
          : request.path === '/v1/jobs' || request.path.endsWith('/versions')
            ? []
            : WORKSPACE,
      ),
    );
    const client = new MirageClient({ baseUrl: server.url });
    await client.getWorkspace('w1', true);
    await client.getWorkspace('w1');
    await client.listJobs('w 1');
    await client.listJobs();
    await client.diff('w1', { a: 'v1', b: 'v2' });
    await client.diff('w1', { branch: 'dev' });
    await client.versions('w1', 'dev');
    const queries = server.requests.map((request) => `${request.path}?${request.query.toString()}`);
    expect(queries).toEqual([
      '/v1/workspaces/w1?verbose=true',
      '/v1/workspaces/w1?',
      '/v1/jobs?workspace_id=w+1',
      '/v1/jobs?',
      '/v1/workspaces/w1/diff?branch=main&a=v1&b=v2',
      '/v1/workspaces/w1/diff?branch=dev',
      '/v1/workspaces/w1/versions?branch=dev',
    ]);
  });

  test('execute sends JSON fields and returns the X-Mirage-Job-Id header', async () => {
    server.handle((_request, response) => json(response, 200, IO, { 'X-Mirage-Job-Id': 'job-42' }));
    const answer = await new MirageClient({ baseUrl: server.url }).execute('w1', { command: 'ls /', session_id: 's1' });
    expect(answer).toEqual({ result: IO, jobId: 'job-42' });
    const [request] = server.requests;
    expect(request.path).toBe('/v1/workspaces/w1/execute');
    expect(request.query.has('background')).toBe(false);
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(request.body.toString('utf8'))).toEqual({ command: 'ls /', session_id: 's1' });
  });

  test('execute without the header → jobId undefined', async () => {
    server.handle((_request, response) => json(response, 200, IO));
    await expect(new MirageClient({ baseUrl: server.url }).execute('w1', { command: 'true' })).resolves.toEqual({
      result: IO,
      jobId: undefined,
    });
  });

  test('executeInBackground sends background=true and returns the 202 envelope', async () => {
    const accepted = { job_id: 'j1', workspace_id: 'w1', submitted_at: 5 };
    server.handle((_request, response) => json(response, 202, accepted));
    await expect(
      new MirageClient({ baseUrl: server.url }).executeInBackground('w1', { command: 'sleep 1', background: true }),
    ).resolves.toEqual(accepted);
    const [request] = server.requests;
    expect(request.query.get('background')).toBe('true');
    expect(JSON.parse(request.body.toString('utf8'))).toEqual({ command: 'sleep 1' });
  });

  test('execute with stdin sends multipart: `request` then `stdin`, bytes exact', async () => {
    server.handle((_request, response) => json(response, 200, IO, { 'x-mirage-job-id': 'j' }));
    const stdin = Buffer.concat([
      Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
      Buffer.from('\r\n--boundary\r\n\r\n'),
      randomBytes(70_000),
    ]);
    await new MirageClient({ baseUrl: server.url }).execute('w1', { command: 'wc -c', stdin: new Uint8Array(stdin), agent_id: 'a' });
    const [request] = server.requests;
    const parts = parseMultipart(request.body, request.headers['content-type']);
    expect(parts.map((part) => part.name)).toEqual(['request', 'stdin']);
    expect(JSON.parse(parts[0].data.toString('utf8'))).toEqual({ command: 'wc -c', agent_id: 'a' });
    expect(parts[0].contentType).toMatch(/^application\/json/);
    expect(parts[1].data.equals(stdin)).toBe(true);
  });

  test('empty stdin is still sent as a (empty) stdin part', async () => {
    await new MirageClient({ baseUrl: server.url }).execute('w1', { command: 'cat', stdin: new Uint8Array() });
    const [request] = server.requests;
    const parts = parseMultipart(request.body, request.headers['content-type']);
    expect(parts.map((part) => [part.name, part.data.toString('utf8')])).toEqual([
      ['request', '{"command":"cat"}'],
      ['stdin', ''],
    ]);
  });

  test('provision sends provision: true', async () => {
    server.handle((_request, response) => json(response, 200, { kind: 'provision', children: [] }));
    await new MirageClient({ baseUrl: server.url }).provision('w1', 'cat /a', 's');
    expect(JSON.parse(server.requests[0].body.toString('utf8'))).toEqual({ command: 'cat /a', provision: true, session_id: 's' });
  });

  test('waitJob sends timeout_s when given, {} otherwise', async () => {
    server.handle((_request, response) => json(response, 200, { job_id: 'j/1', status: 'done', result: null }));
    const client = new MirageClient({ baseUrl: server.url });
    await client.waitJob('j/1', 2.5);
    await client.waitJob('j/1');
    expect(server.requests.map((request) => [request.method, request.path, JSON.parse(request.body.toString('utf8'))])).toEqual([
      ['POST', '/v1/jobs/j%2F1/wait', { timeout_s: 2.5 }],
      ['POST', '/v1/jobs/j%2F1/wait', {}],
    ]);
  });

  test('an empty 2xx body reads as {}', async () => {
    server.handle((_request, response) => {
      response.writeHead(200);
      response.end();
    });
    await expect(new MirageClient({ baseUrl: server.url }).cancelJob('j')).resolves.toEqual({});
    expect(server.requests[0].method).toBe('DELETE');
  });
});

describe('MirageClient: errors', () => {
  test('4xx with {detail} → DaemonError(status, detail)', async () => {
    server.handle((_request, response) => json(response, 404, { detail: 'workspace not found' }));
    const error = await rejection(new MirageClient({ baseUrl: server.url }).getWorkspace('nope'));
    expect(error).toBeInstanceOf(DaemonError);
    expect(error).toMatchObject({ status: 404, detail: 'workspace not found', message: 'daemon error 404: workspace not found' });
  });

  test('4xx JSON without detail → DaemonError with the raw body', async () => {
    server.handle((_request, response) => json(response, 422, { detail: [{ msg: 'x' }] }));
    const error = await rejection(new MirageClient({ baseUrl: server.url }).health());
    expect(error).toMatchObject({ status: 422, detail: '{"detail":[{"msg":"x"}]}' });
  });

  test('5xx with a non-JSON body → DaemonError with the raw text', async () => {
    server.handle((_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' });
      response.end('<html>Bad Gateway</html>');
    });
    const error = await rejection(new MirageClient({ baseUrl: server.url }).listWorkspaces());
    expect(error).toBeInstanceOf(DaemonError);
    expect(error).toMatchObject({ status: 502, detail: '<html>Bad Gateway</html>' });
  });

  test('no retries: a failing GET is sent once', async () => {
    server.handle((_request, response) => json(response, 503, { detail: 'busy' }));
    await expect(new MirageClient({ baseUrl: server.url }).health()).rejects.toMatchObject({ status: 503 });
    expect(server.requests).toHaveLength(1);
  });

  test('no retries: a reset connection is tried once → DaemonUnreachable', async () => {
    server.handle((_request, response) => response.socket?.destroy());
    const error = await rejection(new MirageClient({ baseUrl: server.url }).listWorkspaces());
    expect(error).toBeInstanceOf(DaemonUnreachable);
    expect(server.requests).toHaveLength(1);
  });

  test('refused connection → DaemonUnreachable naming the URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const error = await rejection(new MirageClient({ baseUrl: url }).health());
    expect(error).toBeInstanceOf(DaemonUnreachable);
    expect((error as DaemonUnreachable).url).toBe(url);
    expect(error.message).toContain(`daemon not reachable at ${url}`);
  });

  test('timeout → DaemonUnreachable, sent once', async () => {
    server.handle(() => {
      // never answers
    });
    const started = Date.now();
    const error = await rejection(new MirageClient({ baseUrl: server.url, timeoutMs: 200 }).health());
    expect(error).toBeInstanceOf(DaemonUnreachable);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(server.requests).toHaveLength(1);
  });

  test('a per-call timeout overrides the client default', async () => {
    server.handle(() => {
      // never answers
    });
    await expect(new MirageClient({ baseUrl: server.url }).health(150)).rejects.toBeInstanceOf(DaemonUnreachable);
  });
});

describe('MirageClient: snapshots', () => {
  test('downloadSnapshot streams the bytes into the destination', async () => {
    const tar = randomBytes(300_000);
    server.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/x-tar' });
      response.write(tar.subarray(0, 1000));
      setTimeout(() => response.end(tar.subarray(1000)), 20);
    });
    const path = join(scratch, 'out.tar');
    const destination = createWriteStream(path);
    const progress: number[] = [];
    const size = await new MirageClient({ baseUrl: server.url, token: 't' }).downloadSnapshot('w/1', destination, (p) =>
      progress.push(p.transferred),
    );
    expect(size).toBe(tar.length);
    expect(readFileSync(path).equals(tar)).toBe(true);
    expect(server.requests[0]).toMatchObject({ method: 'GET', path: '/v1/workspaces/w%2F1/snapshot' });
    expect(server.requests[0].headers.authorization).toBe('Bearer t');
    expect(progress.at(-1)).toBe(tar.length);
  });

  test('downloadSnapshot 404 → DaemonError, nothing written', async () => {
    server.handle((_request, response) => json(response, 404, { detail: 'workspace not found' }));
    const path = join(scratch, 'out.tar');
    const destination = createWriteStream(path);
    const error = await rejection(new MirageClient({ baseUrl: server.url }).downloadSnapshot('nope', destination));
    expect(error).toBeInstanceOf(DaemonError);
    expect(error).toMatchObject({ status: 404, detail: 'workspace not found' });
    destination.end();
    await finished(destination);
    expect(readFileSync(path)).toHaveLength(0);
  });

  test('downloadSnapshot on a closed port → DaemonUnreachable', async () => {
    const destination = createWriteStream(join(scratch, 'out.tar'));
    await expect(
      new MirageClient({ baseUrl: `http://127.0.0.1:${await closedPort()}` }).downloadSnapshot('w', destination),
    ).rejects.toBeInstanceOf(DaemonUnreachable);
    destination.destroy();
  });

  test('a download cut short → DaemonUnreachable, never a silent success', async () => {
    server.handle((_request, response) => {
      response.writeHead(200, { 'content-length': '100000' });
      response.write(Buffer.alloc(5000));
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const destination = createWriteStream(join(scratch, 'out.tar'));
    await expect(new MirageClient({ baseUrl: server.url }).downloadSnapshot('w', destination)).rejects.toBeInstanceOf(DaemonUnreachable);
  });

  test('a destination that fails keeps its own error', async () => {
    server.handle((_request, response) => {
      response.writeHead(200);
      response.end(Buffer.alloc(1000));
    });
    const destination = new Writable({
      write: (_chunk, _encoding, done) => done(Object.assign(new Error('disk full'), { code: 'ENOSPC' })),
    });
    const error = await rejection(new MirageClient({ baseUrl: server.url }).downloadSnapshot('w', destination));
    expect(error).not.toBeInstanceOf(DaemonUnreachable);
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
  });

  test('loadWorkspace uploads `request` then the `snapshot` part, bytes exact', async () => {
    server.handle((_request, response) => json(response, 201, WORKSPACE));
    const tar = Buffer.concat([randomBytes(200_000), Buffer.from('\r\n--x--\r\n')]);
    const path = join(scratch, 'in.tar');
    writeFileSync(path, tar);
    const detail = await new MirageClient({ baseUrl: server.url, token: 't' }).loadWorkspace(path, {
      id: 'w2',
      override: { mode: 'read' },
    });
    expect(detail).toEqual(WORKSPACE);
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/workspaces/load' });
    expect(request.headers.authorization).toBe('Bearer t');
    const parts = parseMultipart(request.body, request.headers['content-type']);
    expect(parts.map((part) => part.name)).toEqual(['request', 'snapshot']);
    expect(JSON.parse(parts[0].data.toString('utf8'))).toEqual({ id: 'w2', override: { mode: 'read' } });
    expect(parts[1].data.equals(tar)).toBe(true);
  });

  test('loadWorkspace 400 → DaemonError', async () => {
    server.handle((_request, response) => json(response, 400, { detail: 'load failed: not a tar' }));
    const path = join(scratch, 'in.tar');
    writeFileSync(path, 'junk');
    await expect(new MirageClient({ baseUrl: server.url }).loadWorkspace(path)).rejects.toMatchObject({
      status: 400,
      detail: 'load failed: not a tar',
    });
    expect(server.requests).toHaveLength(1);
  });
});

// ---- what the CLI loads -----------------------------------------------------------------------

describe('@mirage-ts/protocol/client', () => {
  const REPO = resolve(import.meta.dirname, '../../..');
  const run = promisify(execFile);

  beforeAll(() => {
    execFileSync(join(REPO, 'node_modules/.bin/tsc'), ['-b', 'libs/protocol'], { cwd: REPO, stdio: 'pipe' });
  }, 60_000);

  /** Imports `specifier` from the repo root in a fresh node and lists every module it loaded. */
  async function loadedModules(specifier: string): Promise<string[]> {
    const log = join(scratch, 'modules.log');
    const hooks = join(scratch, 'hooks.mjs');
    writeFileSync(
      hooks,
      `import { appendFileSync } from 'node:fs';
       export async function resolve(specifier, context, next) {
         const result = await next(specifier, context);
         appendFileSync(${JSON.stringify(log)}, result.url + '\\n');
         return result;
       }`,
    );
    writeFileSync(log, '');
    const script = `import { register, createRequire } from 'node:module';
      import { pathToFileURL } from 'node:url';
      import { appendFileSync } from 'node:fs';
      register(pathToFileURL(${JSON.stringify(hooks)}));
      await import(${JSON.stringify(specifier)});
      const cjs = Object.keys(createRequire(import.meta.url).cache);
      appendFileSync(${JSON.stringify(log)}, cjs.join('\\n') + '\\n');`;
    await run(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO });
    return readFileSync(log, 'utf8').split('\n').filter(Boolean);
  }

  const heavy = (modules: string[], pattern: RegExp) => modules.filter((name) => pattern.test(name));
  const HEAVY = /\/node_modules\/(class-validator|class-transformer|@nestjs\/|nodegit|just-bash)\//;

  test('loads the dist client entry without class-validator, Nest, nodegit, just-bash, got or yaml', async () => {
    const modules = await loadedModules('@mirage-ts/protocol/client');
    expect(modules.some((name) => name.endsWith('/libs/protocol/dist/client-entry.js'))).toBe(true);
    expect(heavy(modules, HEAVY)).toEqual([]);
    // got and yaml are imported on first use only.
    expect(heavy(modules, /\/node_modules\/(got|yaml)\//)).toEqual([]);
  }, 30_000);

  test('the detector works: the full entry does load class-validator', async () => {
    const modules = await loadedModules('@mirage-ts/protocol');
    expect(heavy(modules, /\/node_modules\/class-validator\//).length).toBeGreaterThan(0);
  }, 30_000);
});
