// An MCP `execute` tool call (echo hi) against the same command over HTTP `execute` (p50),
// alternated in blocks. Two MCP sides, both through the SDK's own Client as an agent would run it:
// Streamable HTTP to the daemon's /v1/workspaces/{id}/mcp, and stdio to a spawned `mirage mcp -w`
// (which itself calls HTTP execute). Target: MCP ≤ HTTP + 2 ms, shown as a ratio too (docs/mcp.md).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { expectStatus, request } from '../lib/http.js';
import { CLI_BIN, cleanEnv, startDaemon, tempDir } from '../lib/proc.js';
import { elapsedMs, fmtMs, interleave, median, percentile } from '../lib/stats.js';
import { row } from '../lib/report.js';

const LIMIT_MS = 2;

export async function run({ quick, log }) {
  const rounds = quick ? 4 : 12;
  const perRound = quick ? 50 : 150;
  const warmup = quick ? 100 : 400;
  const daemon = await startDaemon('mcp');
  const clients = [];
  try {
    await expectStatus(201, daemon.url, 'POST', '/v1/workspaces', {
      token: daemon.token,
      // builtin: a sandbox spawn (tens of ms here) would drown the protocol's own cost.
      body: { id: 'mcp', config: { engine: 'builtin', mounts: { '/': { resource: 'ram', mode: 'write' } } } },
    });
    const httpCall = async () => {
      const start = process.hrtime.bigint();
      const answer = await request(daemon.url, 'POST', '/v1/workspaces/mcp/execute', { token: daemon.token, body: { command: 'echo hi' } });
      const ms = elapsedMs(start);
      if (answer.status !== 200 || answer.json?.stdout !== 'hi\n') throw new Error(`execute answered ${answer.status} ${answer.text}`);
      return ms;
    };
    const connect = async (transport) => {
      const client = new Client({ name: 'mirage-bench', version: '1.0.0' });
      await client.connect(transport);
      clients.push(client);
      return client;
    };
    const overHttp = await connect(
      new StreamableHTTPClientTransport(new URL(`${daemon.url}/v1/workspaces/mcp/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${daemon.token}` } },
      }),
    );
    const cliHome = tempDir('mcp-cli');
    const overStdio = await connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [CLI_BIN, 'mcp', '-w', 'mcp'],
        env: cleanEnv({ MIRAGE_HOME: cliHome, HOME: cliHome, MIRAGE_DAEMON_URL: daemon.url, MIRAGE_TOKEN: daemon.token }),
        stderr: 'ignore',
      }),
    );
    const mcpCall = (client) => async () => {
      const start = process.hrtime.bigint();
      const result = await client.callTool({ name: 'execute', arguments: { command: 'echo hi' } });
      const ms = elapsedMs(start);
      if (result.isError || JSON.parse(result.content[0].text).stdout !== 'hi\n')
        throw new Error(`execute tool answered ${JSON.stringify(result)}`);
      return ms;
    };
    // The server side alone: the same tools/call as one JSON-RPC POST over node:http, no SDK Client.
    const toolsCall = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'execute', arguments: { command: 'echo hi' } } };
    const rawMcpCall = async () => {
      const start = process.hrtime.bigint();
      const answer = await request(daemon.url, 'POST', '/v1/workspaces/mcp/mcp', {
        token: daemon.token,
        body: toolsCall,
        headers: { accept: 'application/json, text/event-stream' },
      });
      const ms = elapsedMs(start);
      if (answer.status !== 200 || answer.json?.result?.isError) throw new Error(`tools/call answered ${answer.status} ${answer.text}`);
      return ms;
    };
    const block = (call) => async () => {
      const samples = [];
      for (let i = 0; i < perRound; i += 1) samples.push(await call());
      return samples;
    };
    for (const call of [httpCall, rawMcpCall, mcpCall(overHttp), mcpCall(overStdio)]) for (let i = 0; i < warmup; i += 1) await call();

    const rows = [];
    let httpSamples = [];
    for (const [label, client] of [
      ['Streamable HTTP (/v1/workspaces/{id}/mcp)', overHttp],
      ['stdio (`mirage mcp -w`, which calls HTTP execute)', overStdio],
    ]) {
      const result = await interleave(rounds, block(mcpCall(client)), block(httpCall));
      const mcp = result.measured.flat();
      const http = result.floor.flat();
      httpSamples = httpSamples.concat(http);
      const mcpP50 = median(mcp);
      const httpP50 = median(http);
      log(
        `MCP execute over ${label} p50 ${fmtMs(mcpP50)} (p90 ${fmtMs(percentile(mcp, 90))}), HTTP execute p50 ${fmtMs(httpP50)} (p90 ${fmtMs(percentile(http, 90))})`,
      );
      rows.push(
        row({
          figure: `MCP \`execute\` tool call over ${label}, p50`,
          measured: fmtMs(mcpP50),
          floor: `${fmtMs(httpP50)} (HTTP \`execute\`, same run)`,
          kind: 'maxAbs',
          value: mcpP50,
          limit: httpP50 + LIMIT_MS,
          format: fmtMs,
          ratio: mcpP50 / httpP50,
          note: `+${fmtMs(mcpP50 - httpP50)} over HTTP; target HTTP + ${LIMIT_MS} ms`,
        }),
      );
    }
    const raw = await interleave(rounds, block(rawMcpCall), block(httpCall));
    const rawP50 = median(raw.measured.flat());
    const rawHttpP50 = median(raw.floor.flat());
    log(`JSON-RPC tools/call POST without the SDK Client p50 ${fmtMs(rawP50)}, HTTP execute p50 ${fmtMs(rawHttpP50)}`);
    rows.push(
      row({
        figure: '… of which the server side (the same tools/call POSTed over node:http, no SDK Client)',
        measured: fmtMs(rawP50),
        floor: `${fmtMs(rawHttpP50)} (HTTP \`execute\`, same run)`,
        kind: 'info',
        value: `${(rawP50 / rawHttpP50).toFixed(2)}× (+${fmtMs(rawP50 - rawHttpP50)})`,
      }),
    );
    return { rows };
  } finally {
    for (const client of clients) await client.close().catch(() => undefined);
    await daemon.stop();
  }
}
