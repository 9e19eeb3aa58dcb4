// `mirage workspace create examples/ram.yaml` with no daemon running: the CLI spawns the daemon,
// waits for it, and creates the workspace. Wall time of the whole command; a fixed target.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_BIN, REPO, freePort, killPid, mirageEnv, removeDir, sleep, tempDir, timeRun, trackPid } from '../lib/proc.js';
import { fmtMs, median } from '../lib/stats.js';
import { row } from '../lib/report.js';

async function pidOf(home) {
  const file = join(home, 'daemon.pid');
  for (let i = 0; i < 100 && !existsSync(file); i += 1) await sleep(20);
  return Number(readFileSync(file, 'utf8').trim());
}

export async function run({ quick, log }) {
  const rounds = quick ? 2 : 5;
  const samples = [];
  for (let round = 0; round < rounds; round += 1) {
    const home = tempDir('spawn');
    const port = await freePort();
    let ms;
    try {
      ({ ms } = timeRun(
        process.execPath,
        [CLI_BIN, 'workspace', 'create', join(REPO, 'examples', 'ram.yaml'), '--id', 'spawned', '--json'],
        {
          env: mirageEnv(home, port, { MIRAGE_IDLE_GRACE_SECONDS: '60' }),
        },
      ));
    } finally {
      if (existsSync(join(home, 'daemon.pid')) || existsSync(join(home, 'daemon.log'))) {
        const pid = await pidOf(home);
        trackPid(pid);
        await killPid(pid);
      }
      removeDir(home);
    }
    samples.push(ms);
  }
  const ms = median(samples);
  log(`workspace create with spawn ${fmtMs(ms)} (samples ${samples.map(fmtMs).join(', ')})`);
  return {
    rows: [
      row({
        figure: '`workspace create` with no daemon running (spawn included)',
        measured: fmtMs(ms),
        kind: 'maxAbs',
        value: ms,
        limit: 1500,
        format: fmtMs,
      }),
    ],
  };
}
