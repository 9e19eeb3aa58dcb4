// N sequential `execute` calls over HTTP against the same calls on a workspace-core Workspace in
// this process (no HTTP, no Nest); throughput = calls / wall time, rounds alternated.
import { expectStatus, rawConnection } from '../lib/http.js';
import { inProcessWorkspace } from '../lib/engine.js';
import { startDaemon } from '../lib/proc.js';
import { elapsedMs, fmtRate, interleave, median } from '../lib/stats.js';
import { row } from '../lib/report.js';
import { BUILTIN_RAM_CONFIG } from '../lib/trees.js';

export async function run({ quick, log }) {
  const calls = quick ? 300 : 1000;
  const rounds = quick ? 3 : 5;
  const daemon = await startDaemon('throughput');
  const { registry, workspace } = await inProcessWorkspace();
  let socket;
  try {
    await expectStatus(201, daemon.url, 'POST', '/v1/workspaces', { token: daemon.token, body: { id: 'tp', config: BUILTIN_RAM_CONFIG } });
    const command = 'echo hi';
    // one raw keep-alive socket, the request bytes built once (bench/lib/http.js)
    socket = await rawConnection(daemon.url, 'POST', '/v1/workspaces/tp/execute', { token: daemon.token, body: { command } });
    const overHttp = async () => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < calls; i += 1) {
        const answer = await socket.send();
        if (answer.status !== 200) throw new Error(`execute answered ${answer.status} ${answer.body.toString('utf8')}`);
      }
      return calls / (elapsedMs(start) / 1000);
    };
    const inProcess = async () => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < calls; i += 1) {
        const result = await workspace.execute({ command });
        if (result.exit_code !== 0) throw new Error(`in-process execute exited ${result.exit_code}`);
      }
      return calls / (elapsedMs(start) / 1000);
    };
    await overHttp();
    await inProcess();
    const result = await interleave(rounds, overHttp, inProcess);
    const http = median(result.measured);
    const local = median(result.floor);
    log(`${calls} sequential executes: HTTP ${fmtRate(http, 'calls')} vs in-process ${fmtRate(local, 'calls')}`);
    return {
      rows: [
        row({
          figure: `${calls.toLocaleString('en')} sequential \`execute\` calls over HTTP`,
          measured: fmtRate(http, 'calls'),
          floor: `${fmtRate(local, 'calls')} (workspace-core, in-process)`,
          kind: 'minRatio',
          value: http / local,
          limit: 0.7,
        }),
      ],
    };
  } finally {
    socket?.close();
    await registry.closeAll();
    await daemon.stop();
  }
}
