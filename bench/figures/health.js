// GET /v1/health requests/s of the daemon against a bare Fastify hello-world, both loaded by the
// same closed-loop keep-alive client (raw sockets, so the client is not the bottleneck), rounds
// alternated.
import { join } from 'node:path';
import { rawLoadTest } from '../lib/http.js';
import { FIXTURES, startDaemon, startNodeScript } from '../lib/proc.js';
import { fmtRate, interleave, median } from '../lib/stats.js';
import { row } from '../lib/report.js';

export async function run({ quick, log }) {
  const rounds = quick ? 4 : 12;
  const durationMs = quick ? 700 : 2000;
  const concurrency = 16;
  const maxRequests = 200000;
  const daemon = await startDaemon('health');
  const { child: hello, match } = await startNodeScript([join(FIXTURES, 'hello-fastify.js')], { ready: /ready (\d+)/ });
  const helloUrl = `http://127.0.0.1:${match[1]}`;
  try {
    const load = (baseUrl, token, ms) => rawLoadTest({ baseUrl, path: '/v1/health', token, concurrency, durationMs: ms, maxRequests });
    await load(daemon.url, daemon.token, 500);
    await load(helloUrl, daemon.token, 500);
    const result = await interleave(
      rounds,
      async () => (await load(daemon.url, daemon.token, durationMs)).perSecond,
      async () => (await load(helloUrl, daemon.token, durationMs)).perSecond,
    );
    const ours = median(result.measured);
    const floor = median(result.floor);
    log(`health ${fmtRate(ours, 'req')} vs bare Fastify ${fmtRate(floor, 'req')}`);
    return {
      rows: [
        row({
          figure: `\`GET /v1/health\` requests/s (${concurrency} in flight)`,
          measured: fmtRate(ours, 'req'),
          floor: `${fmtRate(floor, 'req')} (bare Fastify)`,
          kind: 'minRatio',
          value: ours / floor,
          limit: 0.8,
        }),
      ],
    };
  } finally {
    hello.kill('SIGTERM');
    await daemon.stop();
  }
}
