// `mirage mcp` end to end (docs/mcp.md): the MCP SDK's own Client spawning the built `mirage mcp`
// binary over stdio, and connecting to the daemon's Streamable HTTP endpoint; a real daemon on
// 127.0.0.1 with ram, disk and read-only disk mounts. Build first: `npm run build`.
import { jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { CLI_BIN, isAlive, runCli, waitFor } from './support/cli.js';
import { rawRequest, startTestDaemon, type TestDaemon } from './support/daemon.js';

jest.setTimeout(120_000);

const TOOLS = ['edit', 'execute', 'glob', 'grep', 'job_cancel', 'job_output', 'job_start', 'ls', 'read', 'write'];

function text(result: unknown): string {
  const content = (result as CallToolResult).content;
  return content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}
// Tool answers are JSON text; tests read them field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const parsed = (result: unknown): any => JSON.parse(text(result));

describe('mirage mcp', () => {
  let d: TestDaemon;
  let root: string;
  let diskRoot: string;
  let roRoot: string;

  const cliEnv = (): Record<string, string> => ({
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: join(root, 'user'),
    XDG_DATA_HOME: join(root, 'xdg-data'),
    XDG_CACHE_HOME: join(root, 'xdg-cache'),
    XDG_CONFIG_HOME: join(root, 'xdg-config'),
    MIRAGE_HOME: join(root, 'cli-home'),
    MIRAGE_DAEMON_URL: d.url,
    MIRAGE_TOKEN: d.token,
  });

  async function stdioClient(args: string[]): Promise<{ client: Client; transport: StdioClientTransport }> {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI_BIN, 'mcp', ...args],
      env: cliEnv(),
      stderr: 'pipe',
    });
    const client = new Client({ name: 'mirage-e2e', version: '1.0.0' });
    await client.connect(transport);
    return { client, transport };
  }

  async function httpClient(workspaceId: string, token = d.token): Promise<Client> {
    const transport = new StreamableHTTPClientTransport(new URL(`${d.url}/v1/workspaces/${workspaceId}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    });
    const client = new Client({ name: 'mirage-e2e-http', version: '1.0.0' });
    await client.connect(transport);
    return client;
  }

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'mirage-mcp-e2e-'));
    diskRoot = join(root, 'disk');
    roRoot = join(root, 'ro');
    mkdirSync(diskRoot);
    mkdirSync(roRoot);
    writeFileSync(join(roRoot, 'guide.md'), 'line one\nline two\n');
    d = await startTestDaemon();
    const created = await d.call('POST', '/v1/workspaces', {
      body: {
        id: 'mcp',
        config: {
          mounts: {
            '/': { resource: 'ram', mode: 'write' },
            '/disk': { resource: 'disk', mode: 'write', config: { root: diskRoot } },
            '/ro': { resource: 'disk', mode: 'read', config: { root: roRoot } },
          },
        },
      },
    });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    await d?.close();
    rmSync(root, { recursive: true, force: true });
  });

  /** Every tool once, against `client`, on files under `dir` of the `mcp` workspace. */
  async function callEveryTool(client: Client, dir: string): Promise<void> {
    const listed = await client.listTools();
    expect(listed.tools.map((tool) => tool.name).sort()).toEqual(TOOLS);
    for (const tool of listed.tools) {
      expect(tool.description?.length).toBeGreaterThan(40);
      expect(tool.inputSchema.type).toBe('object');
    }
    const execute = listed.tools.find((tool) => tool.name === 'execute');
    expect(Object.keys(execute?.inputSchema.properties ?? {}).sort()).toEqual(['command', 'cwd', 'env', 'session', 'timeout']);
    expect(execute?.inputSchema.required).toEqual(['command']);

    expect(parsed(await client.callTool({ name: 'execute', arguments: { command: `mkdir -p ${dir}` } }))).toMatchObject({ exit_code: 0 });
    const ran = await client.callTool({
      name: 'execute',
      arguments: { command: `echo "$GREETING" > ${dir}/a.txt && cat a.txt && pwd`, cwd: dir, env: { GREETING: 'hi mcp' } },
    });
    expect(ran.isError).toBeFalsy();
    expect(parsed(ran)).toMatchObject({ exit_code: 0, stdout: `hi mcp\n${dir}\n`, stderr: '' });
    const failed = parsed(await client.callTool({ name: 'execute', arguments: { command: 'echo oops >&2; exit 3' } }));
    expect(failed).toMatchObject({ exit_code: 3, stderr: 'oops\n' });

    expect(text(await client.callTool({ name: 'read', arguments: { path: `${dir}/a.txt` } }))).toBe('hi mcp\n');
    expect(text(await client.callTool({ name: 'read', arguments: { path: `${dir}/a.txt`, offset: 3, limit: 2 } }))).toBe(
      'mc\n[2 more bytes: read again with offset 5]',
    );

    expect(parsed(await client.callTool({ name: 'write', arguments: { path: `${dir}/sub/b.md`, content: 'alpha\nbeta\n' } }))).toEqual({
      path: `${dir}/sub/b.md`,
      size: 11,
      created: true,
    });
    const binary = Buffer.from([0, 1, 2, 255]);
    await client.callTool({ name: 'write', arguments: { path: `${dir}/bin.dat`, content: binary.toString('base64'), encoding: 'base64' } });
    expect(parsed(await client.callTool({ name: 'read', arguments: { path: `${dir}/bin.dat` } }))).toMatchObject({
      encoding: 'base64',
      data: binary.toString('base64'),
      size: 4,
    });

    expect(
      parsed(await client.callTool({ name: 'edit', arguments: { path: `${dir}/sub/b.md`, old_string: 'beta', new_string: 'gamma' } })),
    ).toEqual({ path: `${dir}/sub/b.md`, replacements: 1, size: 12 });
    expect(text(await client.callTool({ name: 'read', arguments: { path: `${dir}/sub/b.md` } }))).toBe('alpha\ngamma\n');

    const listing = parsed(await client.callTool({ name: 'ls', arguments: { path: dir } }));
    expect(listing.entries.map((entry: { name: string }) => entry.name)).toEqual(['a.txt', 'bin.dat', 'sub']);
    const grep = parsed(await client.callTool({ name: 'grep', arguments: { pattern: 'GAM+A', ignore_case: true, path: dir } }));
    expect(grep.files).toEqual([{ path: `${dir}/sub/b.md`, count: 1, binary: false, lines: [{ line: 2, text: 'gamma', match: true }] }]);
    expect(parsed(await client.callTool({ name: 'glob', arguments: { pattern: '**/*.md', path: dir } })).paths).toEqual([
      `${dir}/sub/b.md`,
    ]);

    const started = parsed(await client.callTool({ name: 'job_start', arguments: { command: 'echo started; sleep 0.2; echo finished' } }));
    expect(typeof started.job_id).toBe('string');
    const output = parsed(await client.callTool({ name: 'job_output', arguments: { job_id: started.job_id, wait: 30 } }));
    expect(output).toMatchObject({ job_id: started.job_id, status: 'done', exit_code: 0, stdout: 'started\nfinished\n' });
    const long = parsed(await client.callTool({ name: 'job_start', arguments: { command: 'sleep 30' } }));
    expect(parsed(await client.callTool({ name: 'job_cancel', arguments: { job_id: long.job_id } }))).toEqual({
      job_id: long.job_id,
      canceled: true,
    });
    const canceled = parsed(await client.callTool({ name: 'job_output', arguments: { job_id: long.job_id, wait: 30 } }));
    expect(canceled.status).toBe('canceled');

    // Tool errors: the daemon's message with isError, and the server keeps answering.
    const missing = await client.callTool({ name: 'read', arguments: { path: `${dir}/nope.txt` } });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toBe(`no such file or directory: ${dir}/nope.txt`);
    const readOnly = await client.callTool({ name: 'write', arguments: { path: '/ro/new.txt', content: 'x' } });
    expect(readOnly.isError).toBe(true);
    expect(text(readOnly)).toMatch(/read-only mount \/ro/);
    expect(existsSync(join(roRoot, 'new.txt'))).toBe(false);
    const ambiguous = await client.callTool({
      name: 'edit',
      arguments: { path: `${dir}/sub/b.md`, old_string: 'nothing like it', new_string: 'x' },
    });
    expect(ambiguous.isError).toBe(true);
    expect(text(ambiguous)).toBe(`old text not found in ${dir}/sub/b.md`);
    const unknownJob = await client.callTool({ name: 'job_output', arguments: { job_id: 'no-such-job' } });
    expect(unknownJob.isError).toBe(true);
    const badArgs = await client.callTool({ name: 'read', arguments: { path: 42 } });
    expect(badArgs.isError).toBe(true);
    const timedOut = await client.callTool({ name: 'execute', arguments: { command: 'sleep 20', timeout: 0.3 } });
    expect(timedOut.isError).toBe(true);
    expect(text(timedOut)).toMatch(/timed out after 0.3 s and was canceled/);
    expect(parsed(await client.callTool({ name: 'execute', arguments: { command: 'echo still here', timeout: 30 } }))).toMatchObject({
      exit_code: 0,
      stdout: 'still here\n',
    });
  }

  describe('over stdio', () => {
    it('lists the tools and calls each one against -w ID', async () => {
      const { client } = await stdioClient(['-w', 'mcp']);
      try {
        await callEveryTool(client, '/disk/stdio');
        expect(readFileSync(join(diskRoot, 'stdio', 'sub', 'b.md'), 'utf8')).toBe('alpha\ngamma\n');
      } finally {
        await client.close();
      }
    });

    it('answers malformed lines with JSON-RPC errors and keeps serving', async () => {
      const child = spawn(process.execPath, [CLI_BIN, 'mcp', '-w', 'mcp'], { env: cliEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
      const lines: string[] = [];
      let buffered = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        const parts = buffered.split('\n');
        buffered = parts.pop() ?? '';
        lines.push(...parts);
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      try {
        const initialize = {
          jsonrpc: '2.0',
          id: 2,
          method: 'initialize',
          params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
        };
        child.stdin.write('{"jsonrpc": "2.0", "id": 1, "method": \n{"hello":"world"}\n' + JSON.stringify(initialize) + '\n');
        const deadline = Date.now() + 20_000;
        while (lines.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
        const answers = lines.map(
          (line) => JSON.parse(line) as { id?: unknown; error?: { code: number }; result?: { serverInfo?: { name: string } } },
        );
        expect(answers[0]).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
        expect(answers[1]).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600 } });
        expect(answers[2]).toMatchObject({ jsonrpc: '2.0', id: 2, result: { serverInfo: { name: 'mirage' } } });
      } finally {
        child.stdin.end();
      }
      // Closing stdin is the client disconnecting: the server exits cleanly.
      expect(await exited).toBe(0);
    });

    it('refuses bad invocations with a usage error before serving', async () => {
      const neither = await runCli(['mcp'], { env: cliEnv() });
      expect(neither.code).toBe(2);
      expect(neither.stdout).toBe('');
      const both = await runCli(['mcp', '-w', 'mcp', '--config', 'x.yaml'], { env: cliEnv() });
      expect(both.code).toBe(2);
      const keepAlone = await runCli(['mcp', '-w', 'mcp', '--keep'], { env: cliEnv() });
      expect(keepAlone.code).toBe(2);
      const unknown = await runCli(['mcp', '-w', 'nope'], { env: cliEnv() });
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/workspace not found/);
      expect(unknown.stdout).toBe('');
    });

    it('serves a temporary workspace from --config, deleted on disconnect unless --keep', async () => {
      const config = join(root, 'temp.yaml');
      writeFileSync(config, 'mounts:\n  /:\n    resource: ram\n    mode: write\n');
      const before = new Set(((await d.call('GET', '/v1/workspaces')).json as { id: string }[]).map((w) => w.id));
      const newIds = async (): Promise<string[]> =>
        ((await d.call('GET', '/v1/workspaces')).json as { id: string }[]).map((w) => w.id).filter((id) => !before.has(id));

      const { client, transport } = await stdioClient(['--config', config]);
      const [temporary] = await newIds();
      expect(temporary).toBeDefined();
      expect(parsed(await client.callTool({ name: 'execute', arguments: { command: 'echo temp > /t.txt && cat /t.txt' } }))).toMatchObject({
        stdout: 'temp\n',
      });
      const pid = transport.pid;
      await client.close();
      expect(await waitFor(async () => (await newIds()).length === 0, 15_000)).toBe(true);
      expect(pid === null || !isAlive(pid)).toBe(true);

      const kept = await stdioClient(['--config', config, '--keep']);
      const [keptId] = await newIds();
      await kept.client.callTool({ name: 'write', arguments: { path: '/k.txt', content: 'kept' } });
      await kept.client.close();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await newIds()).toEqual([keptId]);
      const read = await rawRequest(d.url, 'GET', `/v1/workspaces/${keptId}/files/read?path=/k.txt`, {
        authorization: `Bearer ${d.token}`,
      });
      expect(read.text).toBe('kept');
      expect((await d.call('DELETE', `/v1/workspaces/${keptId}`)).status).toBe(200);
    });
  });

  describe('over Streamable HTTP', () => {
    it('lists the tools and calls each one at /v1/workspaces/{id}/mcp', async () => {
      const client = await httpClient('mcp');
      try {
        await callEveryTool(client, '/disk/http');
        expect(readFileSync(join(diskRoot, 'http', 'sub', 'b.md'), 'utf8')).toBe('alpha\ngamma\n');
      } finally {
        await client.close();
      }
    });

    const post = (path: string, body: string, headers: Record<string, string> = {}) =>
      rawRequest(
        d.url,
        'POST',
        path,
        {
          authorization: `Bearer ${d.token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
        body,
      );
    const initialize = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });

    it("sees only its own workspace's jobs", async () => {
      expect(
        (await d.call('POST', '/v1/workspaces', { body: { id: 'other', config: { mounts: { '/': { resource: 'ram', mode: 'write' } } } } }))
          .status,
      ).toBe(201);
      const foreign = await d.call('POST', '/v1/workspaces/other/execute?background=true', { body: { command: 'sleep 30' } });
      expect(foreign.status).toBe(202);
      const client = await httpClient('mcp');
      try {
        for (const name of ['job_output', 'job_cancel']) {
          const answer = await client.callTool({ name, arguments: { job_id: foreign.json.job_id } });
          expect(answer.isError).toBe(true);
          expect(text(answer)).toBe('job not found');
        }
      } finally {
        await client.close();
      }
      expect((await d.call('GET', `/v1/jobs/${foreign.json.job_id}`)).json.status).toBe('running');
      expect((await d.call('DELETE', '/v1/workspaces/other')).status).toBe(200);
    });

    it('is behind the bearer token and the Host check', async () => {
      const noToken = await rawRequest(
        d.url,
        'POST',
        '/v1/workspaces/mcp/mcp',
        { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        initialize,
      );
      expect(noToken.status).toBe(401);
      const wrongToken = await post('/v1/workspaces/mcp/mcp', initialize, { authorization: 'Bearer wrong' });
      expect(wrongToken.status).toBe(401);
      const badHost = await post('/v1/workspaces/mcp/mcp', initialize, { host: 'evil.example:80' });
      expect(badHost.status).toBeGreaterThanOrEqual(400);
      expect(badHost.status).toBeLessThan(500);
      await expect(httpClient('mcp', 'wrong')).rejects.toThrow();
      expect((await post('/v1/workspaces/mcp/mcp', initialize)).status).toBe(200);
    });

    it('answers an unknown workspace with 404 and malformed JSON-RPC with a JSON-RPC error, and stays up', async () => {
      const unknown = await post('/v1/workspaces/nope/mcp', initialize);
      expect(unknown.status).toBe(404);
      expect(unknown.json).toEqual({ detail: 'workspace not found' });
      const notRpc = await post('/v1/workspaces/mcp/mcp', JSON.stringify({ hello: 'world' }));
      expect(notRpc.status).toBe(400);
      expect(notRpc.json).toMatchObject({ jsonrpc: '2.0', error: { code: expect.any(Number) } });
      const unparsable = await post('/v1/workspaces/mcp/mcp', '{"jsonrpc": "2.0", "id": 1, "method": ');
      expect(unparsable.status).toBe(400);
      expect(unparsable.json).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 } });
      // Stateless: no SSE stream to open and no session to end.
      expect(
        (await rawRequest(d.url, 'GET', '/v1/workspaces/mcp/mcp', { authorization: `Bearer ${d.token}`, accept: 'text/event-stream' }))
          .status,
      ).toBe(405);
      expect((await rawRequest(d.url, 'DELETE', '/v1/workspaces/mcp/mcp', { authorization: `Bearer ${d.token}` })).status).toBe(405);
      const unknownMethod = await post('/v1/workspaces/mcp/mcp', JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'no/such/method' }));
      expect(unknownMethod.json).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32601 } });
      const client = await httpClient('mcp');
      try {
        expect(parsed(await client.callTool({ name: 'execute', arguments: { command: 'echo up' } }))).toMatchObject({ stdout: 'up\n' });
      } finally {
        await client.close();
      }
    });
  });
});
