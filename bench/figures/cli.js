// `mirage --version` and `mirage execute -c 'echo hi'` (warm daemon) wall time, each against
// `node -e 0` run alternately in the same loop.
import { CLI_BIN, cleanEnv, mirageEnv, startDaemon, timeRun } from '../lib/proc.js';
import { expectStatus } from '../lib/http.js';
import { fmtMs, interleave, median } from '../lib/stats.js';
import { row } from '../lib/report.js';

export async function run({ quick, log }) {
  const rounds = quick ? 7 : 21;
  const nodeFloor = () => timeRun(process.execPath, ['-e', '0'], { env: cleanEnv() }).ms;

  // warm the file cache once for each binary
  timeRun(process.execPath, [CLI_BIN, '--version'], { env: cleanEnv() });
  nodeFloor();
  const version = await interleave(rounds, () => timeRun(process.execPath, [CLI_BIN, '--version'], { env: cleanEnv() }).ms, nodeFloor);
  const versionMs = median(version.measured);
  const versionFloor = median(version.floor);
  log(`--version ${fmtMs(versionMs)} vs node -e 0 ${fmtMs(versionFloor)}`);

  const daemon = await startDaemon('cli');
  const rows = [
    row({
      figure: '`mirage --version` wall time',
      measured: fmtMs(versionMs),
      floor: `${fmtMs(versionFloor)} (\`node -e 0\`)`,
      kind: 'maxRatio',
      value: versionMs / versionFloor,
      limit: 1.6,
    }),
  ];
  try {
    await expectStatus(201, daemon.url, 'POST', '/v1/workspaces', {
      token: daemon.token,
      body: { id: 'bench', config: { mounts: { '/': { resource: 'ram', mode: 'write' } } } },
    });
    const env = mirageEnv(daemon.home, daemon.port);
    const executeOnce = () => {
      const { ms, stdout } = timeRun(process.execPath, [CLI_BIN, 'execute', '-w', 'bench', '-c', 'echo hi'], { env });
      if (!stdout.includes('hi')) throw new Error(`mirage execute printed ${stdout}`);
      return ms;
    };
    executeOnce();
    const execute = await interleave(rounds, executeOnce, nodeFloor);
    const executeMs = median(execute.measured);
    const executeFloor = median(execute.floor);
    log(`execute ${fmtMs(executeMs)} vs node -e 0 ${fmtMs(executeFloor)}`);
    rows.push(
      row({
        figure: "`mirage execute -c 'echo hi'`, warm daemon",
        measured: fmtMs(executeMs),
        floor: `${fmtMs(executeFloor)} (\`node -e 0\`)`,
        kind: 'maxRatio',
        value: executeMs / executeFloor,
        limit: 2.0,
      }),
    );
  } finally {
    await daemon.stop();
  }
  return { rows };
}
