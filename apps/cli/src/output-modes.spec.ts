// How the base command prints a command's result (apps/cli/src/base-command.ts): the real CLI on a
// pseudo-terminal (`script`) and on a pipe. Human text on a terminal for commands with a human
// form; JSON when piped, with --json, or for commands without one; errors on stderr in every mode.
// Build first: `npm run build`.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI_BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'run.js');
const quote = (arg: string): string => `'${arg.replaceAll("'", `'\\''`)}'`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('output modes', () => {
  let root: string;
  let env: Record<string, string>;
  let url: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'mirage-output-'));
    // A loopback port nobody listens on: the daemon verbs see no daemon.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as AddressInfo;
        server.close(() => resolve(free));
      });
    });
    url = `http://127.0.0.1:${port}`;
    env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: join(root, 'user'),
      XDG_DATA_HOME: join(root, 'xdg-data'),
      XDG_CACHE_HOME: join(root, 'xdg-cache'),
      XDG_CONFIG_HOME: join(root, 'xdg-config'),
      MIRAGE_HOME: join(root, 'home'),
      MIRAGE_DAEMON_URL: url,
    };
    execFileSync(process.execPath, [CLI_BIN, 'config', 'set', 'port', '9100'], { env });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** The CLI with a pseudo-terminal as stdout (and stderr, so both arrive in `stdout`). */
  const onTty = (args: string[], extra: Record<string, string> = {}): Run => {
    const run = spawnSync('script', ['-qec', [process.execPath, CLI_BIN, ...args].map(quote).join(' '), '/dev/null'], {
      env: { ...env, ...extra },
      input: '',
      encoding: 'utf8',
    });
    return { code: run.status ?? -1, stdout: run.stdout.replaceAll('\r\n', '\n'), stderr: run.stderr };
  };
  const piped = (args: string[]): Run => {
    const run = spawnSync(process.execPath, [CLI_BIN, ...args], { env, input: '', encoding: 'utf8' });
    return { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
  };

  it('a terminal gets the human form; a pipe, --json or MIRAGE_CONTENT_TYPE=json get 2-space JSON', () => {
    expect(onTty(['config', 'list'])).toMatchObject({ code: 0, stdout: 'port = 9100\n' });
    const json = '{\n  "port": "9100"\n}\n';
    expect(piped(['config', 'list'])).toEqual({ code: 0, stdout: json, stderr: '' });
    expect(onTty(['config', 'list', '--json'])).toMatchObject({ code: 0, stdout: json });
    expect(onTty(['config', 'list'], { MIRAGE_CONTENT_TYPE: 'json' })).toMatchObject({ code: 0, stdout: json });
  });

  it('JSON on a terminal has no colour codes, even with a user theme (oclif would colour it)', () => {
    const configHome = join(root, 'themed');
    mkdirSync(join(configHome, 'mirage'), { recursive: true });
    writeFileSync(join(configHome, 'mirage', 'theme.json'), JSON.stringify({ json: { key: 'red', string: 'green', brace: 'blue' } }));
    const run = onTty(['config', 'list', '--json'], { XDG_CONFIG_HOME: configHome, FORCE_COLOR: '1' });
    expect(run).toMatchObject({ code: 0, stdout: '{\n  "port": "9100"\n}\n' });
  });

  it('results that are not a success keep their exit code in both modes', () => {
    expect(onTty(['daemon', 'status'])).toEqual({ code: 1, stdout: `Daemon not running. URL: ${url}\n`, stderr: '' });
    const run = piped(['daemon', 'status']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({ running: false, pid: null, url });
    expect(onTty(['daemon', 'kill']).stdout).toBe('Daemon not running.\n');
  });

  it('a command without a human form prints JSON on a terminal too', () => {
    const withDaemon = { MIRAGE_DAEMON_PORT: new URL(url).port, MIRAGE_IDLE_GRACE_SECONDS: '60' };
    expect(onTty(['daemon', 'start'], withDaemon).code).toBe(0);
    try {
      const jobs = onTty(['job', 'list'], withDaemon);
      expect(jobs).toMatchObject({ code: 0, stdout: '[]\n' });
      const sessions = onTty(['session', 'list', 'nope'], withDaemon);
      expect(sessions).toMatchObject({ code: 2, stdout: 'daemon error 404: workspace not found\n' });
    } finally {
      expect(onTty(['daemon', 'stop'], withDaemon)).toMatchObject({ code: 0, stdout: 'Stopped (via graceful).\n' });
    }
  });

  it('errors: one stderr line and the mapped exit code, nothing on stdout, on a terminal and on a pipe', () => {
    const unreachable = piped(['workspace', 'list']);
    expect(unreachable).toMatchObject({ code: 1, stdout: '' });
    expect(unreachable.stderr).toMatch(new RegExp(`^daemon not reachable at ${url}.*\\n$`));
    const usage = piped(['config', 'get', 'colour', '--json']);
    expect(usage).toMatchObject({ code: 2, stdout: '' });
    expect(usage.stderr).toMatch(/^unknown config key: 'colour'; allowed: allowed_hosts, /);
    const onTerminal = onTty(['config', 'get', 'url']);
    expect(onTerminal).toEqual({ code: 1, stdout: 'url is not set\n', stderr: '' });
  });
});
