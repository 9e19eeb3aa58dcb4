// Snapshot of a ram workspace holding S MB against `tar cf` of the same files on disk; throughput
// = file bytes / wall time, alternated. The figure is the daemon writing the tar file itself
// (POST /v1/workspaces/{id}/snapshot {path}), as `tar cf` does; beside it, for information, the
// streamed download (GET .../snapshot) written to a file by a Node client, as the CLI does.
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expectStatus, request } from '../lib/http.js';
import { startDaemon, tempDir, timeRun } from '../lib/proc.js';
import { elapsedMs, fmtMs, fmtRate, interleave, median } from '../lib/stats.js';
import { row } from '../lib/report.js';
import { loadSnapshot, snapshotOfDisk, writeTree } from '../lib/trees.js';

export async function run({ quick, log }) {
  const megabytes = quick ? 20 : 100;
  const rounds = quick ? 3 : 7;
  const root = tempDir('snapshot-tree');
  const out = tempDir('snapshot-out');
  const { bytes } = writeTree(root, { count: megabytes * 4, size: 256 * 1024, perDir: 50 });
  const daemon = await startDaemon('snapshot');
  try {
    await loadSnapshot(daemon, await snapshotOfDisk(daemon, root, 'big.tar'), 'big');
    // the load's own tar is not needed any more: free the disk cache it holds
    rmSync(join(daemon.home, 'snapshots', 'big.tar'));
    const serverSide = async () => {
      // the previous file is removed outside the timing, as tar's is
      rmSync(join(daemon.home, 'snapshots', 'out.tar'), { force: true });
      const start = process.hrtime.bigint();
      await expectStatus(200, daemon.url, 'POST', '/v1/workspaces/big/snapshot', {
        token: daemon.token,
        body: { path: 'out.tar' },
        timeoutMs: 300000,
      });
      const ms = elapsedMs(start);
      if (statSync(join(daemon.home, 'snapshots', 'out.tar')).size < bytes) throw new Error('snapshot file is short');
      return ms;
    };
    const target = join(out, 'workspace.tar');
    const download = async () => {
      rmSync(target, { force: true });
      const start = process.hrtime.bigint();
      const answer = await request(daemon.url, 'GET', '/v1/workspaces/big/snapshot', {
        token: daemon.token,
        toFile: target,
        timeoutMs: 300000,
      });
      const ms = elapsedMs(start);
      if (answer.status !== 200 || statSync(target).size < bytes) throw new Error(`snapshot answered ${answer.status} ${answer.text}`);
      return ms;
    };
    const floorTarget = join(out, 'tar.tar');
    const tar = () => {
      rmSync(floorTarget, { force: true });
      return timeRun('tar', ['cf', floorTarget, '-C', root, '.']).ms;
    };
    await serverSide();
    await download();
    tar();
    const downloads = [];
    const result = await interleave(
      rounds,
      async () => {
        const ms = await serverSide();
        downloads.push(await download());
        return ms;
      },
      tar,
    );
    const oursMs = median(result.measured);
    const tarMs = median(result.floor);
    const downloadMs = median(downloads);
    const mbps = (ms) => bytes / 2 ** 20 / (ms / 1000);
    log(`snapshot of ${megabytes} MB: to a path ${fmtMs(oursMs)}, streamed download ${fmtMs(downloadMs)}, tar cf ${fmtMs(tarMs)}`);
    await expectStatus(200, daemon.url, 'DELETE', '/v1/workspaces/big', { token: daemon.token });
    return {
      rows: [
        row({
          figure: `snapshot of a ${megabytes} MB ram workspace (${megabytes * 4} × 256 KB), daemon writes the tar`,
          measured: `${fmtRate(mbps(oursMs), 'MB')} (${fmtMs(oursMs)})`,
          floor: `${fmtRate(mbps(tarMs), 'MB')} (\`tar cf\`, ${fmtMs(tarMs)})`,
          kind: 'minRatio',
          value: tarMs / oursMs,
          limit: 0.5,
        }),
        row({
          figure: '… the same snapshot streamed (GET) into a file by a Node client',
          measured: `${fmtRate(mbps(downloadMs), 'MB')} (${fmtMs(downloadMs)})`,
          floor: `${fmtRate(mbps(tarMs), 'MB')} (\`tar cf\`)`,
          kind: 'info',
          value: tarMs / downloadMs,
        }),
      ],
    };
  } finally {
    await daemon.stop();
  }
}
