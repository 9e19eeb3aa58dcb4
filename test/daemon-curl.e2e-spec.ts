// The docs' shell usage, verbatim style: curl + jq against a real daemon (what a user types).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestDaemon, type TestDaemon } from './support/daemon.js';

const run = promisify(execFile);

const SCRIPT = String.raw`
set -euo pipefail
T=$(cat "$MIRAGE_HOME/auth_token")
H="Authorization: Bearer $T"
curl -sf "$URL/v1/health" | jq -r .status
curl -sf -H "$H" -H 'Content-Type: application/json' \
  -d '{"config":{"mounts":{"/":{"resource":"ram","mode":"write"}}},"id":"demo"}' "$URL/v1/workspaces" | jq -r .id
curl -sf -H "$H" -H 'Content-Type: application/json' -d '{"command":"echo hello > /greeting.txt"}' \
  "$URL/v1/workspaces/demo/execute" | jq -r .exit_code
curl -sf -H "$H" -H 'Content-Type: application/json' -d '{"command":"cat /greeting.txt"}' \
  "$URL/v1/workspaces/demo/execute" | jq -r .stdout
JOB=$(curl -sf -H "$H" -H 'Content-Type: application/json' -d '{"command":"echo from-bg"}' \
  "$URL/v1/workspaces/demo/execute?background=true" | jq -r .job_id)
curl -sf -H "$H" -X POST "$URL/v1/jobs/$JOB/wait" | jq -r '.status + " " + .result.stdout'
printf 'x\ny\n' | curl -sf -H "$H" -F 'request={"command":"wc -l"};type=application/json' -F 'stdin=@-' \
  "$URL/v1/workspaces/demo/execute" | jq -r '.stdout | gsub("\\s"; "")'
curl -s -o /dev/null -w '%{http_code}\n' -H "$H" "$URL/v1/workspaces/nope"
curl -s -o /dev/null -w '%{http_code}\n' "$URL/v1/workspaces"
curl -sf -H "$H" -X DELETE "$URL/v1/workspaces/demo" | jq -r .id
`;

describe('curl examples', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startTestDaemon();
  });
  afterAll(() => d.close());

  it('work as the docs show them', async () => {
    expect(readFileSync(join(d.home, 'auth_token'), 'utf8').trim()).toBe(d.token);
    const { stdout } = await run('bash', ['-c', SCRIPT], { env: { PATH: process.env.PATH, MIRAGE_HOME: d.home, URL: d.url } });
    expect(stdout.split('\n')).toEqual(['ok', 'demo', '0', 'hello', '', 'done from-bg', '', '2', '404', '401', 'demo', '']);
  });
});
