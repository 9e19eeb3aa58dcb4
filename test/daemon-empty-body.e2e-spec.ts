// A bodiless request that still says `Content-Type: application/json` (what many HTTP clients send
// on a DELETE or an argument-less POST) is accepted wherever the body is optional, whether it
// declares `Content-Length: 0` or no length at all; where fields are required it is a 400 naming
// them, and a body that is really there is still parsed (bad JSON stays a 400). Real daemon.
import { rawRequest, startTestDaemon, type HttpAnswer, type TestDaemon } from './support/daemon.js';

const RAM = { config: { mounts: { '/': { resource: 'ram' } } } };

/** The two forms of "no body with a JSON type": an explicit zero length, and no length at all. */
const BODILESS: ReadonlyArray<[string, Record<string, string>]> = [
  ['Content-Length: 0', { 'content-type': 'application/json', 'content-length': '0' }],
  ['no Content-Length', { 'content-type': 'application/json; charset=utf-8' }],
];

describe.each(BODILESS)('bodiless JSON requests (%s)', (_form, bodiless) => {
  let d: TestDaemon;
  let seq = 0;
  beforeAll(async () => {
    d = await startTestDaemon();
  });
  afterAll(() => d.close());

  /** Sends the request exactly as described: `rawRequest` writes no body and adds no length. */
  const empty = (method: string, path: string): Promise<HttpAnswer> =>
    rawRequest(d.url, method, path, { authorization: `Bearer ${d.token}`, ...bodiless });

  async function workspace(): Promise<string> {
    seq += 1;
    const id = `eb-${seq}`;
    const created = await d.call('POST', '/v1/workspaces', { body: { ...RAM, id } });
    expect(created.status).toBe(201);
    return id;
  }

  async function finishedJob(id: string): Promise<string> {
    const ran = await d.call('POST', `/v1/workspaces/${id}/execute`, { body: { command: 'echo done' } });
    expect(ran.status).toBe(200);
    return String(ran.headers['x-mirage-job-id']);
  }

  it('DELETE /v1/workspaces/{id}', async () => {
    const id = await workspace();
    const answer = await empty('DELETE', `/v1/workspaces/${id}`);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ id, closed_at: expect.any(Number) });
    expect((await d.call('GET', `/v1/workspaces/${id}`)).status).toBe(404);
  });

  it('POST /v1/workspaces/{id}/close', async () => {
    const id = await workspace();
    const answer = await empty('POST', `/v1/workspaces/${id}/close`);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ id });
  });

  it('POST /v1/workspaces/{id}/cancel', async () => {
    const id = await workspace();
    const answer = await empty('POST', `/v1/workspaces/${id}/cancel`);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ canceled: 0 });
  });

  it('POST /v1/workspaces/{id}/clone (a live copy, new id)', async () => {
    const id = await workspace();
    const answer = await empty('POST', `/v1/workspaces/${id}/clone`);
    expect(answer.status).toBe(201);
    expect(answer.json.id).toEqual(expect.any(String));
    expect(answer.json.id).not.toBe(id);
  });

  it('POST /v1/workspaces/{id}/commit', async () => {
    const id = await workspace();
    const answer = await empty('POST', `/v1/workspaces/${id}/commit`);
    expect(answer.status).toBe(200);
    expect((await d.call('GET', `/v1/workspaces/${id}/versions`)).json).toHaveLength(1);
  });

  it('POST /v1/workspaces/{id}/sessions and DELETE /v1/workspaces/{id}/sessions/{sid}', async () => {
    const id = await workspace();
    const created = await empty('POST', `/v1/workspaces/${id}/sessions`);
    expect(created.status).toBe(201);
    const sid = String(created.json.session_id);
    const deleted = await empty('DELETE', `/v1/workspaces/${id}/sessions/${sid}`);
    expect(deleted.status).toBe(200);
    expect((await d.call('GET', `/v1/workspaces/${id}/sessions/${sid}`)).status).toBe(404);
  });

  it('POST /v1/jobs/{jobId}/wait', async () => {
    const job = await finishedJob(await workspace());
    const answer = await empty('POST', `/v1/jobs/${job}/wait`);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ job_id: job, status: 'done' });
  });

  it('DELETE /v1/jobs/{jobId}', async () => {
    const id = await workspace();
    const started = await d.call('POST', `/v1/workspaces/${id}/execute?background=true`, { body: { command: 'sleep 20' } });
    expect(started.status).toBe(202);
    const answer = await empty('DELETE', `/v1/jobs/${started.json.job_id}`);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ job_id: started.json.job_id });
  });

  it.each([
    ['POST', '/v1/workspaces', 'config'],
    ['POST', '/v1/workspaces/clone', 'source_id'],
    ['POST', '/v1/workspaces/load', 'path'],
  ])('%s %s, whose body is required, is a 400 naming %s', async (method, path, field) => {
    const answer = await empty(method, path);
    expect(answer.status).toBe(400);
    expect(answer.json.detail).toContain(field);
  });

  it.each([
    ['branch', 'name'],
    ['checkout', 'ref'],
    ['snapshot', 'path'],
  ])('POST /v1/workspaces/{id}/%s, whose body is required, is a 400 naming %s', async (route, field) => {
    const id = await workspace();
    const answer = await empty('POST', `/v1/workspaces/${id}/${route}`);
    expect(answer.status).toBe(400);
    expect(answer.json.detail).toContain(field);
  });

  it('names a missing field once, even when two of its constraints say the same', async () => {
    const id = await workspace();
    const answer = await empty('POST', `/v1/workspaces/${id}/snapshot`);
    expect(answer.json.detail).toBe('path is required');
  });

  it('still parses a body that is there: bad JSON is a 400, a real body is read', async () => {
    const bad = await rawRequest(
      d.url,
      'POST',
      '/v1/workspaces',
      { authorization: `Bearer ${d.token}`, 'content-type': 'application/json' },
      '{"config":',
    );
    expect(bad.status).toBe(400);
    const id = await workspace();
    const session = await rawRequest(
      d.url,
      'POST',
      `/v1/workspaces/${id}/sessions`,
      { authorization: `Bearer ${d.token}`, 'content-type': 'application/json' },
      '{"session_id":"named"}',
    );
    expect(session.status).toBe(201);
    expect(session.json).toMatchObject({ session_id: 'named' });
  });

  it('still checks the token first on a bodiless request', async () => {
    const id = await workspace();
    const refused = await rawRequest(d.url, 'DELETE', `/v1/workspaces/${id}`, bodiless);
    expect(refused.status).toBe(401);
    expect((await d.call('GET', `/v1/workspaces/${id}`)).status).toBe(200);
  });

  it('POST /v1/shutdown (a daemon of its own)', async () => {
    const own = await startTestDaemon();
    try {
      const answer = await rawRequest(own.url, 'POST', '/v1/shutdown', { authorization: `Bearer ${own.token}`, ...bodiless });
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ status: 'shutting_down' });
    } finally {
      await own.close();
    }
  });
});
