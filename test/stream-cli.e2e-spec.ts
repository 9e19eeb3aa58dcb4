// The live CLI (docs/cli.md §2, §7.3, §7.5): `mirage job logs` (raw, -f, --since, --json, bad input), `mirage
// execute` on a real pseudo-terminal (raw output, the command's exit code), and Ctrl-C typed on that
// terminal: the job is canceled and the CLI exits 130 (execute, job wait, job logs -f). The
// terminal is python3's pty module (test/support/pty-run.py) driving the real CLI binary against a
// real daemon on 127.0.0.1. Build first: `npm run build`.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_BIN, makeSandbox, REPO_ROOT, runCli, type Sandbox } from './support/cli.js';
import { startTestDaemon, type TestDaemon, sandboxAvailable } from './support/daemon.js';

const PTY_RUN = join(REPO_ROOT, 'test', 'support', 'pty-run.py');
const RAM = { mounts: { '/': { resource: 'ram', mode: 'write' } } };

interface PtyRun {
  code: number;
  chunks: { t: number; data: string }[];
  interrupted_at: number | null;
  killed: boolean;
}

const SANDBOX = await sandboxAvailable();
const LIVE_NAME = 'execute on a terminal shows each line as it comes (sandbox engine: three lines ~1 s apart)';

describe('live output on the CLI', () => {
  let d: TestDaemon;
  let box: Sandbox;
  let env: Record<string, string>;
  let triggers: string;

  /** The CLI on a pseudo-terminal; `interrupt` resolves when Ctrl-C should be typed. */
  const onPty = (args: string[], interrupt?: () => Promise<void>): Promise<PtyRun> => {
    const trigger = join(triggers, `ctrl-c-${Math.random().toString(36).slice(2)}`);
    const run = new Promise<PtyRun>((resolve, reject) => {
      execFile(
        'python3',
        [PTY_RUN, JSON.stringify([process.execPath, CLI_BIN, ...args]), interrupt === undefined ? '' : trigger, '30'],
        { env },
        (error, stdout) => {
          if (error) reject(error);
          else resolve(JSON.parse(stdout) as PtyRun);
        },
      );
    });
    if (interrupt !== undefined) void interrupt().then(() => writeFileSync(trigger, ''));
    return run;
  };
  const screen = (run: PtyRun): string =>
    run.chunks
      .map((c) => c.data)
      .join('')
      .replaceAll('\r\n', '\n');
  const cli = (args: string[]) => runCli(args, { env });
  const background = async (command: string): Promise<string> => {
    const answer = await d.call('POST', '/v1/workspaces/w/execute?background=true', { body: { command } });
    return answer.json.job_id as string;
  };
  const jobStatus = async (jobId: string): Promise<string> => (await d.call('GET', `/v1/jobs/${jobId}`)).json.status as string;
  /** Resolves once a job of the workspace whose command is `command` is running; answers its id. */
  const running = async (command: string): Promise<string> => {
    for (let i = 0; i < 300; i++) {
      const jobs = (await d.call('GET', '/v1/jobs?workspace_id=w')).json as { job_id: string; command: string; status: string }[];
      const job = jobs.find((j) => j.command === command && j.status === 'running');
      if (job !== undefined) return job.job_id;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no running job for ${command}`);
  };

  beforeAll(async () => {
    d = await startTestDaemon();
    box = makeSandbox();
    env = { ...box.env, MIRAGE_DAEMON_URL: d.url, MIRAGE_TOKEN: d.token };
    triggers = mkdtempSync(join(tmpdir(), 'mirage-pty-'));
    expect((await d.call('POST', '/v1/workspaces', { body: { id: 'w', config: RAM } })).status).toBe(201);
  });
  afterAll(async () => {
    rmSync(triggers, { recursive: true, force: true });
    box.cleanup();
    await d.close();
  });

  it('job logs prints the raw bytes on their streams and exits with the job exit code', async () => {
    const jobId = await background("printf 'one\\ntwo\\n'; printf 'bad\\n' >&2; exit 5");
    await d.call('POST', `/v1/jobs/${jobId}/wait`, { body: {} });
    const logs = await cli(['job', 'logs', jobId]);
    expect([logs.code, logs.stdout, logs.stderr]).toEqual([5, 'one\ntwo\n', 'bad\n']);
    const since = await cli(['job', 'logs', jobId, '--since', '1']);
    expect([since.code, since.stdout, since.stderr]).toEqual([5, '', 'bad\n']);
    const json = await cli(['job', 'logs', jobId, '--json']);
    const records = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((r) => r.seq)).toEqual([1, 2, 2]);
    expect(records[2]).toEqual({ status: 'done', exit_code: 5, seq: 2, truncated: false, discarded: false });
  });

  it('job logs -f waits for the end; a canceled job exits 130', async () => {
    const jobId = await background('sleep 1; echo finally');
    const followed = await cli(['job', 'logs', jobId, '-f']);
    expect([followed.code, followed.stdout]).toEqual([0, 'finally\n']);
    const canceled = await background('sleep 5');
    await d.call('DELETE', `/v1/jobs/${canceled}`);
    expect((await cli(['job', 'logs', canceled])).code).toBe(130);
  });

  it('job logs refuses an unknown job (exit 2) and a bad --since (usage, exit 2)', async () => {
    const unknown = await cli(['job', 'logs', 'job_0000000000000000']);
    expect([unknown.code, unknown.stdout, unknown.stderr]).toEqual([2, '', 'daemon error 404: job not found\n']);
    const jobId = await background('true');
    for (const bad of ['-1', 'abc', '1.5']) {
      const run = await cli(['job', 'logs', jobId, `--since=${bad}`]);
      expect([run.code, run.stdout]).toEqual([2, '']);
      expect(run.stderr).toContain('--since expects a seq');
    }
  });

  it('execute on a terminal prints the output raw and exits with the command exit code; --json keeps JSON', async () => {
    const raw = await onPty(['execute', '-w', 'w', '-c', 'echo hi; echo oops >&2; exit 3']);
    expect(raw.code).toBe(3);
    expect(screen(raw)).toBe('hi\noops\n');
    const json = await onPty(['execute', '-w', 'w', '-c', 'echo hi', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(screen(json))).toMatchObject({ kind: 'io', exit_code: 0, stdout: 'hi\n' });
    // Piped, as before: JSON.
    const piped = await cli(['execute', '-w', 'w', '-c', 'echo hi']);
    expect(piped.json).toMatchObject({ exit_code: 0, stdout: 'hi\n' });
  });

  it('Ctrl-C on a terminal cancels an execute and exits 130', async () => {
    const command = 'sleep 8; echo never > /never-execute';
    let jobId = '';
    const run = await onPty(['execute', '-w', 'w', '-c', command], async () => void (jobId = await running(command)));
    expect(run.killed).toBe(false);
    expect(run.code).toBe(130);
    expect(await jobStatus(jobId)).toBe('canceled');
    expect((await d.call('POST', '/v1/workspaces/w/execute', { body: { command: 'cat /never-execute' } })).json.exit_code).toBe(1);
  });

  (SANDBOX ? it : it.skip)(
    SANDBOX ? LIVE_NAME : `${LIVE_NAME} [skipped: GET /v1/health does not list the sandbox engine as available]`,
    async () => {
      expect((await d.call('POST', '/v1/workspaces', { body: { id: 'live', config: { ...RAM, engine: 'sandbox' } } })).status).toBe(201);
      const run = await onPty(['execute', '-w', 'live', '-c', 'for i in 1 2 3; do echo $i; sleep 1; done']);
      expect(run.code).toBe(0);
      expect(screen(run)).toBe('1\n2\n3\n');
      const arrival = (line: string): number => run.chunks.find((c) => c.data.includes(line))?.t ?? Number.NaN;
      expect(arrival('2') - arrival('1')).toBeGreaterThan(0.7);
      expect(arrival('3') - arrival('2')).toBeGreaterThan(0.7);
    },
    20_000,
  );

  it.each([
    ['job wait', (id: string) => ['job', 'wait', id]],
    ['job logs -f', (id: string) => ['job', 'logs', id, '-f']],
  ])('Ctrl-C on a terminal during %s cancels the job and exits 130', async (_name, args) => {
    const jobId = await background('sleep 10');
    // The CLI is waiting once it has started; no output tells when, so give it a generous moment.
    const run = await onPty(args(jobId), () => new Promise((resolve) => setTimeout(resolve, 2500)));
    expect(run.killed).toBe(false);
    expect(run.code).toBe(130);
    expect(await jobStatus(jobId)).toBe('canceled');
  });
});
