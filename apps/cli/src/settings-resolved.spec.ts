// `config list --resolved` against the daemon it describes: the real CLI (bin/run.js, built) spawns
// a real daemon from the same config.toml, and the daemon writes its PID where the CLI said it would
// (a relative pid_file, made absolute against the cwd by both). Build first: `npm run build`.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI_BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'run.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('config list --resolved and the daemon the CLI spawns', () => {
  let root: string;
  let home: string;
  let env: Record<string, string>;
  let pidFile: string;

  const cli = (args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      execFile(process.execPath, [CLI_BIN, ...args], { cwd: root, env, timeout: 30_000 }, (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      });
    });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'mirage-resolved-'));
    home = join(root, 'home');
    mkdirSync(home);
    mkdirSync(join(root, 'run'));
    pidFile = join(root, 'run', 'daemon.pid');
    const port = await freePort();
    env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: join(root, 'user'),
      XDG_DATA_HOME: join(root, 'xdg-data'),
      XDG_CACHE_HOME: join(root, 'xdg-cache'),
      XDG_CONFIG_HOME: join(root, 'xdg-config'),
      MIRAGE_HOME: home,
    };
    const toml = `[daemon]\nurl = "http://127.0.0.1:${port}"\nport = ${port}\nidle_grace_seconds = 600\npid_file = "run/daemon.pid"\nstate_root = "data/state"\n`;
    writeFileSync(join(home, 'config.toml'), toml);
  });

  afterAll(async () => {
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      if (pid > 0 && isAlive(pid)) await cli(['daemon', 'stop']);
      if (pid > 0 && isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    rmSync(root, { recursive: true, force: true });
  });

  it('shows the real defaults, and relative paths made absolute against the cwd', async () => {
    const run = await cli(['config', 'list', '--resolved']);
    expect(run.code).toBe(0);
    const all = JSON.parse(run.stdout) as Record<string, { value: string; origin: string }>;
    expect(all.pid_file).toEqual({ value: pidFile, origin: 'file' });
    expect(all.state_root).toEqual({ value: join(root, 'data', 'state'), origin: 'file' });
    expect(all.version_root).toEqual({ value: join(home, 'repos'), origin: 'default' });
    expect(all.snapshot_root).toEqual({ value: join(home, 'snapshots'), origin: 'default' });
    expect(all.auth_token).toEqual({ value: '', origin: 'default' });
  });

  it('the spawned daemon writes its PID there, and the daemon verbs find it', async () => {
    const started = await cli(['daemon', 'start']);
    expect(started.code).toBe(0);
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    expect(JSON.parse(started.stdout)).toMatchObject({ running: true, spawned: true, pid });
    expect(existsSync(join(home, 'daemon.pid'))).toBe(false);
    const killed = await cli(['daemon', 'kill']);
    expect(JSON.parse(killed.stdout)).toEqual({ killed: true, pid });
  });

  it('a non-numeric port in config.toml: listed as is, but the daemon is not started (exit 2)', async () => {
    const path = join(home, 'config.toml');
    const saved = readFileSync(path, 'utf8');
    writeFileSync(path, saved.replace(/^port = \d+$/m, 'port = "many"'));
    try {
      const listed = await cli(['config', 'list', '--resolved']);
      expect(listed.code).toBe(0);
      expect((JSON.parse(listed.stdout) as Record<string, { value: string }>).port.value).toBe('many');
      const start = await cli(['daemon', 'start']);
      expect(start).toMatchObject({ code: 2, stdout: '', stderr: 'config.toml: the following [daemon] keys have the wrong type: port\n' });
    } finally {
      writeFileSync(path, saved);
    }
  });
});
