// Commit of N x 1 KB files (POST /v1/workspaces/{id}/commit on a ram workspace holding them)
// against `git add -A && git commit` of the same files on disk; then the re-commit after one
// changed file, against git's re-commit. First commits and re-commits alternate with git's.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectStatus } from '../lib/http.js';
import { cleanEnv, startDaemon, tempDir, timeRun } from '../lib/proc.js';
import { elapsedMs, fmtMs, interleave, median } from '../lib/stats.js';
import { row } from '../lib/report.js';
import { loadSnapshot, snapshotOfDisk, writeTree } from '../lib/trees.js';

export async function run({ quick, log }) {
  const count = quick ? 2000 : 10000;
  const rounds = quick ? 2 : 6;
  const recommits = quick ? 5 : 11;
  const root = tempDir('commit-tree');
  writeTree(root, { count, size: 1024 });
  // No automatic `git gc` in the background: with 10,000 loose objects a commit would start one,
  // which would both race the next round's cleanup and load the machine during other figures.
  const gitEnv = cleanEnv({
    HOME: root,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_COUNT: '2',
    GIT_CONFIG_KEY_0: 'gc.auto',
    GIT_CONFIG_VALUE_0: '0',
    GIT_CONFIG_KEY_1: 'maintenance.auto',
    GIT_CONFIG_VALUE_1: 'false',
    GIT_AUTHOR_NAME: 'b',
    GIT_AUTHOR_EMAIL: 'b@b',
    GIT_COMMITTER_NAME: 'b',
    GIT_COMMITTER_EMAIL: 'b@b',
  });
  const git = (...args) => timeRun('git', args, { cwd: root, env: gitEnv }).ms;
  const daemon = await startDaemon('commit');
  try {
    const snapshot = await snapshotOfDisk(daemon, root, 'tree.tar');
    const commit = async (id, message) => {
      const start = process.hrtime.bigint();
      await expectStatus(200, daemon.url, 'POST', `/v1/workspaces/${id}/commit`, {
        token: daemon.token,
        body: { message },
        timeoutMs: 300000,
      });
      return elapsedMs(start);
    };
    let serial = 0;
    const ours = async () => {
      serial += 1;
      const id = `c${serial}`;
      await loadSnapshot(daemon, snapshot, id);
      const ms = await commit(id, 'first');
      await expectStatus(200, daemon.url, 'DELETE', `/v1/workspaces/${id}`, { token: daemon.token });
      return ms;
    };
    const gits = () => {
      rmSync(join(root, '.git'), { recursive: true, force: true, maxRetries: 5 });
      git('init', '-q');
      return git('add', '-A') + git('commit', '-q', '-m', 'first');
    };
    const first = await interleave(rounds, ours, gits);
    const firstMs = median(first.measured);
    const gitFirstMs = median(first.floor);
    log(`first commit of ${count} files ${fmtMs(firstMs)} vs git ${fmtMs(gitFirstMs)}`);

    // Re-commit after one change: one live workspace with history, one git repo with history.
    await loadSnapshot(daemon, snapshot, 'live');
    await commit('live', 'first');
    let change = 0;
    const reOurs = async () => {
      change += 1;
      await expectStatus(200, daemon.url, 'POST', '/v1/workspaces/live/execute', {
        token: daemon.token,
        body: { command: `echo ${change} >> /d000/f000.bin` },
      });
      return commit('live', `change ${change}`);
    };
    const reGit = () => {
      change += 1;
      writeFileSync(join(root, 'd000', 'f001.bin'), `change ${change}\n`, { flag: 'a' });
      return git('add', '-A') + git('commit', '-q', '-m', `change ${change}`);
    };
    const again = await interleave(recommits, reOurs, reGit);
    const reMs = median(again.measured);
    const gitReMs = median(again.floor);
    log(`re-commit ${fmtMs(reMs)} vs git ${fmtMs(gitReMs)}`);
    const files = `${count.toLocaleString('en')} × 1 KB`;
    return {
      rows: [
        row({
          figure: `commit of ${files} files (ram workspace)`,
          measured: fmtMs(firstMs),
          floor: `${fmtMs(gitFirstMs)} (\`git add -A && git commit\`)`,
          kind: 'maxRatio',
          value: firstMs / gitFirstMs,
          limit: 1.0,
        }),
        row({
          figure: `re-commit after one change (${files})`,
          measured: fmtMs(reMs),
          floor: `${fmtMs(gitReMs)} (git re-commit)`,
          kind: 'maxAbs',
          value: reMs,
          limit: 50,
          format: fmtMs,
          ratio: reMs / gitReMs,
        }),
      ],
    };
  } finally {
    await daemon.stop();
  }
}
