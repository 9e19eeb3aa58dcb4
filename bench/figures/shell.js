// Agent work in a ram workspace on the sandbox engine against the same commands in native bash on
// a tmpfs directory (/dev/shm): grep -r over 1,000 files, find, sort -nr of 720k lines, awk over 50
// files, a 10,000-iteration shell loop. Both sides get the same data, made by the same script; the
// workspace side is timed at the HTTP client (POST execute), the native side as a `bash -c` spawn.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expectStatus } from '../lib/http.js';
import { startDaemon, timeRun } from '../lib/proc.js';
import { elapsedMs, fmtMs, interleave, median } from '../lib/stats.js';
import { row } from '../lib/report.js';

/** Makes the data in the current directory (the same script on both sides). */
function setupScript(quick) {
  const lines = quick ? 200000 : 720000;
  return [
    'mkdir -p tree logs',
    'for i in $(seq 1 1000); do printf "line %d alpha\\nbeta %d needle%d\\n" $i $i $((i % 7)) > tree/f$i.txt; done',
    `seq 1 ${lines} | awk '{print ($1 * 7919) % ${lines}}' > nums.txt`,
    "for i in $(seq 1 50); do seq 1 4000 | awk -v f=$i '{print f, $1, $1 * f}' > logs/l$i.log; done",
  ].join('\n');
}

const WORK = [
  { name: '`grep -r` over 1,000 files', command: 'grep -r needle3 tree | wc -l' },
  { name: '`find` over 1,000 files', command: "find tree -name 'f1*' -type f | wc -l" },
  { name: '`sort -nr` of the numbers file', command: 'sort -nr nums.txt | head -1' },
  { name: '`awk` over 50 files', command: "awk '{s += $3} END {print s}' logs/*.log" },
  { name: '10,000-iteration shell loop', command: 'n=0; for i in $(seq 1 10000); do n=$((n + i)); done; echo $n' },
];

export async function run({ quick, log }) {
  const rounds = quick ? 3 : 5;
  const daemon = await startDaemon('shell');
  const native = mkdtempSync(join('/dev/shm', 'mirage-bench-native-'));
  try {
    const health = await daemon.call('GET', '/v1/health');
    const sandbox = (health.json?.engines ?? []).find((engine) => engine.name === 'sandbox');
    if (sandbox?.available !== true) {
      return {
        rows: [
          row({
            figure: 'agent work on the sandbox engine',
            measured: 'not available',
            kind: 'info',
            value: String(sandbox?.reason ?? 'not listed'),
          }),
        ],
      };
    }
    const config = { engine: 'sandbox', mounts: { '/': { resource: 'ram', mode: 'write' } } };
    await expectStatus(201, daemon.url, 'POST', '/v1/workspaces', { token: daemon.token, body: { id: 'sh', config } });
    const execute = async (command) => {
      const start = process.hrtime.bigint();
      const answer = await daemon.call('POST', '/v1/workspaces/sh/execute', { body: { command } });
      const ms = elapsedMs(start);
      if (answer.status !== 200 || answer.json?.exit_code !== 0)
        throw new Error(`execute ${command}: ${answer.status} ${answer.text.slice(0, 500)}`);
      return { ms, stdout: answer.json.stdout };
    };
    const nativeRun = (command) => timeRun('bash', ['-c', command], { cwd: native });
    await execute(setupScript(quick));
    nativeRun(setupScript(quick));
    const rows = [];
    for (const work of WORK) {
      const inWorkspace = await execute(work.command);
      const onHost = nativeRun(work.command);
      if (inWorkspace.stdout !== onHost.stdout)
        throw new Error(`${work.name}: workspace printed ${inWorkspace.stdout} but bash ${onHost.stdout}`);
      const result = await interleave(
        rounds,
        async () => (await execute(work.command)).ms,
        async () => nativeRun(work.command).ms,
      );
      const measured = median(result.measured);
      const floor = median(result.floor);
      log(`${work.name}: workspace ${fmtMs(measured)} vs native ${fmtMs(floor)}`);
      rows.push(
        row({
          figure: `${work.name} (ram workspace, sandbox engine)`,
          measured: fmtMs(measured),
          floor: `${fmtMs(floor)} (\`bash -c\` on tmpfs)`,
          kind: 'maxRatio',
          value: measured / floor,
          limit: 1.5,
        }),
      );
    }
    return { rows };
  } finally {
    rmSync(native, { recursive: true, force: true });
    await daemon.stop();
  }
}
