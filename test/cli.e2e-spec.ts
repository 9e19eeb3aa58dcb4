// End-to-end tests of the `mirage` CLI: the built binary as a child process against a real daemon
// (apps/daemon/bin/daemon.js, started by the CLI's own auto-spawn) in a temp MIRAGE_HOME.
// Build first: `npm run build`.
import { jest } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  answers,
  CLI_BIN,
  freePort,
  isAlive,
  makeSandbox,
  readPid,
  REPO_ROOT,
  runCli,
  stopDaemon,
  waitFor,
  type CliRun,
  type Sandbox,
} from './support/cli.js';

jest.setTimeout(60_000);

const RAM_YAML = 'mode: WRITE\nmounts:\n  /:\n    resource: ram\n    mode: WRITE\n';

/** Fails with the CLI's stderr in the message, so a broken run explains itself. */
function expectExit(run: CliRun, code: number): void {
  if (run.code !== code) throw new Error(`expected exit ${code}, got ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
}

/** A sandbox whose daemon URL is a free loopback port nobody listens on (until spawned there). */
async function sandboxWithPort(extra: Record<string, string> = {}): Promise<Sandbox & { url: string; port: number }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const box = makeSandbox({ MIRAGE_DAEMON_URL: url, MIRAGE_DAEMON_PORT: String(port), ...extra });
  return { ...box, url, port };
}

/** A local HTTP server that records every request it gets (and answers 500). */
async function captureServer(): Promise<{ url: string; requests: IncomingMessage[]; close(): Promise<void> }> {
  const requests: IncomingMessage[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req);
    res.statusCode = 500;
    res.end('{"detail":"capture"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((r) => server.close(() => r())) };
}

describe('mirage CLI without a daemon', () => {
  let box: Sandbox & { url: string; port: number };
  beforeEach(async () => (box = await sandboxWithPort()));
  afterEach(() => box.cleanup());

  it('--version prints the package version without loading oclif', async () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'apps/cli/package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const run = await runCli([flag], { env: box.env });
      expectExit(run, 0);
      expect(run.stdout).toBe(`${pkg.version}\n`);
    }
  });

  it('--help lists the topics and commands', async () => {
    const run = await runCli(['--help'], { env: box.env });
    expectExit(run, 0);
    for (const name of ['workspace', 'session', 'job', 'daemon', 'config', 'execute', 'provision']) expect(run.stdout).toContain(name);
    const ws = await runCli(['workspace', '--help'], { env: box.env });
    for (const verb of ['branch', 'checkout', 'clone', 'commit', 'create', 'delete', 'diff', 'get', 'list', 'load', 'log', 'snapshot']) {
      expect(ws.stdout).toContain(`workspace ${verb}`);
    }
  });

  it('shell completion: autocomplete builds a cache naming every command and its flags', async () => {
    expectExit(await runCli(['autocomplete', '--refresh-cache'], { env: box.env }), 0);
    const run = await runCli(['autocomplete', 'script', 'bash'], { env: box.env });
    expectExit(run, 0);
    const bash = readFileSync(join(box.env.XDG_CACHE_HOME, 'mirage', 'autocomplete', 'functions', 'bash', 'mirage.bash'), 'utf8');
    expect(bash).toContain('execute --json --workspace --command --session --cwd --env --bg');
    expect(bash).toContain('workspace:create');
    expect(run.stdout).toContain('MIRAGE_AC_BASH_SETUP_PATH');
  });

  it('usage errors exit 2 with one line', async () => {
    const cases: [string[], RegExp][] = [
      [['execute', '-w', 'x'], /Missing required flag command/],
      [['execute', '--nope', '-w', 'x', '-c', 'true'], /Nonexistent flag: --nope/],
      [['workspace', 'get'], /Missing 1 required arg/],
      [['frobnicate'], /unknown command: frobnicate/],
      [['workspace', 'frobnicate'], /unknown command: workspace frobnicate/],
      [['job', 'wait', 'j', '--timeout', 'soon'], /--timeout expects a number of seconds/],
      [['execute', '-w', 'x', '-c', 'true', '--env', 'NOEQUALS'], /--env expects KEY=VALUE/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args, { env: box.env });
      expectExit(run, 2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stdout).toBe('');
    }
  });

  it('non-create verbs fail fast with exit 1 and never spawn a daemon', async () => {
    const verbs = [
      ['workspace', 'list'],
      ['workspace', 'get', 'demo'],
      ['workspace', 'delete', 'demo'],
      ['workspace', 'snapshot', 'demo', join(box.root, 'out.tar')],
      ['execute', '-w', 'demo', '-c', 'echo hi'],
      ['provision', '-w', 'demo', '-c', 'echo hi'],
      ['session', 'list', 'demo'],
      ['job', 'list'],
    ];
    for (const args of verbs) {
      const run = await runCli(args, { env: box.env });
      expectExit(run, 1);
      expect(run.stderr).toBe(`daemon not reachable at ${box.url}; run \`mirage workspace create CONFIG.yaml\` to spawn one\n`);
    }
    expect(existsSync(join(box.home, 'daemon.log'))).toBe(false);
    expect(existsSync(join(box.home, 'daemon.pid'))).toBe(false);
    expect(await answers(box.url)).toBe(false);
    expect(existsSync(join(box.root, 'out.tar'))).toBe(false);
  });

  it('missing variables: exit 2 listing them sorted, nothing sent, nothing spawned', async () => {
    const capture = await captureServer();
    try {
      const config = join(box.root, 'ws.yaml');
      writeFileSync(
        config,
        'mounts:\n  /:\n    resource: ram\n  /s3:\n    resource: s3\n    config:\n      bucket: ${ZZ_BUCKET}\n      key: "${ZZ_ALPHA}-${ZZ_BUCKET}"\n',
      );
      for (const url of [capture.url, box.url]) {
        const run = await runCli(['workspace', 'create', config], { env: { ...box.env, MIRAGE_DAEMON_URL: url } });
        expectExit(run, 2);
        expect(run.stderr).toBe('missing environment variables: ZZ_ALPHA, ZZ_BUCKET\n');
      }
      expect(capture.requests).toHaveLength(0);
      expect(existsSync(join(box.home, 'daemon.log'))).toBe(false);
      expect(existsSync(join(box.home, 'auth_token'))).toBe(false);
    } finally {
      await capture.close();
    }
  });

  it('local pre-flight errors of create and load exit 2', async () => {
    const notMapping = join(box.root, 'list.yaml');
    writeFileSync(notMapping, '- a\n- b\n');
    const noMounts = join(box.root, 'nomounts.yaml');
    writeFileSync(noMounts, 'mode: WRITE\n');
    const cases: [string[], string][] = [
      [['workspace', 'create', join(box.root, 'absent.yaml')], `config file not found: ${join(box.root, 'absent.yaml')}\n`],
      [['workspace', 'create', notMapping], 'config source must be a mapping\n'],
      [['workspace', 'create', noMounts], 'config requires a `mounts` mapping\n'],
      [['workspace', 'load', 'no-such.tar'], 'tar file not found: no-such.tar\n'],
    ];
    for (const [args, stderr] of cases) {
      const run = await runCli(args, { env: box.env });
      expectExit(run, 2);
      expect(run.stderr).toBe(stderr);
    }
    const tar = join(box.root, 'x.tar');
    writeFileSync(tar, '');
    const missingOverride = await runCli(['workspace', 'load', tar, join(box.root, 'override.yaml')], { env: box.env });
    expectExit(missingOverride, 2);
    expect(missingOverride.stderr).toBe(`config file not found: ${join(box.root, 'override.yaml')}\n`);
    const override = join(box.root, 'override.yaml');
    writeFileSync(override, 'mounts:\n  /s3:\n    config:\n      secret: ${ZZ_SECRET}\n');
    const badOverride = await runCli(['workspace', 'load', tar, override], { env: box.env });
    expectExit(badOverride, 2);
    expect(badOverride.stderr).toBe(`invalid config YAML/JSON at ${override}: missing environment variables: ZZ_SECRET\n`);
    expect(existsSync(join(box.home, 'daemon.log'))).toBe(false);
  });

  it('a bad config.toml stops every verb with exit 2 before spawning', async () => {
    mkdirSync(box.home, { recursive: true });
    writeFileSync(join(box.home, 'config.toml'), '[daemon]\nbogus_key = "x"\n');
    const config = join(box.root, 'ws.yaml');
    writeFileSync(config, RAM_YAML);
    for (const args of [
      ['workspace', 'create', config],
      ['workspace', 'list'],
      ['daemon', 'start'],
    ]) {
      const run = await runCli(args, { env: box.env });
      expectExit(run, 2);
      expect(run.stderr).toBe("config.toml: the following [daemon] keys don't match any configuration option: bogus_key\n");
    }
    expect(existsSync(join(box.home, 'daemon.log'))).toBe(false);
  });

  it('a non-local URL is never spawned for, even by create', async () => {
    const config = join(box.root, 'ws.yaml');
    writeFileSync(config, RAM_YAML);
    const run = await runCli(['workspace', 'create', config], { env: { ...box.env, MIRAGE_DAEMON_URL: 'http://mirage.invalid:8765' } });
    expectExit(run, 1);
    expect(run.stderr).toBe('daemon not reachable at http://mirage.invalid:8765\n');
    expect(existsSync(join(box.home, 'daemon.log'))).toBe(false);
  });

  it('daemon status and kill without a daemon', async () => {
    const status = await runCli(['daemon', 'status'], { env: box.env });
    expectExit(status, 1);
    expect(status.json).toEqual({ running: false, pid: null, url: box.url });
    const kill = await runCli(['daemon', 'kill'], { env: box.env });
    expectExit(kill, 0);
    expect(kill.json).toEqual({ killed: false, reason: 'no daemon running', pid: null });
    const stop = await runCli(['daemon', 'stop'], { env: box.env });
    expectExit(stop, 1);
    expect(stop.stderr).toMatch(/^daemon not reachable: /);
  });

  it('config set/get/unset/list keep the file format and mode 600', async () => {
    const path = join(box.home, 'config.toml');
    mkdirSync(box.home, { recursive: true });
    writeFileSync(path, '# my settings\n[daemon]\nurl = "http://127.0.0.1:1"\n\n[other]\nkeep = true\n');
    let run = await runCli(['config', 'set', 'port', '9100'], { env: box.env });
    expectExit(run, 0);
    expect(run.json).toEqual({ port: '9100', written: true });
    run = await runCli(['config', 'set', 'auth_mode', 'to"ken'], { env: box.env });
    expect(run.json).toEqual({ auth_mode: 'to"ken', written: true });
    expect(readFileSync(path, 'utf8')).toBe(
      '# my settings\n[daemon]\nurl = "http://127.0.0.1:1"\nport = 9100\nauth_mode = "to\\"ken"\n\n[other]\nkeep = true\n',
    );
    expect(statSync(path).mode & 0o777).toBe(0o600);

    run = await runCli(['config', 'get', 'port'], { env: box.env });
    expectExit(run, 0);
    expect(run.json).toEqual({ port: '9100' });
    run = await runCli(['config', 'get', 'idle_grace_seconds'], { env: box.env });
    expectExit(run, 1);
    expect(run.stderr).toBe('idle_grace_seconds is not set\n');
    run = await runCli(['config', 'get', 'colour'], { env: box.env });
    expectExit(run, 2);
    expect(run.stderr).toMatch(/^unknown config key: 'colour'; allowed: allowed_hosts, auth_mode, auth_token, /);
    run = await runCli(['config', 'set', 'port', 'many'], { env: box.env });
    expectExit(run, 2);

    run = await runCli(['config', 'list'], { env: box.env });
    expect(run.json).toEqual({ url: 'http://127.0.0.1:1', port: '9100', auth_mode: 'to"ken' });
    run = await runCli(['config', 'unset', 'auth_mode'], { env: box.env });
    expect(run.json).toEqual({ auth_mode: null, unset: true });
    expect(readFileSync(path, 'utf8')).toBe('# my settings\n[daemon]\nurl = "http://127.0.0.1:1"\nport = 9100\n\n[other]\nkeep = true\n');

    // A key the daemon would refuse: listed with a warning, and removable with unset.
    writeFileSync(path, '[daemon]\nport = 9100\nbogus = 1\n');
    run = await runCli(['config', 'list'], { env: box.env });
    expectExit(run, 0);
    expect(run.stderr).toBe('warning: unknown [daemon] keys (daemon will refuse to start): bogus\n');
    run = await runCli(['config', 'unset', 'bogus'], { env: box.env });
    expectExit(run, 0);
    expect(readFileSync(path, 'utf8')).toBe('[daemon]\nport = 9100\n');
  });

  it('config list --resolved: env over file over default, token masked', async () => {
    mkdirSync(box.home, { recursive: true });
    writeFileSync(join(box.home, 'config.toml'), '[daemon]\nurl = "http://127.0.0.1:2"\nidle_grace_seconds = 7\nauth_token = "s3cret"\n');
    const run = await runCli(['config', 'list', '--resolved'], { env: { ...box.env, MIRAGE_DAEMON_PORT: '' } });
    expectExit(run, 0);
    expect(run.json.url).toEqual({ value: box.url, origin: 'env MIRAGE_DAEMON_URL' });
    expect(run.json.idle_grace_seconds).toEqual({ value: '7', origin: 'file' });
    expect(run.json.port).toEqual({ value: '8765', origin: 'default' });
    expect(run.json.auth_token).toEqual({ value: '***', origin: 'file' });
    expect(run.stdout).not.toContain('s3cret');
  });
});

describe('mirage CLI against a daemon it spawned', () => {
  let box: Sandbox & { url: string; port: number };
  let config: string;
  const cli = (args: string[], input = '', env: Record<string, string> = {}) => runCli(args, { env: { ...box.env, ...env }, input });

  beforeAll(async () => {
    box = await sandboxWithPort({ MIRAGE_IDLE_GRACE_SECONDS: '600' });
    config = join(box.root, 'ws.yaml');
    writeFileSync(config, 'mode: WRITE\nmounts:\n  /:\n    resource: ram\n    mode: ${ZZ_MODE}\n');
    const created = await cli(['workspace', 'create', config, '--id', 'demo'], '', { ZZ_MODE: 'write' });
    expectExit(created, 0);
  });

  afterAll(async () => {
    await stopDaemon(box.home);
    box.cleanup();
  });

  it('create spawned the daemon: token file 0600, log, pid, status', async () => {
    expect(statSync(join(box.home, 'auth_token')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(box.home, 'daemon.log'))).toBe(true);
    const status = await cli(['daemon', 'status']);
    expectExit(status, 0);
    expect(status.json).toMatchObject({ running: true, pid: readPid(box.home), url: box.url, workspaces: 1 });
    expect(typeof status.json.uptime_s).toBe('number');
    // spawned with the memory flags (apps/cli/src/lib/spawner.ts DAEMON_NODE_FLAGS)
    const argv = readFileSync(`/proc/${readPid(box.home)}/cmdline`, 'utf8').split('\0');
    expect(argv).toEqual(expect.arrayContaining(['--max-semi-space-size=4', '--v8-pool-size=1']));
    expect(argv.findIndex((arg) => arg.endsWith('daemon.js'))).toBeGreaterThan(argv.indexOf('--v8-pool-size=1'));
  });

  it('workspace list and get print the daemon JSON', async () => {
    const list = await cli(['workspace', 'list']);
    expectExit(list, 0);
    expect(list.stdout.endsWith('\n')).toBe(true);
    expect(list.stdout).toBe(`${JSON.stringify(list.json, null, 2)}\n`);
    expect(list.json.map((w: { id: string }) => w.id)).toContain('demo');
    const get = await cli(['workspace', 'get', 'demo']);
    expectExit(get, 0);
    expect(get.json).toMatchObject({ id: 'demo', mounts: [expect.objectContaining({ prefix: '/', mode: 'write' })] });
    const verbose = await cli(['workspace', 'get', 'demo', '--verbose']);
    expect(verbose.json.internals).toEqual(expect.objectContaining({ in_flight_jobs: expect.any(Number) }));
  });

  it('daemon errors exit 2 with `daemon error <status>: <detail>`', async () => {
    const run = await cli(['workspace', 'get', 'nope']);
    expectExit(run, 2);
    expect(run.stderr).toBe('daemon error 404: workspace not found\n');
    const dup = await cli(['workspace', 'create', config, '--id', 'demo'], '', { ZZ_MODE: 'write' });
    expectExit(dup, 2);
    expect(dup.stderr).toMatch(/^daemon error 409: /);
    const job = await cli(['job', 'get', 'job_nope']);
    expectExit(job, 2);
    expect(job.stderr).toBe('daemon error 404: job not found\n');
  });

  it('execute: stdout, exit codes, piped stdin, cwd and env', async () => {
    const echo = await cli(['execute', '-w', 'demo', '-c', 'echo hello world']);
    expectExit(echo, 0);
    expect(echo.json).toMatchObject({ kind: 'io', stdout: 'hello world\n', exit_code: 0 });
    expectExit(await cli(['execute', '-w', 'demo', '-c', 'false']), 1);
    const three = await cli(['execute', '--workspace_id', 'demo', '-c', 'exit 3']);
    expectExit(three, 3);
    expect(three.json.exit_code).toBe(3);
    const wc = await cli(['execute', '-w', 'demo', '-c', 'wc -c'], 'abc');
    expectExit(wc, 0);
    expect(wc.json.stdout.trim()).toBe('3');
    const bytes = await cli(['execute', '-w', 'demo', '-c', 'cat > /in.txt && cat /in.txt'], 'line 1\nline 2\n');
    expect(bytes.json.stdout).toBe('line 1\nline 2\n');
    await cli(['execute', '-w', 'demo', '-c', 'mkdir -p /work/sub']);
    const cwdEnv = await cli([
      'execute',
      '-w',
      'demo',
      '--cwd',
      '/work/sub',
      '--env',
      'GREETING=hi there',
      '--env',
      'X=a=b',
      '-c',
      'echo "$PWD $GREETING $X"',
    ]);
    expectExit(cwdEnv, 0);
    expect(cwdEnv.json.stdout).toBe('/work/sub hi there a=b\n');
  });

  it('execute --bg then job wait/get/list/cancel', async () => {
    const bg = await cli(['execute', '-w', 'demo', '--background', '-c', 'echo from-job; exit 4']);
    expectExit(bg, 0);
    const jobId: string = bg.json.job_id;
    expect(typeof jobId).toBe('string');
    const waited = await cli(['job', 'wait', jobId]);
    expectExit(waited, 4);
    expect(waited.json).toMatchObject({ job_id: jobId, status: 'done', result: { kind: 'io', stdout: 'from-job\n', exit_code: 4 } });
    const got = await cli(['job', 'get', jobId]);
    expectExit(got, 4);
    const list = await cli(['job', 'list', '-w', 'demo']);
    expectExit(list, 0);
    expect(list.json.map((j: { job_id: string }) => j.job_id)).toContain(jobId);

    const slow = await cli(['execute', '-w', 'demo', '--bg', '-c', 'sleep 30']);
    const slowId: string = slow.json.job_id;
    const early = await cli(['job', 'wait', slowId, '--timeout', '0.2']);
    expectExit(early, 0);
    expect(['pending', 'running']).toContain(early.json.status);
    const cancel = await cli(['job', 'cancel', slowId]);
    expectExit(cancel, 0);
    expect(cancel.json).toEqual({ job_id: slowId, canceled: true });
    const after = await cli(['job', 'wait', slowId]);
    expect(after.json.status).toBe('canceled');
    // 130 for a canceled job without an IO result (docs/cli.md §10.3), else the aborted command's 124.
    expect([130, 124]).toContain(after.code);
  });

  it('provision estimates without running', async () => {
    const run = await cli(['provision', '-w', 'demo', '-c', 'echo x > /provisioned.txt']);
    expectExit(run, 0);
    expect(run.json.kind).toBe('provision');
    const check = await cli(['execute', '-w', 'demo', '-c', 'test -e /provisioned.txt']);
    expectExit(check, 1);
  });

  it('sessions: create, list, get, use, delete', async () => {
    const created = await cli(['session', 'create', 'demo', '--id', 'agent-1']);
    expectExit(created, 0);
    expect(created.json).toMatchObject({ session_id: 'agent-1' });
    expectExit(await cli(['execute', '-w', 'demo', '-s', 'agent-1', '-c', 'mkdir -p /s1 && cd /s1']), 0);
    const pwd = await cli(['execute', '-w', 'demo', '--session_id', 'agent-1', '-c', 'pwd']);
    expect(pwd.json.stdout).toBe('/s1\n');
    const list = await cli(['session', 'list', 'demo']);
    expect(list.json.map((s: { session_id: string }) => s.session_id)).toContain('agent-1');
    const get = await cli(['session', 'get', 'demo', 'agent-1']);
    expectExit(get, 0);
    expect(get.json).toMatchObject({ session_id: 'agent-1', cwd: '/s1' });
    expectExit(await cli(['session', 'delete', 'demo', 'agent-1']), 0);
    const gone = await cli(['session', 'get', 'demo', 'agent-1']);
    expectExit(gone, 2);
    expect(gone.stderr).toMatch(/^daemon error 404: /);
  });

  it('snapshot downloads a tar that load restores', async () => {
    await cli(['execute', '-w', 'demo', '-c', 'mkdir -p /snap && printf payload > /snap/file.txt']);
    const out = join(box.root, 'snapshots', 'demo.tar');
    mkdirSync(join(box.root, 'snapshots'));
    const snap = await cli(['workspace', 'snapshot', 'demo', out]);
    expectExit(snap, 0);
    expect(snap.json).toEqual({ id: 'demo', path: out, size: statSync(out).size });
    expect(execFileSync('tar', ['tf', out], { encoding: 'utf8' })).toContain('manifest.json');

    const missingDir = await cli(['workspace', 'snapshot', 'demo', join(box.root, 'no-dir', 'x.tar')]);
    expectExit(missingDir, 2);
    const notFound = await cli(['workspace', 'snapshot', 'nope', join(box.root, 'nope.tar')]);
    expectExit(notFound, 2);
    expect(existsSync(join(box.root, 'nope.tar'))).toBe(false);

    const loaded = await cli(['workspace', 'load', out, '--id', 'restored']);
    expectExit(loaded, 0);
    expect(loaded.json.id).toBe('restored');
    const cat = await cli(['execute', '-w', 'restored', '-c', 'cat /snap/file.txt']);
    expect(cat.json.stdout).toBe('payload');
    expectExit(await cli(['workspace', 'delete', 'restored']), 0);
  });

  it('load with a config override (${VAR} filled in) changes the mount and keeps the files', async () => {
    await cli(['execute', '-w', 'demo', '-c', 'mkdir -p /ov && printf kept > /ov/file.txt']);
    const tar = join(box.root, 'override-src.tar');
    expectExit(await cli(['workspace', 'snapshot', 'demo', tar]), 0);
    const override = join(box.root, 'override.yaml');
    writeFileSync(override, 'mounts:\n  /:\n    resource: ram\n    mode: ${ZZ_MOUNT_MODE}\n');
    const readOnly = await cli(['workspace', 'load', tar, override, '--id', 'read-only'], '', { ZZ_MOUNT_MODE: 'read' });
    expectExit(readOnly, 0);
    try {
      expect(readOnly.json.mounts).toEqual([expect.objectContaining({ prefix: '/', mode: 'read' })]);
      expectExit(await cli(['execute', '-w', 'read-only', '-c', 'echo x > /new.txt']), 1);
      const cat = await cli(['execute', '-w', 'read-only', '-c', 'cat /ov/file.txt']);
      expect(cat.json.stdout).toBe('kept');
    } finally {
      expectExit(await cli(['workspace', 'delete', 'read-only']), 0);
    }
  });

  it('versions: commit, log, diff, branch, checkout, clone --at', async () => {
    await cli(['execute', '-w', 'demo', '-c', 'printf one > /v.txt']);
    const commit = await cli(['workspace', 'commit', 'demo', '-m', 'first']);
    expectExit(commit, 0);
    expect(commit.json).toMatchObject({ branch: 'main', version: expect.any(String) });
    const first: string = commit.json.version;
    await cli(['execute', '-w', 'demo', '-c', 'printf two > /v.txt; printf new > /added.txt']);
    const diff = await cli(['workspace', 'diff', 'demo']);
    expectExit(diff, 0);
    expect(diff.json.modified).toContain('v.txt'); // relative paths (docs/protocol.md §10.4)
    expect(diff.json.added).toContain('added.txt');
    const second = await cli(['workspace', 'commit', 'demo', '-m', 'second']);
    const log = await cli(['workspace', 'log', 'demo']);
    expectExit(log, 0);
    expect(log.json.map((v: { message: string }) => v.message).slice(0, 2)).toEqual(['second', 'first']);
    const between = await cli(['workspace', 'diff', 'demo', first, second.json.version]);
    expect(between.json.added).toContain('added.txt');
    const branch = await cli(['workspace', 'branch', 'demo', 'experiment']);
    expectExit(branch, 0);
    expect(branch.json).toMatchObject({ branch: 'experiment' });
    const onBranch = await cli(['workspace', 'log', 'demo', '-b', 'experiment']);
    expect(onBranch.json.length).toBeGreaterThanOrEqual(2);
    const checkout = await cli(['workspace', 'checkout', 'demo', first]);
    expectExit(checkout, 0);
    expect((await cli(['execute', '-w', 'demo', '-c', 'cat /v.txt'])).json.stdout).toBe('one');
    const clone = await cli(['workspace', 'clone', 'demo', '--id', 'demo-at-second', '--at', second.json.version]);
    expectExit(clone, 0);
    expect((await cli(['execute', '-w', 'demo-at-second', '-c', 'cat /v.txt'])).json.stdout).toBe('two');
    const live = await cli(['workspace', 'clone', 'demo', '--id', 'demo-live']);
    expectExit(live, 0);
    expect((await cli(['execute', '-w', 'demo-live', '-c', 'cat /v.txt'])).json.stdout).toBe('one');
    for (const id of ['demo-at-second', 'demo-live']) expectExit(await cli(['workspace', 'delete', id]), 0);
  });

  it('config precedence: env URL over config.toml, token env over token file', async () => {
    mkdirSync(box.home, { recursive: true });
    writeFileSync(join(box.home, 'config.toml'), `[daemon]\nurl = "${box.url}"\n`);
    // Without MIRAGE_DAEMON_URL the config.toml URL is used...
    const viaFile = await cli(['workspace', 'list'], '', { MIRAGE_DAEMON_URL: '' });
    expectExit(viaFile, 0);
    // ...and the env var wins over it.
    const dead = `http://127.0.0.1:${await freePort()}`;
    const viaEnv = await cli(['workspace', 'list'], '', { MIRAGE_DAEMON_URL: dead });
    expectExit(viaEnv, 1);
    expect(viaEnv.stderr).toContain(dead);
    // A wrong MIRAGE_TOKEN beats the (right) token file: the daemon refuses it.
    const wrongToken = await cli(['workspace', 'list'], '', { MIRAGE_TOKEN: 'wrong' });
    expectExit(wrongToken, 2);
    expect(wrongToken.stderr).toMatch(/^daemon error 401: /);
    writeFileSync(join(box.home, 'config.toml'), '');
  });

  it('a plugin linked with `mirage plugins link` adds `workspace tree`', async () => {
    const link = await cli(['plugins', 'link', join(REPO_ROOT, 'examples', 'plugin-tree'), '--no-install']);
    expectExit(link, 0);
    await cli(['execute', '-w', 'demo', '-c', 'mkdir -p /tree/a && touch /tree/a/f.txt /tree/b.txt']);
    const tree = await cli(['workspace', 'tree', 'demo', '--path', '/tree']);
    expectExit(tree, 0);
    expect(tree.json).toEqual({ id: 'demo', root: '/tree', paths: expect.arrayContaining(['/tree/a', '/tree/a/f.txt', '/tree/b.txt']) });
    const missing = await cli(['workspace', 'tree', 'nope']);
    expectExit(missing, 2);
    expect(missing.stderr).toBe('daemon error 404: workspace not found\n');
  });

  it('on a terminal prints the human formats; --json forces JSON', () => {
    // `script` gives the CLI a pseudo-terminal as stdout.
    const quote = (a: string): string => `'${a.replaceAll("'", `'\\''`)}'`;
    const onTty = (args: string[]): string =>
      execFileSync('script', ['-qec', [process.execPath, CLI_BIN, ...args].map(quote).join(' '), '/dev/null'], {
        env: box.env,
        input: '',
        encoding: 'utf8',
      }).replaceAll('\r\n', '\n');
    const list = onTty(['workspace', 'list']);
    expect(list).toMatch(/^ID +MODE +MOUNTS +SESSIONS +AGE\n/);
    expect(list).toMatch(/\ndemo +write +1 +\d+ +\d+[smhd]\n/);
    const detail = onTty(['workspace', 'get', 'demo']);
    expect(detail).toMatch(
      /^ID: {8}demo\nMode: {6}write\nCreated: {3}\d+[smhd] ago\n\nMounts:\n {2}PREFIX +RESOURCE +MODE\n {2}\/ +ram +write\n/,
    );
    expect(onTty(['daemon', 'status'])).toMatch(
      new RegExp(`^Running\\. PID ${readPid(box.home)}, uptime \\d+[smhd], \\d+ workspaces?\\. URL: ${box.url}\n$`),
    );
    expect(JSON.parse(onTty(['workspace', 'get', 'demo', '--json'])).id).toBe('demo');
    // execute on a terminal prints the command's output raw as it comes (docs/cli.md §2); --json keeps JSON.
    expect(onTty(['execute', '-w', 'demo', '-c', 'echo tty'])).toBe('tty\n');
    expect(JSON.parse(onTty(['execute', '-w', 'demo', '-c', 'echo tty', '--json'])).stdout).toBe('tty\n');
  });

  it('delete prints the closed workspace', async () => {
    expectExit(await cli(['workspace', 'create', config, '--id', 'short-lived'], '', { ZZ_MODE: 'write' }), 0);
    const run = await cli(['workspace', 'delete', 'short-lived']);
    expectExit(run, 0);
    expect(run.json).toMatchObject({ id: 'short-lived' });
    expectExit(await cli(['workspace', 'get', 'short-lived']), 2);
  });
});

describe('daemon lifecycle through the CLI', () => {
  let box: Sandbox & { url: string; port: number };
  beforeEach(async () => (box = await sandboxWithPort({ MIRAGE_IDLE_GRACE_SECONDS: '1' })));
  afterEach(async () => {
    await stopDaemon(box.home);
    box.cleanup();
  });

  it('auto-spawns on create, then exits after the idle grace once the last workspace is deleted', async () => {
    const config = join(box.root, 'ws.yaml');
    writeFileSync(config, RAM_YAML);
    const created = await runCli(['workspace', 'create', config, '--id', 'idle'], { env: box.env });
    expectExit(created, 0);
    expect(created.json.id).toBe('idle');
    const pid = readPid(box.home);
    expect(pid).toBeDefined();
    expect(isAlive(pid as number)).toBe(true);
    expectExit(await runCli(['workspace', 'delete', 'idle'], { env: box.env }), 0);
    expect(await waitFor(() => !isAlive(pid as number) && !existsSync(join(box.home, 'daemon.pid')), 8000)).toBe(true);
    expect(await answers(box.url)).toBe(false);
  });

  it('two CLIs started at the same moment end with one daemon', async () => {
    const config = join(box.root, 'ws.yaml');
    writeFileSync(config, RAM_YAML);
    const env = { ...box.env, MIRAGE_IDLE_GRACE_SECONDS: '600' };
    const [a, b] = await Promise.all([
      runCli(['workspace', 'create', config, '--id', 'a'], { env }),
      runCli(['workspace', 'create', config, '--id', 'b'], { env }),
    ]);
    expectExit(a, 0);
    expectExit(b, 0);
    const log = readFileSync(join(box.home, 'daemon.log'), 'utf8');
    expect(log.match(/listening on/g) ?? []).toHaveLength(1);
    expect(log).not.toMatch(/failed to start|EADDRINUSE/);
    const list = await runCli(['workspace', 'list'], { env });
    expect(list.json.map((w: { id: string }) => w.id).sort()).toEqual(['a', 'b']);
    expect(existsSync(join(box.home, 'daemon.spawn.lock'))).toBe(false);
  });

  it('daemon start, stop, restart --eager and kill', async () => {
    const env = { ...box.env, MIRAGE_IDLE_GRACE_SECONDS: '600' };
    const started = await runCli(['daemon', 'start'], { env });
    expectExit(started, 0);
    expect(started.json).toMatchObject({ running: true, spawned: true, url: box.url });
    const again = await runCli(['daemon', 'start'], { env });
    expect(again.json).toMatchObject({ running: true, spawned: false });

    const stopped = await runCli(['daemon', 'stop'], { env });
    expectExit(stopped, 0);
    expect(stopped.json).toEqual({ stopped: true, via: 'graceful' });
    expectExit(await runCli(['daemon', 'status'], { env }), 1);

    const restarted = await runCli(['daemon', 'restart', '--eager'], { env });
    expectExit(restarted, 0);
    expect(restarted.json).toEqual({ restarted: true, spawned_fresh: true });
    const pid = readPid(box.home) as number;
    expect(isAlive(pid)).toBe(true);

    const lazy = await runCli(['daemon', 'restart'], { env });
    expect(lazy.json).toMatchObject({ restarted: true, spawned_fresh: false });
    expect(await answers(box.url)).toBe(false);

    await runCli(['daemon', 'start'], { env });
    const newPid = readPid(box.home) as number;
    const killed = await runCli(['daemon', 'kill'], { env });
    expectExit(killed, 0);
    expect(killed.json).toEqual({ killed: true, pid: newPid });
    expect(await waitFor(() => !isAlive(newPid), 3000)).toBe(true);
  });
});

// Keep the CLI entry honest: it must run without a TTY and with closed stdin too.
describe('mirage binary', () => {
  it('runs with stdin closed', async () => {
    const box = makeSandbox();
    try {
      const child = spawn(process.execPath, [CLI_BIN, 'config', 'list'], { env: box.env, stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => out.push(c));
      const code = await new Promise<number | null>((r) => child.on('close', r));
      expect(code).toBe(0);
      expect(JSON.parse(Buffer.concat(out).toString('utf8'))).toEqual({});
    } finally {
      box.cleanup();
    }
  });
});
