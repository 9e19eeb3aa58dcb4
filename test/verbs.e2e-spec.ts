// The workspace and session verbs (close, cancel, kill, status), `list --label`, and the `labels`,
// `env` and `idle_timeout_s` blocks of the workspace config, through the real CLI against a daemon
// it spawned on a loopback port (docs/cli.md §10, docs/protocol.md §6.8).
import { jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_BIN, freePort, makeSandbox, REPO_ROOT, runCli, stopDaemon, waitFor, type CliRun, type Sandbox } from './support/cli.js';

jest.setTimeout(90_000);

function expectExit(run: CliRun, code: number): void {
  if (run.code !== code) throw new Error(`expected exit ${code}, got ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
}

describe('workspace and session verbs, labels, env and idle_timeout_s', () => {
  let box: Sandbox;
  let dir: string;
  const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { env: { ...box.env, ...env } });

  /** Writes `name.yaml` with a ram root and the given extra top-level YAML. */
  function config(name: string, extra: string): string {
    const path = join(dir, `${name}.yaml`);
    writeFileSync(path, `mounts:\n  /:\n    resource: ram\n    mode: write\n${extra}`);
    return path;
  }

  beforeAll(async () => {
    const port = await freePort();
    // ZZ_SECRET is in the daemon's environment only because the CLI that spawns the daemon passes its own on.
    box = makeSandbox({
      MIRAGE_DAEMON_URL: `http://127.0.0.1:${port}`,
      MIRAGE_DAEMON_PORT: String(port),
      MIRAGE_IDLE_GRACE_SECONDS: '600',
      ZZ_SECRET: 's3cr3t',
    });
    dir = join(box.root, 'configs');
    mkdirSync(dir);
    expectExit(await cli(['workspace', 'create', config('base', 'labels:\n  team: search\n  tier: dev\n'), '--id', 'base']), 0);
  });

  afterAll(async () => {
    await stopDaemon(box.home);
    box.cleanup();
  });

  it('workspace cancel and kill end running jobs; session cancel touches only its session', async () => {
    expectExit(await cli(['session', 'create', 'base', '--id', 'other']), 0);
    const first = await cli(['execute', '-w', 'base', '-c', 'sleep 30', '--bg']);
    const second = await cli(['execute', '-w', 'base', '-s', 'other', '-c', 'sleep 30', '--bg']);
    expectExit(first, 0);
    expectExit(second, 0);

    const sessionCancel = await cli(['session', 'cancel', 'base', 'default']);
    expectExit(sessionCancel, 0);
    expect(sessionCancel.json).toEqual({ canceled: 1 });
    const firstJob = await cli(['job', 'wait', first.json.job_id, '--timeout', '5']);
    expect(firstJob.json.status).toBe('canceled');
    expect((await cli(['job', 'get', second.json.job_id])).json.status).toBe('running');

    const kill = await cli(['workspace', 'kill', 'base']);
    expectExit(kill, 0);
    expect(kill.json).toEqual({ killed: 1 });
    expect((await cli(['job', 'get', second.json.job_id])).json.status).toBe('canceled');
    expect((await cli(['workspace', 'kill', 'base'])).json).toEqual({ killed: 0 });

    const third = await cli(['execute', '-w', 'base', '-c', 'sleep 30', '--bg']);
    const cancel = await cli(['workspace', 'cancel', 'base']);
    expectExit(cancel, 0);
    expect(cancel.json).toEqual({ canceled: 1 });
    expect((await cli(['job', 'wait', third.json.job_id, '--timeout', '5'])).json.status).toBe('canceled');

    // The session stays usable after a kill.
    const sessionJob = await cli(['execute', '-w', 'base', '-s', 'other', '-c', 'sleep 30', '--bg']);
    expect((await cli(['session', 'kill', 'base', 'other'])).json).toEqual({ killed: 1 });
    expect((await cli(['job', 'get', sessionJob.json.job_id])).json.status).toBe('canceled');
    const after = await cli(['execute', '-w', 'base', '-s', 'other', '-c', 'echo still here']);
    expectExit(after, 0);
    expect(after.json.stdout).toBe('still here\n');
  });

  it('cancel, kill and close of an unknown workspace or session are 404s, exit 2', async () => {
    for (const args of [
      ['workspace', 'cancel', 'nope'],
      ['workspace', 'kill', 'nope'],
      ['workspace', 'close', 'nope'],
      ['workspace', 'status', 'nope'],
    ]) {
      const run = await cli(args);
      expectExit(run, 2);
      expect(run.stderr).toBe('daemon error 404: workspace not found\n');
    }
    for (const verb of ['cancel', 'kill']) {
      const run = await cli(['session', verb, 'base', 'nope']);
      expectExit(run, 2);
      expect(run.stderr).toBe('daemon error 404: session not found\n');
    }
  });

  it('workspace status compares the live files with the branch head', async () => {
    expectExit(await cli(['workspace', 'create', config('st', ''), '--id', 'st']), 0);
    expectExit(await cli(['execute', '-w', 'st', '-c', 'echo a > /a.txt']), 0);
    const before = await cli(['workspace', 'status', 'st']);
    expectExit(before, 0);
    expect(before.json).toEqual({ id: 'st', branch: 'main', head: null, clean: false, added: ['a.txt'], modified: [], deleted: [] });
    const commit = await cli(['workspace', 'commit', 'st', '-m', 'one']);
    expectExit(commit, 0);
    const clean = await cli(['workspace', 'status', 'st']);
    expect(clean.json).toMatchObject({ head: commit.json.version, clean: true, added: [], modified: [], deleted: [] });
    expectExit(await cli(['workspace', 'branch', 'st', 'exp']), 0);
    expectExit(await cli(['execute', '-w', 'st', '-c', 'echo b > /a.txt; echo c > /c.txt']), 0);
    const dirty = await cli(['workspace', 'status', 'st', '-b', 'exp']);
    expect(dirty.json).toMatchObject({
      branch: 'exp',
      head: commit.json.version,
      clean: false,
      added: ['c.txt'],
      modified: ['a.txt'],
      deleted: [],
    });
  });

  it('workspace close keeps the history for a later workspace of the id', async () => {
    const closed = await cli(['workspace', 'close', 'st']);
    expectExit(closed, 0);
    expect(closed.json).toEqual({ id: 'st', closed_at: expect.any(Number) });
    expect((await cli(['workspace', 'get', 'st'])).code).toBe(2);
    const log = await cli(['workspace', 'log', 'st']);
    expectExit(log, 0);
    expect(log.json.map((v: { message: string }) => v.message)).toEqual(['one']);
  });

  it('workspace list --label filters by every label given', async () => {
    expectExit(await cli(['workspace', 'create', config('prod', 'labels:\n  team: search\n  tier: prod\n'), '--id', 'prod']), 0);
    const ids = async (...labels: string[]) => {
      const run = await cli(['workspace', 'list', ...labels.flatMap((label) => ['--label', label])]);
      expectExit(run, 0);
      return (run.json as { id: string }[]).map((w) => w.id).sort();
    };
    expect(await ids('team=search')).toEqual(['base', 'prod']);
    expect(await ids('team=search', 'tier=prod')).toEqual(['prod']);
    expect(await ids('team=other')).toEqual([]);
    const list = await cli(['workspace', 'list', '-l', 'tier=dev']);
    expect(list.json).toEqual([expect.objectContaining({ id: 'base', labels: { team: 'search', tier: 'dev' } })]);
  });

  it('bad label syntax: exit 2 before any request, and a 400 from the daemon', async () => {
    for (const bad of ['team', '=search', 'team=a b', 'bad key=x']) {
      const run = await cli(['workspace', 'list', '--label', bad], { MIRAGE_DAEMON_URL: 'http://127.0.0.1:9' });
      expectExit(run, 2);
      expect(run.stderr).toMatch(/^invalid label selector: /);
    }
    const created = await cli(['workspace', 'create', config('badlabel', 'labels:\n  "bad key": x\n  ok: "a b"\n')]);
    expectExit(created, 2);
    expect(created.stderr).toMatch(/^daemon error 400: .*labels: invalid key "bad key".*labels\.ok: the value/);
    const notMap = await cli(['workspace', 'create', config('badlabel2', 'labels: [a, b]\n')]);
    expect(notMap.stderr).toBe('daemon error 400: labels must be a mapping of key: value\n');
  });

  it('env: literals, readonly values, the daemon environment and a dotenv file', async () => {
    const dotenv = join(dir, 'vars.env');
    writeFileSync(dotenv, '# comment\nDB_URL=postgres://db/x\nQUOTED="two words"\n');
    const path = config(
      'env',
      [
        'env:',
        '  GREETING: hello',
        '  COUNT: 3',
        '  PINNED: {value: fixed, readonly: true}',
        '  FROM_DAEMON: {from: env, key: ZZ_SECRET}',
        `  DB_URL: {from: dotenv, ref: ${dotenv}}`,
        `  PHRASE: {from: dotenv, ref: ${dotenv}, key: QUOTED}`,
        // Relative to the config file, not to the CLI's or the daemon's working directory.
        '  RELATIVE: {from: dotenv, ref: vars.env, key: DB_URL}',
        '',
      ].join('\n'),
    );
    expectExit(await cli(['workspace', 'create', path, '--id', 'env']), 0);
    const run = await cli(['execute', '-w', 'env', '-c', 'echo "$GREETING $COUNT $PINNED $FROM_DAEMON $DB_URL $PHRASE $RELATIVE"']);
    expectExit(run, 0);
    expect(run.json.stdout).toBe('hello 3 fixed s3cr3t postgres://db/x two words postgres://db/x\n');
    // A readonly entry comes back after a line that changes it, and wins over a line's own env.
    expectExit(await cli(['execute', '-w', 'env', '-c', 'PINNED=changed; GREETING=bye; echo $PINNED']), 0);
    const next = await cli(['execute', '-w', 'env', '-c', 'echo "$PINNED $GREETING"']);
    expect(next.json.stdout).toBe('fixed bye\n');
    const perLine = await cli(['execute', '-w', 'env', '--env', 'PINNED=other', '-c', 'echo $PINNED']);
    expect(perLine.json.stdout).toBe('fixed\n');
    // A new session starts with the block too.
    expectExit(await cli(['session', 'create', 'env', '--id', 's2']), 0);
    expect((await cli(['execute', '-w', 'env', '-s', 's2', '-c', 'echo $GREETING'])).json.stdout).toBe('hello\n');
  });

  it('env: value with from, a missing dotenv file, a missing key are 400s naming the entry', async () => {
    const cases: [string, RegExp][] = [
      ['  A: {value: x, from: env, key: HOME}\n', /env\.A: give value or from, not both/],
      [`  B: {from: dotenv, ref: ${join(dir, 'missing.env')}}\n`, /env\.B: dotenv file not found: .*missing\.env/],
      ['  C: {from: env, key: ZZ_NOT_SET_ANYWHERE}\n', /env\.C: ZZ_NOT_SET_ANYWHERE is not set in the daemon's environment/],
      ['  D: {from: vault, key: X}\n', /env\.D: from must be env or dotenv/],
      [`  E: {from: dotenv, ref: ${join(dir, 'vars.env')}, key: NOPE}\n`, /env\.E: NOPE is not in the dotenv file .*vars\.env/],
      ['  F: {from: dotenv}\n', /env\.F: from: dotenv needs ref/],
      ['  1BAD: x\n', /env: invalid variable name "1BAD"/],
    ];
    for (const [entry, expected] of cases) {
      const run = await cli(['workspace', 'create', config('badenv', `env:\n${entry}`)]);
      expectExit(run, 2);
      expect(run.stderr).toMatch(/^daemon error 400: /);
      expect(run.stderr).toMatch(expected);
    }
    const list = await cli(['workspace', 'list']);
    expect((list.json as { id: string }[]).map((w) => w.id).sort()).toEqual(['base', 'env', 'prod']);
  });

  it('idle_timeout_s closes a workspace after that long without a job, and refuses bad values', async () => {
    expectExit(await cli(['workspace', 'create', config('idle', 'idle_timeout_s: 1.5\n'), '--id', 'idle']), 0);
    // Keep it busy past its timeout: a running job is not idle.
    const busy = await cli(['execute', '-w', 'idle', '-c', 'sleep 2.5']);
    expectExit(busy, 0);
    expect((await cli(['workspace', 'get', 'idle'])).code).toBe(0);
    const gone = await waitFor(async () => (await cli(['workspace', 'get', 'idle'])).code === 2, 10_000, 250);
    expect(gone).toBe(true);
    for (const bad of ['0', '-1', 'soon']) {
      const run = await cli(['workspace', 'create', config('badidle', `idle_timeout_s: ${bad}\n`)]);
      expectExit(run, 2);
      expect(run.stderr).toMatch(/^daemon error 400: idle_timeout_s must be a number of seconds above 0/);
    }
  });

  it('exit 130: a foreground execute whose job is canceled, a canceled job, and Ctrl-C', async () => {
    const running = runCli(['execute', '-w', 'base', '-c', 'sleep 30'], { env: box.env });
    const started = await waitFor(
      async () => ((await cli(['job', 'list', '-w', 'base'])).json as { status: string }[]).some((job) => job.status === 'running'),
      10_000,
      200,
    );
    expect(started).toBe(true);
    expect((await cli(['workspace', 'cancel', 'base'])).json).toEqual({ canceled: 1 });
    const canceled = await running;
    expectExit(canceled, 130);
    expect(canceled.stderr).toMatch(/^daemon error 499: /);

    const job = await cli(['execute', '-w', 'base', '-c', 'sleep 30', '--bg']);
    expectExit(await cli(['job', 'cancel', job.json.job_id]), 0);
    const waited = await cli(['job', 'wait', job.json.job_id, '--timeout', '5']);
    expect(waited.json.status).toBe('canceled');
    expectExit(waited, 130);

    // Ctrl-C while waiting on a job: one line, exit 130.
    const sleeper = await cli(['execute', '-w', 'base', '-c', 'sleep 30', '--bg']);
    const child = spawn(process.execPath, [CLI_BIN, 'job', 'wait', sleeper.json.job_id], {
      env: box.env,
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // Signalled once the CLI is surely waiting: the job stays running until then.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toBe('interrupted\n');
    expectExit(await cli(['workspace', 'kill', 'base']), 0);
  });
});
