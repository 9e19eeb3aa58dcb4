// `execute echo` over HTTP (p50) against the shell engine's in-process exec (p50), alternated in
// blocks: HTTP calls, engine calls, HTTP calls, ...
import { engineShell } from '../lib/engine.js';
import { expectStatus, request } from '../lib/http.js';
import { startDaemon } from '../lib/proc.js';
import { elapsedMs, fmtMs, interleave, median, percentile } from '../lib/stats.js';
import { row } from '../lib/report.js';

export async function run({ quick, log }) {
  const rounds = quick ? 6 : 20;
  const perRound = quick ? 100 : 200;
  const warmup = quick ? 300 : 1000;
  const daemon = await startDaemon('latency');
  try {
    const body = { command: 'echo hi' };
    await expectStatus(201, daemon.url, 'POST', '/v1/workspaces', { token: daemon.token, body: { id: 'lat', config: { mounts: { '/': { resource: 'ram', mode: 'write' } } } } });
    const httpCall = async () => {
      const start = process.hrtime.bigint();
      const answer = await request(daemon.url, 'POST', '/v1/workspaces/lat/execute', { token: daemon.token, body });
      const ms = elapsedMs(start);
      if (answer.status !== 200 || answer.json?.stdout !== 'hi\n') throw new Error(`execute answered ${answer.status} ${answer.text}`);
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
    const block = (call) => async () => {
      const samples = [];
      for (let i = 0; i < perRound; i += 1) samples.push(await call());
      return samples;
    };
    // JIT warm-up for both sides
    await block(httpCall)();
    for (let i = 0; i < warmup; i += 1) await engineCall();
    for (let i = 0; i < warmup; i += 1) await httpCall();
    const result = await interleave(rounds, block(httpCall), block(engineCall));
    const http = result.measured.flat();
    const engine = result.floor.flat();
    const httpP50 = median(http);
    const engineP50 = median(engine);
    log(`execute over HTTP p50 ${fmtMs(httpP50)} (p90 ${fmtMs(percentile(http, 90))}), engine exec p50 ${fmtMs(engineP50)} (p90 ${fmtMs(percentile(engine, 90))})`);
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
      ],
    };
  } finally {
    await daemon.stop();
  }
}
