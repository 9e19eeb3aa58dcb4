// `echo` latency over HTTP after N commands against after 100, in one workspace. Workspace A runs
// N commands; workspace B (same daemon) runs 100 and waits; then calls alternate A, B, A, B ...
// so both are measured at the same moment. The whole curve of A goes to docs/echo-latency.svg.
import { expectStatus, request } from '../lib/http.js';
import { startDaemon } from '../lib/proc.js';
import { elapsedMs, fmtMs, median, percentile } from '../lib/stats.js';
import { row } from '../lib/report.js';
import { lineChart } from '../lib/svg.js';
import { BUILTIN_RAM_CONFIG } from '../lib/trees.js';

export async function run({ quick, log }) {
  const total = quick ? 3000 : 20000;
  const compare = quick ? 200 : 500;
  const bucket = total / 100;
  const daemon = await startDaemon('echo');
  try {
    const call = async (id) => {
      const start = process.hrtime.bigint();
      const answer = await request(daemon.url, 'POST', `/v1/workspaces/${id}/execute`, {
        token: daemon.token,
        body: { command: 'echo hi' },
      });
      const ms = elapsedMs(start);
      if (answer.status !== 200 || answer.json?.stdout !== 'hi\n') throw new Error(`execute answered ${answer.status} ${answer.text}`);
      return ms;
    };
    for (const id of ['a', 'b'])
      await expectStatus(201, daemon.url, 'POST', '/v1/workspaces', { token: daemon.token, body: { id, config: BUILTIN_RAM_CONFIG } });
    const early = [];
    for (let i = 0; i < 100; i += 1) early.push(await call('b'));
    const curve = [];
    for (let i = 0; i < total; i += 1) curve.push(await call('a'));
    const late = [];
    const fresh = [];
    for (let i = 0; i < compare; i += 1) {
      if (i % 2 === 0) {
        late.push(await call('a'));
        fresh.push(await call('b'));
      } else {
        fresh.push(await call('b'));
        late.push(await call('a'));
      }
    }
    const lateMs = median(late);
    const freshMs = median(fresh);
    // the curve's own windows: commands 101-600 against the last 500
    const window = Math.min(500, Math.floor(total / 4));
    const firstWindow = median(curve.slice(100, 100 + window));
    const lastWindow = median(curve.slice(total - window));
    log(
      `echo after ${total}: ${fmtMs(lateMs)} vs after 100: ${fmtMs(freshMs)}; curve windows ${fmtMs(firstWindow)} -> ${fmtMs(lastWindow)}`,
    );
    const points = [];
    const p90 = [];
    for (let start = 0; start < total; start += bucket) {
      const slice = curve.slice(start, start + bucket);
      points.push([start + bucket, median(slice)]);
      p90.push([start + bucket, percentile(slice, 90)]);
    }
    const svg = lineChart({
      title: `mirage execute 'echo hi' over HTTP: latency over ${total.toLocaleString('en')} commands (one workspace)`,
      xLabel: 'command number',
      yLabel: 'latency (ms)',
      series: [
        { label: `median of each ${bucket} commands`, color: '#1f77b4', points },
        { label: `p90 of each ${bucket} commands`, color: '#ff7f0e', points: p90 },
      ],
      hlines: [{ y: freshMs, label: `fresh workspace (after 100), median ${fmtMs(freshMs)}`, color: '#2ca02c' }],
    });
    return {
      rows: [
        row({
          figure: `\`echo\` latency after ${total.toLocaleString('en')} commands`,
          measured: fmtMs(lateMs),
          floor: `${fmtMs(freshMs)} (after 100, alternated)`,
          kind: 'maxRatio',
          value: lateMs / freshMs,
          limit: 1.2,
        }),
        row({
          figure: `\`echo\` latency, curve: last ${window} vs commands 101–${100 + window}`,
          measured: fmtMs(lastWindow),
          floor: fmtMs(firstWindow),
          kind: 'info',
          value: lastWindow / firstWindow,
        }),
      ],
      artifacts: quick ? {} : { 'echo-latency.svg': svg },
    };
  } finally {
    await daemon.stop();
  }
}
