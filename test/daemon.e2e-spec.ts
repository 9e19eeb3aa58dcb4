// Every daemon route against a real daemon (createDaemon on 127.0.0.1:0, temp MIRAGE_HOME) with
// the real workspace-core: success shapes and every error status of docs/protocol.md §5–§11, in both
// request spellings (snake_case and camelCase).
import { request as httpRequest } from 'node:http';
import { startTestDaemon, type HttpAnswer, type TestDaemon } from './support/daemon.js';

const RAM = { mounts: { '/': { resource: 'ram', mode: 'write' } } };
const JOB_ID = /^job_[0-9a-f]{16}$/;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function multipart(parts: Array<{ name: string; data: Buffer | string; filename?: string; type?: string }>): {
  body: Buffer;
  contentType: string;
} {
  const boundary = `----mirage${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const filename = part.filename === undefined ? '' : `; filename="${part.filename}"`;
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${filename}\r\nContent-Type: ${part.type ?? 'application/octet-stream'}\r\n\r\n`,
      ),
    );
    chunks.push(Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

describe('daemon routes', () => {
  let d: TestDaemon;
  const post = (path: string, body?: unknown) => d.call('POST', path, { body });
  const exec = (ws: string, body: unknown, query = '') => d.call('POST', `/v1/workspaces/${ws}/execute${query}`, { body });
  const create = async (id: string, config: unknown = RAM): Promise<HttpAnswer> => post('/v1/workspaces', { config, id });

  beforeAll(async () => {
    d = await startTestDaemon();
  });
  afterAll(() => d.close());

  describe('health', () => {
    it('counts workspaces', async () => {
      await create('health-ws');
      const health = await d.call('GET', '/v1/health');
      expect(health.json.workspaces).toBeGreaterThanOrEqual(1);
      await d.call('DELETE', '/v1/workspaces/health-ws');
    });
  });

  describe('workspaces', () => {
    it('create 201 with the detail, 409 when taken, 400 on a bad config', async () => {
      const created = await create('ws-a');
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({
        id: 'ws-a',
        mode: 'write',
        created_at: expect.any(Number),
        fuse_mountpoints: {},
        internals: null,
      });
      expect(created.json.mounts).toEqual(expect.arrayContaining([expect.objectContaining({ prefix: '/', mode: 'write' })]));
      expect(created.json.sessions).toEqual(expect.arrayContaining([expect.objectContaining({ session_id: 'default' })]));
      const taken = await create('ws-a');
      expect(taken.status).toBe(409);
      expect(taken.json).toEqual({ detail: 'workspace id already exists: ws-a' });
      const noMounts = await create('ws-bad', {});
      expect(noMounts.status).toBe(400);
      expect(noMounts.json.detail).toEqual(expect.any(String));
      const missing = await post('/v1/workspaces', {});
      expect(missing.status).toBe(400);
      expect(missing.json).toEqual({ detail: 'config must be a mapping' });
    });

    it('mints a UUIDv7 id when none is given', async () => {
      const created = await post('/v1/workspaces', { config: RAM });
      expect(created.status).toBe(201);
      expect(created.json.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      await d.call('DELETE', `/v1/workspaces/${created.json.id}`);
    });

    it('lists briefs, gets details (internals with ?verbose=true only), 404 for unknown ids', async () => {
      await create('ws-list');
      const list = await d.call('GET', '/v1/workspaces');
      expect(list.status).toBe(200);
      expect(list.json).toEqual(
        expect.arrayContaining([
          {
            id: 'ws-list',
            mode: 'write',
            mount_count: expect.any(Number),
            session_count: expect.any(Number),
            created_at: expect.any(Number),
          },
        ]),
      );
      expect((await d.call('GET', '/v1/workspaces/ws-list')).json.internals).toBeNull();
      expect((await d.call('GET', '/v1/workspaces/ws-list?verbose=1')).json.internals).toBeNull();
      const verbose = await d.call('GET', '/v1/workspaces/ws-list?verbose=true');
      expect(verbose.json.internals).toMatchObject({ history_length: expect.any(Number), in_flight_jobs: expect.any(Number) });
      const missing = await d.call('GET', '/v1/workspaces/nope');
      expect(missing.status).toBe(404);
      expect(missing.json).toEqual({ detail: 'workspace not found' });
    });

    it('delete answers {id, closed_at} then 404; close and cancel', async () => {
      await create('ws-del');
      const deleted = await d.call('DELETE', '/v1/workspaces/ws-del');
      expect(deleted.status).toBe(200);
      expect(deleted.json).toEqual({ id: 'ws-del', closed_at: expect.any(Number) });
      expect((await d.call('GET', '/v1/workspaces/ws-del')).status).toBe(404);
      expect((await d.call('DELETE', '/v1/workspaces/ws-del')).json).toEqual({ detail: 'workspace not found' });

      await create('ws-close');
      const closed = await post('/v1/workspaces/ws-close/close');
      expect(closed.status).toBe(200);
      expect(closed.json).toEqual({ id: 'ws-close', closed_at: expect.any(Number) });
      expect((await post('/v1/workspaces/ws-close/close')).status).toBe(404);

      await create('ws-cancel');
      const job = await exec('ws-cancel', { command: 'sleep 10' }, '?background=true');
      expect(job.status).toBe(202);
      const canceled = await post('/v1/workspaces/ws-cancel/cancel');
      expect(canceled.status).toBe(200);
      expect(canceled.json).toEqual({ canceled: 1 });
      const waited = await post(`/v1/jobs/${job.json.job_id}/wait`, { timeout_s: 5 });
      expect(waited.json.status).toBe('canceled');
      expect((await post('/v1/workspaces/nope/cancel')).status).toBe(404);
    });

    it('delete cancels the running jobs of the workspace', async () => {
      await create('ws-del-jobs');
      const job = await exec('ws-del-jobs', { command: 'sleep 10' }, '?background=true');
      await d.call('DELETE', '/v1/workspaces/ws-del-jobs');
      const waited = await post(`/v1/jobs/${job.json.job_id}/wait`, { timeout_s: 5 });
      expect(waited.json.status).toBe('canceled');
    });
  });

  describe('sessions', () => {
    beforeAll(async () => {
      await create('ws-s');
    });

    it('create 201 (snake and camel), 409 duplicate, list, get, delete, 404s', async () => {
      const snake = await post('/v1/workspaces/ws-s/sessions', { session_id: 's1' });
      expect(snake.status).toBe(201);
      expect(snake.json).toEqual({ session_id: 's1', cwd: expect.any(String) });
      const camel = await post('/v1/workspaces/ws-s/sessions', { sessionId: 's2' });
      expect(camel.status).toBe(201);
      expect(camel.json.session_id).toBe('s2');
      const generated = await post('/v1/workspaces/ws-s/sessions');
      expect(generated.status).toBe(201);
      expect(generated.json.session_id).toMatch(/^sess_[0-9a-f]{12}$/);
      const duplicate = await post('/v1/workspaces/ws-s/sessions', { session_id: 's1' });
      expect(duplicate.status).toBe(409);
      expect(duplicate.json.detail).toContain('s1');
      const both = await post('/v1/workspaces/ws-s/sessions', { session_id: 'x', sessionId: 'y' });
      expect(both.status).toBe(400);

      const list = await d.call('GET', '/v1/workspaces/ws-s/sessions');
      expect(list.json.map((s: { session_id: string }) => s.session_id)).toEqual(expect.arrayContaining(['default', 's1', 's2']));
      expect((await d.call('GET', '/v1/workspaces/ws-s/sessions/s1')).json).toEqual({ session_id: 's1', cwd: expect.any(String) });
      expect((await d.call('GET', '/v1/workspaces/ws-s/sessions/zz')).status).toBe(404);

      const deleted = await d.call('DELETE', '/v1/workspaces/ws-s/sessions/s2');
      expect(deleted.status).toBe(200);
      expect(deleted.json).toEqual({ session_id: 's2' });
      const again = await d.call('DELETE', '/v1/workspaces/ws-s/sessions/s2');
      expect(again.status).toBe(404);
      expect(again.json).toEqual({ detail: 'session not found' });
      for (const [method, path] of [
        ['POST', '/v1/workspaces/nope/sessions'],
        ['GET', '/v1/workspaces/nope/sessions'],
        ['DELETE', '/v1/workspaces/nope/sessions/s1'],
      ] as const) {
        const answer = await d.call(method, path);
        expect(answer.status).toBe(404);
        expect(answer.json).toEqual({ detail: 'workspace not found' });
      }
    });

    it('refuses a bad mount ceiling with 422', async () => {
      const list = await post('/v1/workspaces/ws-s/sessions', { session_id: 'bad1', mounts: ['/'] });
      expect(list.status).toBe(422);
      const mode = await post('/v1/workspaces/ws-s/sessions', { session_id: 'bad2', mounts: { '/': 'admin' } });
      expect(mode.status).toBe(422);
      const ok = await post('/v1/workspaces/ws-s/sessions', { session_id: 'ro', mounts: { '/': 'read' } });
      expect(ok.status).toBe(201);
    });

    it('keeps cwd and env per session', async () => {
      await post('/v1/workspaces/ws-s/sessions', { session_id: 'keep' });
      await exec('ws-s', { command: 'mkdir -p /work && cd /work && export GREETING=hi', session_id: 'keep' });
      const answer = await exec('ws-s', { command: 'pwd; echo $GREETING', sessionId: 'keep' });
      expect(answer.json.stdout).toBe('/work\nhi\n');
      expect((await d.call('GET', '/v1/workspaces/ws-s/sessions/keep')).json.cwd).toBe('/work');
    });
  });

  describe('execute', () => {
    beforeAll(async () => {
      await create('ws-x');
    });

    it('runs synchronously: 200 IoResult with X-Mirage-Job-Id, non-zero exits included', async () => {
      const answer = await exec('ws-x', { command: 'echo hi' });
      expect(answer.status).toBe(200);
      expect(answer.headers['x-mirage-job-id']).toMatch(JOB_ID);
      expect(answer.json).toMatchObject({ kind: 'io', exit_code: 0, stdout: 'hi\n', stderr: '' });
      const failing = await exec('ws-x', { command: 'echo oops >&2; exit 3' });
      expect(failing.status).toBe(200);
      expect(failing.json).toMatchObject({ exit_code: 3, stderr: 'oops\n' });
      const job = await d.call('GET', `/v1/jobs/${answer.headers['x-mirage-job-id']}`);
      expect(job.json).toMatchObject({
        status: 'done',
        command: 'echo hi',
        workspace_id: 'ws-x',
        result: { exit_code: 0, stdout: 'hi\n' },
      });
    });

    it('applies a per-call cwd and env without changing the session', async () => {
      await exec('ws-x', { command: 'mkdir -p /tmp/here' });
      const answer = await exec('ws-x', { command: 'pwd; echo $WHO', cwd: '/tmp/here', env: { WHO: 'me' } });
      expect(answer.json.stdout).toBe('/tmp/here\nme\n');
      expect((await exec('ws-x', { command: 'pwd' })).json.stdout).not.toBe('/tmp/here\n');
      expect((await exec('ws-x', { command: 'pwd', env: { A: 1 } })).status).toBe(400);
    });

    it('takes stdin as stdin_base64 or stdinBase64', async () => {
      const snake = await exec('ws-x', { command: 'wc -l', stdin_base64: Buffer.from('a\nb\nc\n').toString('base64') });
      expect(snake.json.stdout.trim()).toBe('3');
      const camel = await exec('ws-x', { command: 'cat', stdinBase64: Buffer.from('héllo').toString('base64') });
      expect(camel.json.stdout).toBe('héllo');
      expect((await exec('ws-x', { command: 'cat', stdin_base64: '***' })).status).toBe(400);
    });

    it('takes stdin as multipart (request part first), binary and over 1 MiB', async () => {
      const bytes = Buffer.alloc(1536 * 1024);
      for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 7) % 256;
      const form = multipart([
        {
          name: 'request',
          data: JSON.stringify({ command: 'wc -c', sessionId: 'default' }),
          filename: 'request.json',
          type: 'application/json',
        },
        { name: 'stdin', data: bytes, filename: 'stdin.bin' },
      ]);
      const answer = await d.call('POST', '/v1/workspaces/ws-x/execute', {
        body: form.body,
        headers: { 'content-type': form.contentType },
      });
      expect(answer.json).toMatchObject({ exit_code: 0 });
      expect(answer.status).toBe(200);
      expect(answer.json.stdout.trim()).toBe(String(bytes.length));
      // A `request` sent as a plain field (Python client) and an empty stdin part.
      const field = multipart([
        { name: 'request', data: JSON.stringify({ command: 'wc -c' }) },
        { name: 'stdin', data: '' },
      ]);
      const empty = await d.call('POST', '/v1/workspaces/ws-x/execute', {
        body: field.body,
        headers: { 'content-type': field.contentType },
      });
      expect(empty.json.stdout.trim()).toBe('0');
    });

    it('refuses broken multipart bodies with 400 and creates no job', async () => {
      const before = (await d.call('GET', '/v1/jobs?workspace_id=ws-x')).json.length;
      const cases: Array<[Parameters<typeof multipart>[0], string]> = [
        [
          [
            { name: 'stdin', data: 'x' },
            { name: 'request', data: '{"command":"cat"}' },
          ],
          "the 'request' part must come before 'stdin'",
        ],
        [[{ name: 'stdin2', data: 'x' }], "multipart body missing 'request' part"],
        [[{ name: 'request', data: '{"command":' }], 'bad execute request'],
        [[{ name: 'request', data: '{"command":"cat","bogus":1}' }], 'unknown field: bogus'],
      ];
      for (const [parts, message] of cases) {
        const form = multipart(parts);
        const answer = await d.call('POST', '/v1/workspaces/ws-x/execute', {
          body: form.body,
          headers: { 'content-type': form.contentType },
        });
        expect(answer.status).toBe(400);
        expect(answer.json.detail).toContain(message);
        expect(answer.headers.connection).toBe('close');
      }
      const noBoundary = await d.call('POST', '/v1/workspaces/ws-x/execute', {
        body: 'x',
        headers: { 'content-type': 'multipart/form-data' },
      });
      expect(noBoundary.status).toBe(400);
      expect(noBoundary.json).toEqual({ detail: 'multipart body without a boundary' });
      expect((await d.call('GET', '/v1/jobs?workspace_id=ws-x')).json.length).toBe(before);
    });

    it('validates the body: 400 for a missing command or unknown field, 404 for an unknown workspace', async () => {
      expect((await exec('ws-x', {})).status).toBe(400);
      expect((await exec('ws-x', { command: 'ls', bogus: true })).json).toEqual({ detail: 'unknown field: bogus' });
      expect((await exec('ws-x', { command: 'ls' }, '?background=maybe')).json).toEqual({ detail: 'background must be true or false' });
      const missing = await exec('nope', { command: 'ls' });
      expect(missing.status).toBe(404);
      expect(missing.json).toEqual({ detail: 'workspace not found' });
      const noSession = await exec('ws-x', { command: 'ls', session_id: 'ghost' });
      expect(noSession.status).toBe(404);
      expect(noSession.json).toEqual({ detail: 'session not found' });
    });

    it('runs in the background: 202 {job_id, workspace_id, submitted_at} + header; wait, get, list', async () => {
      const accepted = await exec('ws-x', { command: 'echo bg' }, '?background=true');
      expect(accepted.status).toBe(202);
      expect(accepted.json).toEqual({ job_id: expect.stringMatching(JOB_ID), workspace_id: 'ws-x', submitted_at: expect.any(Number) });
      expect(accepted.headers['x-mirage-job-id']).toBe(accepted.json.job_id);
      // Empty body, no content type.
      const waited = await d.call('POST', `/v1/jobs/${accepted.json.job_id}/wait`);
      expect(waited.status).toBe(200);
      expect(waited.json).toMatchObject({
        job_id: accepted.json.job_id,
        status: 'done',
        result: { kind: 'io', stdout: 'bg\n' },
        error: null,
        finished_at: expect.any(Number),
      });
      expect((await d.call('GET', `/v1/jobs/${accepted.json.job_id}`)).json.status).toBe('done');
      for (const query of ['?workspace_id=ws-x', '?workspaceId=ws-x']) {
        const list = await d.call('GET', `/v1/jobs${query}`);
        expect(list.json.length).toBeGreaterThan(0);
        expect(list.json.every((job: { workspace_id: string }) => job.workspace_id === 'ws-x')).toBe(true);
        expect(list.json.some((job: Record<string, unknown>) => 'result' in job)).toBe(false);
      }
      expect((await d.call('GET', '/v1/jobs?workspace_id=nope')).json).toEqual([]);
    });

    it('answers a provision dry run without running anything', async () => {
      const answer = await exec('ws-x', { command: 'echo should-not-run > /provisioned.txt', provision: true });
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ kind: 'provision', children: expect.any(Array), precision: expect.any(String) });
      expect((await exec('ws-x', { command: 'ls /provisioned.txt' })).json.exit_code).not.toBe(0);
    });

    it('answers 499 when the foreground job is canceled through the job table', async () => {
      const pending = exec('ws-x', { command: 'sleep 10' });
      let jobId: string | undefined;
      for (let i = 0; i < 50 && jobId === undefined; i += 1) {
        await sleep(20);
        jobId = (await d.call('GET', '/v1/jobs?workspace_id=ws-x')).json.find(
          (job: { command: string; status: string }) => job.command === 'sleep 10' && job.status === 'running',
        )?.job_id;
      }
      expect(jobId).toMatch(JOB_ID);
      const canceled = await d.call('DELETE', `/v1/jobs/${jobId}`);
      expect(canceled.json).toEqual({ job_id: jobId, canceled: true });
      const answer = await pending;
      expect(answer.status).toBe(499);
      expect(answer.json).toEqual({ detail: 'job canceled' });
      expect(answer.headers['x-mirage-job-id']).toBe(jobId);
      expect((await d.call('DELETE', `/v1/jobs/${jobId}`)).json).toEqual({ job_id: jobId, canceled: false });
    });

    it('cancels the job of a client that disconnects', async () => {
      const target = new URL(d.url);
      const req = httpRequest({
        host: target.hostname,
        port: target.port,
        method: 'POST',
        path: '/v1/workspaces/ws-x/execute',
        headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/json' },
      });
      req.on('error', () => undefined);
      req.end(JSON.stringify({ command: 'sleep 20; echo disconnected' }));
      let job: { job_id: string; status: string } | undefined;
      for (let i = 0; i < 50 && job === undefined; i += 1) {
        await sleep(20);
        job = (await d.call('GET', '/v1/jobs?workspace_id=ws-x')).json.find((j: { command: string }) =>
          j.command.endsWith('echo disconnected'),
        );
      }
      req.destroy();
      const waited = await post(`/v1/jobs/${job!.job_id}/wait`, { timeout_s: 5 });
      expect(waited.json.status).toBe('canceled');
    });
  });

  describe('jobs', () => {
    beforeAll(async () => {
      await create('ws-j');
    });

    it('wait with a timeout answers the job as it stands without canceling; cancel answers {job_id, canceled}', async () => {
      const accepted = await exec('ws-j', { command: 'sleep 10' }, '?background=true');
      const id = accepted.json.job_id;
      const early = await post(`/v1/jobs/${id}/wait`, { timeout_s: 0 });
      expect(early.json.status).toMatch(/^(pending|running)$/);
      const camel = await post(`/v1/jobs/${id}/wait`, { timeoutS: 0.05 });
      expect(camel.json.status).toMatch(/^(pending|running)$/);
      expect((await post(`/v1/jobs/${id}/wait`, { timeout_s: 'soon' })).status).toBe(400);
      const canceled = await d.call('DELETE', `/v1/jobs/${id}`);
      expect(canceled.json).toEqual({ job_id: id, canceled: true });
      const final = await post(`/v1/jobs/${id}/wait`, { timeout_s: 5 });
      expect(final.json).toMatchObject({ status: 'canceled', result: null, cancel_requested: true });
      // A JSON `null` body is an empty request (wait without timeout; the job has finished).
      const nullBody = await d.call('POST', `/v1/jobs/${id}/wait`, { body: 'null', headers: { 'content-type': 'application/json' } });
      expect(nullBody.json).toMatchObject({ job_id: id, status: 'canceled' });
    });

    it('answers 404 job not found on every job route', async () => {
      for (const [method, path] of [
        ['GET', '/v1/jobs/job_0000000000000000'],
        ['POST', '/v1/jobs/job_0000000000000000/wait'],
        ['DELETE', '/v1/jobs/job_0000000000000000'],
      ] as const) {
        const answer = await d.call(method, path);
        expect(answer.status).toBe(404);
        expect(answer.json).toEqual({ detail: 'job not found' });
      }
    });
  });

  it('runs 100 concurrent executes across 10 workspaces, each answer its own', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `ws-c${i}`);
    await Promise.all(ids.map((id) => create(id)));
    const calls = Array.from({ length: 100 }, (_, n) => ({ ws: ids[n % 10], n }));
    const answers = await Promise.all(calls.map(({ ws, n }) => exec(ws, { command: `echo ${ws}-${n}; echo $((${n} * 2))` })));
    answers.forEach((answer, index) => {
      const { ws, n } = calls[index];
      expect(answer.status).toBe(200);
      expect(answer.json.stdout).toBe(`${ws}-${n}\n${n * 2}\n`);
    });
    const jobIds = new Set(answers.map((answer) => answer.headers['x-mirage-job-id']));
    expect(jobIds.size).toBe(100);
    await Promise.all(ids.map((id) => d.call('DELETE', `/v1/workspaces/${id}`)));
  });
});
