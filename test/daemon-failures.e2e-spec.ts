// Failure paths of a real daemon: build failures (502), a job that fails (500 with its error),
// an unexpected error (500 without its text), multipart limits (413) and cut uploads (400).
import { request as httpRequest } from 'node:http';
import { MIRAGE_REGISTRY } from '@mirage-ts/daemon';
import type { WorkspaceRegistry } from '@mirage-ts/workspace-core';
import { startTestDaemon, type HttpAnswer, type TestDaemon } from './support/daemon.js';

const RAM = { mounts: { '/': { resource: 'ram', mode: 'write' } } };

function form(parts: Array<{ name: string; data: Buffer | string }>): { body: Buffer; contentType: string; boundary: string } {
  const boundary = 'mirageFailureBoundary';
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.name}"\r\n\r\n`));
    chunks.push(Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}`, boundary };
}

describe('daemon failure paths', () => {
  let d: TestDaemon;
  let registry: WorkspaceRegistry;
  beforeAll(async () => {
    d = await startTestDaemon({ maxStdinBytes: 64 * 1024 });
    registry = d.daemon.app.get<WorkspaceRegistry>(MIRAGE_REGISTRY);
    expect((await d.call('POST', '/v1/workspaces', { body: { config: RAM, id: 'f' } })).status).toBe(201);
  });
  afterAll(() => d.close());

  it('answers 502 when a resource cannot be built', async () => {
    const answer = await d.call('POST', '/v1/workspaces', { body: { config: { mounts: { '/': { resource: 'floppy' } } }, id: 'nope' } });
    expect(answer.status).toBe(502);
    expect(answer.json.detail).toContain('floppy');
    expect((await d.call('GET', '/v1/workspaces/nope')).status).toBe(404);
  });

  it('answers 500 {detail: "<Name>: <message>"} for a job that fails, and records it as failed', async () => {
    const workspace = registry.get('f');
    const original = workspace.execute.bind(workspace);
    workspace.execute = () => Promise.reject(new RangeError('engine exploded'));
    try {
      const answer = await d.call('POST', '/v1/workspaces/f/execute', { body: { command: 'echo hi' } });
      expect(answer.status).toBe(500);
      expect(answer.json).toEqual({ detail: 'RangeError: engine exploded' });
      const job = await d.call('GET', `/v1/jobs/${answer.headers['x-mirage-job-id']}`);
      expect(job.json).toMatchObject({ status: 'failed', error: 'RangeError: engine exploded', result: null });
    } finally {
      workspace.execute = original;
    }
    expect((await d.call('POST', '/v1/workspaces/f/execute', { body: { command: 'echo back' } })).json.stdout).toBe('back\n');
  });

  it('answers a bare 500 for an unexpected error, never its text', async () => {
    const original = registry.list.bind(registry);
    registry.list = () => {
      throw new TypeError('cannot read /home/secret/.aws/credentials');
    };
    let answer: HttpAnswer;
    try {
      answer = await d.call('GET', '/v1/workspaces');
    } finally {
      registry.list = original;
    }
    expect(answer.status).toBe(500);
    expect(answer.json).toEqual({ detail: 'Internal Server Error' });
    expect(answer.text).not.toContain('secret');
  });

  it('answers 413 for a stdin part over the limit and a request part over 1 MiB', async () => {
    const big = form([
      { name: 'request', data: '{"command":"wc -c"}' },
      { name: 'stdin', data: Buffer.alloc(64 * 1024 + 1) },
    ]);
    const stdin = await d.call('POST', '/v1/workspaces/f/execute', { body: big.body, headers: { 'content-type': big.contentType } });
    expect(stdin.status).toBe(413);
    expect(stdin.json).toEqual({ detail: 'stdin part too large' });
    const fits = form([
      { name: 'request', data: '{"command":"wc -c"}' },
      { name: 'stdin', data: Buffer.alloc(64 * 1024) },
    ]);
    expect(
      (
        await d.call('POST', '/v1/workspaces/f/execute', { body: fits.body, headers: { 'content-type': fits.contentType } })
      ).json.stdout.trim(),
    ).toBe(String(64 * 1024));
    const request = form([{ name: 'request', data: JSON.stringify({ command: 'true', cwd: '/'.repeat(1024 * 1024 + 1) }) }]);
    const tooBig = await d.call('POST', '/v1/workspaces/f/execute', {
      body: request.body,
      headers: { 'content-type': request.contentType },
    });
    expect(tooBig.status).toBe(413);
    expect(tooBig.json).toEqual({ detail: 'request part too large' });
  });

  it('answers 400 for a multipart body that ends before its closing boundary', async () => {
    const whole = form([
      { name: 'request', data: '{"command":"cat"}' },
      { name: 'stdin', data: 'abcdef' },
    ]);
    const cut = whole.body.subarray(0, whole.body.length - 40);
    const target = new URL(d.url);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: 'POST',
          path: '/v1/workspaces/f/execute',
          headers: { authorization: `Bearer ${d.token}`, 'content-type': whole.contentType, 'content-length': String(cut.length) },
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end(cut);
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({ detail: 'multipart body ended early' });
  });
});
