// Snapshot of a ram workspace holding S MB (GET /v1/workspaces/{id}/snapshot streamed to a file)
// against `tar cf` of the same files on disk; throughput = file bytes / wall time, alternated.
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expectStatus, request } from '../lib/http.js';
import { startDaemon, tempDir, timeRun } from '../lib/proc.js';
import { elapsedMs, fmtMs, fmtRate, interleave, median } from '../lib/stats.js';
import { row } from '../lib/report.js';
import { loadSnapshot, snapshotOfDisk, writeTree } from '../lib/trees.js';

export async function run({ quick, log }) {
  const megabytes = quick ? 20 : 100;
  const rounds = quick ? 2 : 5;
  const root = tempDir('snapshot-tree');
  const out = tempDir('snapshot-out');
  const { bytes } = writeTree(root, { count: megabytes * 4, size: 256 * 1024, perDir: 50 });
  const daemon = await startDaemon('snapshot');
  try {
    await loadSnapshot(daemon, await snapshotOfDisk(daemon, root, 'big.tar'), 'big');
    // the load's own tar is not needed any more: free the disk cache it holds
    rmSync(join(daemon.home, 'snapshots', 'big.tar'));
    const target = join(out, 'workspace.tar');
    const ours = async () => {
      rmSync(target, { force: true });
      const start = process.hrtime.bigint();
      const answer = await request(daemon.url, 'GET', '/v1/workspaces/big/snapshot', { token: daemon.token, toFile: target, timeoutMs: 300000 });
      const ms = elapsedMs(start);
      if (answer.status !== 200 || statSync(target).size < bytes) throw new Error(`snapshot answered ${answer.status} ${answer.text}`);
      return ms;
    };
    const floorTarget = join(out, 'tar.tar');
    const tar = () => {
      rmSync(floorTarget, { force: true });
      return timeRun('tar', ['cf', floorTarget, '-C', root, '.']).ms;
    };
    await ours();
    tar();
    const result = await interleave(rounds, ours, tar);
    const oursMs = median(result.measured);
    const tarMs = median(result.floor);
    const mbps = (ms) => bytes / 2 ** 20 / (ms / 1000);
    log(`snapshot of ${megabytes} MB ${fmtMs(oursMs)} vs tar cf ${fmtMs(tarMs)}`);
    await expectStatus(200, daemon.url, 'DELETE', '/v1/workspaces/big', { token: daemon.token });
    return {
      rows: [
        row({
          figure: `snapshot of a ${megabytes} MB ram workspace (${megabytes * 4} × 256 KB)`,
          measured: `${fmtRate(mbps(oursMs), 'MB')} (${fmtMs(oursMs)})`,
          floor: `${fmtRate(mbps(tarMs), 'MB')} (\`tar cf\`, ${fmtMs(tarMs)})`,
          kind: 'minRatio',
          value: tarMs / oursMs,
          limit: 0.5,
        }),
      ],
    };
  } finally {
    await daemon.stop();
  }
}
