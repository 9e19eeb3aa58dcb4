// `execute echo` over HTTP (p50) against the shell engine's in-process exec (p50), alternated in
// blocks: HTTP calls, engine calls, HTTP calls, ... A third, informational side: the same POST to
// a bare Fastify route that runs nothing (what the HTTP round trip alone costs here).
import { engineShell } from '../lib/engine.js';
import { BUILTIN_RAM_CONFIG } from '../lib/trees.js';
import { expectStatus, rawConnection } from '../lib/http.js';
import { join } from 'node:path';
import { FIXTURES, startDaemon, startNodeScript } from '../lib/proc.js';
import { elapsedMs, fmtMs, interleave, median, percentile } from '../lib/stats.js';
import { row } from '../lib/report.js';

export async function run({ quick, log }) {
  const rounds = quick ? 6 : 20;
  const perRound = quick ? 100 : 200;
  const warmup = quick ? 300 : 1000;
  const daemon = await startDaemon('latency');
  const { child: hello, match } = await startNodeScript([join(FIXTURES, 'hello-fastify.js')], { ready: /ready (\d+)/ });
  const helloUrl = `http://127.0.0.1:${match[1]}`;
  const sockets = [];
  try {
    const body = { command: 'echo hi' };
    await expectStatus(201, daemon.url, 'POST', '/v1/workspaces', {
      token: daemon.token,
      body: { id: 'lat', config: BUILTIN_RAM_CONFIG },
    });
    // one raw keep-alive socket per server, the request bytes built once (bench/lib/http.js)
    const daemonSocket = await rawConnection(daemon.url, 'POST', '/v1/workspaces/lat/execute', { token: daemon.token, body });
    sockets.push(daemonSocket);
    const httpCall = async () => {
      const start = process.hrtime.bigint();
      const answer = await daemonSocket.send();
      const ms = elapsedMs(start);
      if (answer.status !== 200 || JSON.parse(answer.body.toString('utf8')).stdout !== 'hi\n')
        throw new Error(`execute answered ${answer.status} ${answer.body.toString('utf8')}`);
      return ms;
    };
    const shell = engineShell();
    const engineCall = async () => {
      const start = process.hrtime.bigint();
      const result = await shell.exec('echo hi');
      const ms = elapsedMs(start);
      if (result.stdout !== 'hi\n') throw new Error(`engine printed ${result.stdout}`);
      return ms;
    };
    const bareSocket = await rawConnection(helloUrl, 'POST', '/echo', { token: daemon.token, body });
    sockets.push(bareSocket);
    const bareCall = async () => {
      const start = process.hrtime.bigint();
      const answer = await bareSocket.send();
      const ms = elapsedMs(start);
      if (answer.status !== 200) throw new Error(`bare Fastify answered ${answer.status}`);
      return ms;
    };
    const block = (call) => async () => {
      const samples = [];
      for (let i = 0; i < perRound; i += 1) samples.push(await call());
      return samples;
    };
    // JIT warm-up for both sides
    await block(httpCall)();
    for (let i = 0; i < warmup; i += 1) await engineCall();
    for (let i = 0; i < warmup; i += 1) await httpCall();
    for (let i = 0; i < warmup; i += 1) await bareCall();
    const bare = [];
    const result = await interleave(rounds, block(httpCall), async () => {
      bare.push(...(await block(bareCall)()));
      return block(engineCall)();
    });
    const http = result.measured.flat();
    const engine = result.floor.flat();
    const bareP50 = median(bare);
    const httpP50 = median(http);
    const engineP50 = median(engine);
    log(
      `execute over HTTP p50 ${fmtMs(httpP50)} (p90 ${fmtMs(percentile(http, 90))}), engine exec p50 ${fmtMs(engineP50)} (p90 ${fmtMs(percentile(engine, 90))}), bare Fastify POST p50 ${fmtMs(bareP50)}`,
    );
    return {
      rows: [
        row({
          figure: '`execute echo` over HTTP, p50',
          measured: fmtMs(httpP50),
          floor: `${fmtMs(engineP50)} (engine \`exec\`, in-process)`,
          kind: 'maxDeltaMs',
          value: httpP50 - engineP50,
          limit: 0.5,
        }),
        row({
          figure: '… of which the HTTP round trip alone (bare Fastify POST, runs nothing)',
          measured: fmtMs(bareP50),
          floor: '—',
          kind: 'info',
          value: `${fmtMs(bareP50)} of the +${fmtMs(httpP50 - engineP50)}`,
        }),
      ],
    };
  } finally {
    for (const socket of sockets) socket.close();
    hello.kill('SIGTERM');
    await daemon.stop();
  }
}
