#!/usr/bin/env node
// Load check of the real daemon (apps/daemon/bin/daemon.js, built dist) on 127.0.0.1:
//   1. N requests at concurrency C, mixed: execute, get workspace, list workspaces, list jobs —
//      every answer must be a 2xx with the expected body (0 errors);
//   2. M commands run one after another on one workspace: the median latency of the last window
//      must stay within --max-ratio (default 1.2) of the first window's (no slowdown over time).
// It starts its own daemon (temp MIRAGE_HOME, free port, random token), talks to nothing but
// 127.0.0.1, stops the daemon and removes the home when done, and gives up after --timeout s.
// With --docs (default for the full run) the figures are written into docs/reliability.md.
//
//   node scripts/reliability.mjs [--requests 10000] [--concurrency 64] [--commands 20000]
//                                [--window 1000] [--max-ratio 1.2] [--timeout 900] [--json] [--no-docs]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(REPO, 'apps', 'daemon', 'bin', 'daemon.js');
const DOC = join(REPO, 'docs', 'reliability.md');
const HOST = '127.0.0.1';
const START_MARK = '<!-- reliability-figures:start -->';
const END_MARK = '<!-- reliability-figures:end -->';

function parseArgs(argv) {
  const options = {
    requests: 10_000,
    concurrency: 64,
    commands: 20_000,
    window: 1000,
    maxRatio: 1.2,
    timeout: 900,
    json: false,
    docs: true,
  };
  const numeric = {
    '--requests': 'requests',
    '--concurrency': 'concurrency',
    '--commands': 'commands',
    '--window': 'window',
    '--max-ratio': 'maxRatio',
    '--timeout': 'timeout',
  };
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (arg === '--json') options.json = true;
    else if (arg === '--no-docs') options.docs = false;
    else if (arg === '--docs') options.docs = true;
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(
        readFileSync(fileURLToPath(import.meta.url), 'utf8')
          .split('\n')
          .slice(1, 13)
          .join('\n')
          .replace(/^\/\/ ?/gm, '') + '\n',
      );
      process.exit(0);
    } else if (numeric[arg.split('=')[0]] !== undefined) {
      const [name, inline] = arg.split('=');
      const value = Number(inline ?? argv[++index]);
      if (!Number.isFinite(value) || value <= 0) fail(`${name} needs a positive number`);
      options[numeric[name]] = value;
    } else fail(`unknown argument: ${arg}`);
  }
  // Bounded: never more than these, whatever is asked.
  options.requests = Math.min(Math.floor(options.requests), 1_000_000);
  options.concurrency = Math.min(Math.floor(options.concurrency), 512);
  options.commands = Math.min(Math.floor(options.commands), 1_000_000);
  options.window = Math.min(Math.floor(options.window), Math.max(1, Math.floor(options.commands / 4)));
  return options;
}

function fail(message) {
  process.stderr.write(`reliability: ${message}\n`);
  process.exit(2);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startDaemon(home, port, token) {
  if (!existsSync(join(REPO, 'apps', 'daemon', 'dist', 'main.js'))) fail('apps/daemon is not built: run `npm run build` first');
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    MIRAGE_HOME: home,
    MIRAGE_DAEMON_PORT: String(port),
    MIRAGE_AUTH_TOKEN: token,
    MIRAGE_IDLE_GRACE_SECONDS: '3600',
  };
  const child = spawn(process.execPath, [BIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      // Only the start-up lines are kept; the rest of the log is drained.
      if (stdout.length < 1_000_000) stdout += chunk;
      if (/listening on http/.test(stdout)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`daemon exited (${code}) before listening: ${stderr.trim()}`)));
  });
  return child;
}

function makeClient(port, token, concurrency) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  return (method, path, body) =>
    new Promise((resolve) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const headers = { authorization: `Bearer ${token}` };
      if (payload !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': payload.length });
      const started = performance.now();
      const req = request({ host: HOST, port, method, path, headers, agent }, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode, json, text, ms: performance.now() - started });
        });
        res.on('error', (error) => resolve({ status: 0, text: error.message, ms: performance.now() - started }));
      });
      req.on('error', (error) => resolve({ status: 0, text: error.message, ms: performance.now() - started }));
      req.end(payload);
    });
}

const median = (values) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
};
const round = (value, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Phase 1: `total` mixed requests, `concurrency` in flight. */
async function mixedLoad(call, workspaces, total, concurrency) {
  const kinds = { execute: 0, get: 0, list: 0, jobs: 0 };
  const errors = [];
  const latencies = [];
  let next = 0;
  const one = async (index) => {
    const workspace = workspaces[index % workspaces.length];
    const pick = index % 10;
    let answer;
    let ok;
    if (pick < 4) {
      kinds.execute += 1;
      const session = `s${index % 4}`;
      answer = await call('POST', `/v1/workspaces/${workspace}/execute`, { command: `echo r${index}`, session_id: session });
      ok = answer.status === 200 && answer.json?.exit_code === 0 && answer.json?.stdout === `r${index}\n`;
    } else if (pick < 6) {
      kinds.get += 1;
      answer = await call('GET', `/v1/workspaces/${workspace}`);
      ok = answer.status === 200 && answer.json?.id === workspace;
    } else if (pick < 8) {
      kinds.list += 1;
      answer = await call('GET', '/v1/workspaces');
      ok = answer.status === 200 && Array.isArray(answer.json) && answer.json.length === workspaces.length;
    } else {
      kinds.jobs += 1;
      answer = await call('GET', `/v1/jobs?workspace_id=${workspace}`);
      ok = answer.status === 200 && Array.isArray(answer.json);
    }
    latencies.push(answer.ms);
    if (!ok && errors.length < 20) errors.push(`${answer.status} ${answer.text.slice(0, 200)}`);
    else if (!ok) errors.push('');
  };
  const started = performance.now();
  const workers = Array.from({ length: concurrency }, async () => {
    for (;;) {
      const index = next;
      next += 1;
      if (index >= total) return;
      await one(index);
    }
  });
  await Promise.all(workers);
  const seconds = (performance.now() - started) / 1000;
  return {
    requests: total,
    concurrency,
    kinds,
    errors: errors.length,
    error_samples: errors.filter(Boolean).slice(0, 5),
    seconds: round(seconds),
    requests_per_s: round(total / seconds, 0),
    latency_ms: { median: round(median(latencies)), p99: round(percentile(latencies, 99)), max: round(Math.max(...latencies)) },
  };
}

/** Phase 2: `total` commands one after another on one workspace; first vs last window. */
async function longRun(call, workspace, total, window) {
  const latencies = [];
  let errors = 0;
  const started = performance.now();
  for (let index = 0; index < total; index += 1) {
    const answer = await call('POST', `/v1/workspaces/${workspace}/execute`, { command: `echo c${index}` });
    if (answer.status !== 200 || answer.json?.stdout !== `c${index}\n`) errors += 1;
    latencies.push(answer.ms);
  }
  const seconds = (performance.now() - started) / 1000;
  // The first window starts after a short warm-up (JIT, first allocations), as long as it fits.
  const warmup = Math.min(200, Math.max(0, total - 2 * window));
  const first = median(latencies.slice(warmup, warmup + window));
  const last = median(latencies.slice(total - window));
  // Medians of consecutive windows, to show a trend rather than two points.
  const trend = [];
  for (let from = 0; from + window <= total; from += Math.max(window, Math.floor(total / 10)))
    trend.push(round(median(latencies.slice(from, from + window)), 3));
  return {
    commands: total,
    errors,
    trend_ms: trend,
    seconds: round(seconds),
    window,
    first_window_median_ms: round(first, 3),
    last_window_median_ms: round(last, 3),
    ratio: round(last / first, 3),
    overall_median_ms: round(median(latencies), 3),
  };
}

function writeDocs(result, argv) {
  const command = `node scripts/reliability.mjs ${argv.join(' ')}`.trim();
  const { mixed, long } = result;
  const block = [
    START_MARK,
    `Measured ${result.date} on ${result.machine} (Node ${process.versions.node}); reproduce with \`${command}\`.`,
    '',
    '| run | figure |',
    '|---|---|',
    `| mixed load | ${mixed.requests} requests at concurrency ${mixed.concurrency} (execute ${mixed.kinds.execute}, get ${mixed.kinds.get}, list ${mixed.kinds.list}, jobs ${mixed.kinds.jobs}) |`,
    `| errors | **${mixed.errors}** |`,
    `| throughput | ${mixed.requests_per_s} requests/s (${mixed.seconds} s) |`,
    `| latency | median ${mixed.latency_ms.median} ms, p99 ${mixed.latency_ms.p99} ms, max ${mixed.latency_ms.max} ms |`,
    `| long run | ${long.commands} commands, one after another, on one workspace (${long.seconds} s), errors **${long.errors}** |`,
    `| first window (${long.window} commands) | median ${long.first_window_median_ms} ms |`,
    `| last window (${long.window} commands) | median ${long.last_window_median_ms} ms |`,
    `| last / first | **${long.ratio}×** (limit ${result.max_ratio}×) |`,
    `| trend (median of each ${long.window}-command window, every ${Math.max(long.window, Math.floor(long.commands / 10))} commands) | ${long.trend_ms.join(', ')} ms |`,
    `| daemon RSS after the run | ${result.daemon_rss_mb ?? 'n/a'} MB |`,
    END_MARK,
  ].join('\n');
  let text = existsSync(DOC) ? readFileSync(DOC, 'utf8') : `# Reliability\n\n## Load figures\n\n${START_MARK}\n${END_MARK}\n`;
  if (!text.includes(START_MARK)) text += `\n## Load figures\n\n${START_MARK}\n${END_MARK}\n`;
  const head = text.slice(0, text.indexOf(START_MARK));
  const tail = text.slice(text.indexOf(END_MARK) + END_MARK.length);
  writeFileSync(DOC, `${head}${block}${tail}`);
}

function rssOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? round(Number(match[1]) / 1024, 0) : null;
  } catch {
    return null;
  }
}

async function main() {
  const argv = process.argv.slice(2);
  const options = parseArgs(argv);
  const home = mkdtempSync(join(tmpdir(), 'mirage-reliability-load-'));
  const token = randomBytes(24).toString('base64url');
  let daemon;
  const timer = setTimeout(() => {
    process.stderr.write(`reliability: gave up after ${options.timeout}s\n`);
    daemon?.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
    process.exit(1);
  }, options.timeout * 1000);
  try {
    const port = await freePort();
    daemon = await startDaemon(home, port, token);
    const call = makeClient(port, token, options.concurrency);
    const log = (message) => options.json || process.stderr.write(`${message}\n`);

    // The builtin engine: this measures the daemon's request and job machinery, not a sandbox's
    // start-up per command (docs/engines.md).
    const RAM_BUILTIN = { engine: 'builtin', mounts: { '/': { resource: 'ram', mode: 'write' } } };
    const workspaces = ['load-0', 'load-1', 'load-2', 'load-3'];
    for (const id of workspaces) {
      const created = await call('POST', '/v1/workspaces', { id, config: RAM_BUILTIN });
      if (created.status !== 201) throw new Error(`create ${id}: ${created.status} ${created.text}`);
      for (let s = 0; s < 4; s += 1) await call('POST', `/v1/workspaces/${id}/sessions`, { session_id: `s${s}` });
    }
    log(`mixed load: ${options.requests} requests at concurrency ${options.concurrency}...`);
    const mixed = await mixedLoad(call, workspaces, options.requests, options.concurrency);
    log(`  ${mixed.errors} errors, ${mixed.requests_per_s} req/s, median ${mixed.latency_ms.median} ms`);

    const long = await (async () => {
      const created = await call('POST', '/v1/workspaces', { id: 'long', config: RAM_BUILTIN });
      if (created.status !== 201) throw new Error(`create long: ${created.status} ${created.text}`);
      log(`long run: ${options.commands} commands on one workspace...`);
      return longRun(call, 'long', options.commands, options.window);
    })();
    log(`  ${long.errors} errors, first ${long.first_window_median_ms} ms, last ${long.last_window_median_ms} ms, ratio ${long.ratio}`);
    const rss = rssOf(daemon.pid);

    const stop = await call('POST', '/v1/shutdown');
    if (stop.status !== 200) throw new Error(`shutdown: ${stop.status}`);
    const code = await new Promise((resolve) => daemon.once('exit', (exitCode) => resolve(exitCode)));
    const result = {
      ok: mixed.errors === 0 && long.errors === 0 && long.ratio <= options.maxRatio && code === 0,
      date: new Date().toISOString().slice(0, 10),
      machine: `${cpus().length} × ${cpus()[0]?.model?.trim() ?? 'cpu'}`,
      max_ratio: options.maxRatio,
      daemon_exit_code: code,
      daemon_rss_mb: rss,
      mixed,
      long,
    };
    if (options.docs) writeDocs(result, argv);
    process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : `${JSON.stringify(result, null, 2)}\n`);
    process.exitCode = result.ok ? 0 : 1;
  } catch (error) {
    process.stderr.write(`reliability: ${error instanceof Error ? error.message : String(error)}\n`);
    daemon?.kill('SIGKILL');
    process.exitCode = 1;
  } finally {
    clearTimeout(timer);
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
