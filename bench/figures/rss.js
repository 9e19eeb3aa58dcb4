// Daemon RSS when idle, against node with the shell engine imported (alternated), and the RSS
// each empty ram workspace adds (N created, RSS delta / N).
import { join } from 'node:path';
import { expectStatus } from '../lib/http.js';
import { FIXTURES, rssOf, sleep, startDaemon, startNodeScript } from '../lib/proc.js';
import { fmtBytes, interleave, median } from '../lib/stats.js';
import { row } from '../lib/report.js';
import { RAM_CONFIG } from '../lib/trees.js';

const SETTLE_MS = 1500;

export async function run({ quick, log }) {
  const rounds = quick ? 2 : 3;
  const workspaces = quick ? 200 : 1000;
  const idle = await interleave(
    rounds,
    async () => {
      const daemon = await startDaemon('rss');
      try {
        // one request, as a daemon that has answered its first health probe
        await expectStatus(200, daemon.url, 'GET', '/v1/health', { token: daemon.token });
        await sleep(SETTLE_MS);
        return rssOf(daemon.pid);
      } finally {
        await daemon.stop();
      }
    },
    async () => {
      const { child } = await startNodeScript([join(FIXTURES, 'engine-idle.js')]);
      try {
        await sleep(SETTLE_MS);
        return rssOf(child.pid);
      } finally {
        child.kill('SIGKILL');
      }
    },
  );
  const daemonRss = median(idle.measured);
  const engineRss = median(idle.floor);
  log(`idle RSS daemon ${fmtBytes(daemonRss)} vs node + engine ${fmtBytes(engineRss)}`);

  const daemon = await startDaemon('rss-ws');
  let perWorkspace;
  try {
    // a first workspace and execute load what any workspace needs (shell modules, caches)
    await expectStatus(201, daemon.url, 'POST', '/v1/workspaces', { token: daemon.token, body: { id: 'w0', config: RAM_CONFIG } });
    await expectStatus(200, daemon.url, 'POST', '/v1/workspaces/w0/execute', { token: daemon.token, body: { command: 'echo hi' } });
    await sleep(SETTLE_MS);
    const before = rssOf(daemon.pid);
    for (let i = 1; i <= workspaces; i += 1) {
      await expectStatus(201, daemon.url, 'POST', '/v1/workspaces', { token: daemon.token, body: { id: `w${i}`, config: RAM_CONFIG } });
    }
    await sleep(SETTLE_MS);
    const after = rssOf(daemon.pid);
    perWorkspace = (after - before) / workspaces;
    log(`RSS ${fmtBytes(before)} -> ${fmtBytes(after)} over ${workspaces} workspaces: ${fmtBytes(perWorkspace)} each`);
  } finally {
    await daemon.stop();
  }
  return {
    rows: [
      row({
        figure: 'daemon RSS, idle',
        measured: fmtBytes(daemonRss),
        floor: `${fmtBytes(engineRss)} (\`node\` + engine imported)`,
        kind: 'maxRatio',
        value: daemonRss / engineRss,
        limit: 1.5,
      }),
      row({
        figure: `RSS per empty ram workspace (${workspaces} created)`,
        measured: fmtBytes(perWorkspace),
        kind: 'maxAbs',
        value: perWorkspace,
        limit: 250 * 1024,
        format: fmtBytes,
      }),
    ],
  };
}
