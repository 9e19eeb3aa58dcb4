import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { AccessLogController } from './access-log.js';

function capturingServer(): { lines: Record<string, unknown>[]; server: ReturnType<typeof Fastify> } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const server = Fastify({ logger: { level: 'info', stream }, logController: new AccessLogController() });
  server.get('/v1/health', async () => ({ status: 'ok' }));
  server.get('/v1/jobs', async () => []);
  server.get('/boom', async () => {
    throw new Error('kaput');
  });
  return { lines, server };
}

/** Real requests on a loopback port (light-my-request's inject does not load under jest ESM). */
async function get(server: ReturnType<typeof Fastify>, ...paths: string[]): Promise<void> {
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  for (const path of paths) await (await fetch(`${url}${path}`)).text();
  await server.close();
}

describe('AccessLogController', () => {
  it('writes one line per request with method, url, status and time; none for a healthy probe', async () => {
    const { lines, server } = capturingServer();
    await get(server, '/v1/health', '/v1/jobs?workspace_id=w', '/nowhere');
    const requests = lines.filter((line) => line.msg === 'request');
    expect(requests.map((line) => [line.method, line.url, line.status])).toEqual([
      ['GET', '/v1/jobs?workspace_id=w', 200],
      ['GET', '/nowhere', 404],
    ]);
    expect(typeof requests[0].ms).toBe('number');
    expect(lines.some((line) => line.msg === 'incoming request' || line.msg === 'request completed')).toBe(false);
  });

  it('still logs a failing request with its error', async () => {
    const { lines, server } = capturingServer();
    await get(server, '/boom');
    const failed = lines.find((line) => line.url === '/boom' && line.status === 500);
    expect(failed).toBeDefined();
    expect(lines.some((line) => JSON.stringify(line).includes('kaput'))).toBe(true);
  });
});
