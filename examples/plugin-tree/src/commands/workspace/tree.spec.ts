// A test to copy for your own plugin command: the command class runs in-process through oclif
// (`Command.run`, so parsing, output and the CLI's exit-code mapping all take part) against a real
// daemon listening on 127.0.0.1 in a temporary MIRAGE_HOME. Build the CLI first (`npm run build`):
// the base command is imported from `@mirage-ts/cli/base` as a plugin gets it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import { createDaemon, type Daemon } from '@mirage-ts/daemon';
import { MirageClient } from '@mirage-ts/protocol/client';
import WorkspaceTree, { type Tree } from './tree.js';

const PLUGIN_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const TOKEN = 'plugin-test-token';

interface TreeRun {
  result: Tree | undefined;
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs `mirage workspace tree <argv>` in-process and collects what it printed and its exit code. */
async function runTree(argv: string[]): Promise<TreeRun> {
  let stdout = '';
  let stderr = '';
  const capture = (stream: NodeJS.WriteStream, append: (text: string) => void) =>
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    });
  const out = capture(process.stdout, (text) => (stdout += text));
  const err = capture(process.stderr, (text) => (stderr += text));
  try {
    const result = (await WorkspaceTree.run(argv, PLUGIN_ROOT)) as Tree | undefined;
    return { result, stdout, stderr, exitCode: Number(process.exitCode ?? 0) };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
}

describe('mirage workspace tree (plugin command) against a real daemon', () => {
  let daemon: Daemon;
  let home: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    // oclif names a command after its file when it loads it from the manifest; Command.run does not.
    WorkspaceTree.id = 'workspace:tree';
    home = mkdtempSync(join(tmpdir(), 'mirage-plugin-tree-'));
    daemon = await createDaemon({ home, env: {}, port: 0, auth: { mode: 'token', token: TOKEN } });
    // The command resolves its settings from the environment, as the real CLI does.
    Object.assign(process.env, { MIRAGE_HOME: home, MIRAGE_DAEMON_URL: daemon.url, MIRAGE_TOKEN: TOKEN });
    const client = new MirageClient({ baseUrl: daemon.url, token: TOKEN });
    await client.createWorkspace({ mode: 'write', mounts: { '/': { resource: 'ram', mode: 'write' } } }, 'demo');
    await client.execute('demo', { command: 'mkdir -p /tree/a && touch /tree/a/f.txt /tree/b.txt' });
  });

  afterAll(async () => {
    await daemon.close();
    for (const key of ['MIRAGE_HOME', 'MIRAGE_DAEMON_URL', 'MIRAGE_TOKEN']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    rmSync(home, { recursive: true, force: true });
  });

  it('returns the paths under --path and prints them as JSON when not on a terminal', async () => {
    const run = await runTree(['demo', '--path', '/tree']);
    expect(run.exitCode).toBe(0);
    expect(run.result).toEqual({ id: 'demo', root: '/tree', paths: ['/tree', '/tree/a', '/tree/a/f.txt', '/tree/b.txt'] });
    expect(JSON.parse(run.stdout)).toEqual(run.result);
    expect(run.stderr).toBe('');
  });

  it('an unknown workspace: the daemon error on stderr, exit 2, nothing on stdout', async () => {
    const run = await runTree(['nope']);
    expect(run).toMatchObject({ result: undefined, stdout: '', stderr: 'daemon error 404: workspace not found\n', exitCode: 2 });
  });

  it("a path find cannot read: find's message and exit code", async () => {
    const run = await runTree(['demo', '--path', '/missing']);
    expect(run.result).toBeUndefined();
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/\/missing.*No such file or directory\n$/);
    expect(run.exitCode).toBe(1);
  });

  it('a missing argument is a usage error (exit 2) naming the command help', async () => {
    const run = await runTree([]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe('Missing 1 required arg: id Workspace id. (see: mirage workspace tree --help)\n');
  });

  it('a daemon that does not answer: exit 1', async () => {
    process.env.MIRAGE_DAEMON_URL = 'http://127.0.0.1:9';
    try {
      const run = await runTree(['demo']);
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toContain('127.0.0.1:9');
    } finally {
      process.env.MIRAGE_DAEMON_URL = daemon.url;
    }
  });
});
