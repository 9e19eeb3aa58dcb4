// Scale cases of the builtin (just-bash) engine: many commands on one workspace, 10 MB of stdin,
// 1,000-file globs. They check results and print timings; speed itself is gated only in the
// benchmarks (bench/figures/echo-curve.js measures the flatness as a ratio, docs/benchmarks.md),
// because a wall-clock bound in a test fails on a busy or slow machine with nothing wrong.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkspaceRegistry } from './index.js';

const registry = new WorkspaceRegistry({ env: {} });
const scratch = mkdtempSync(join(tmpdir(), 'mirage-perf-'));
afterAll(async () => {
  await registry.closeAll();
  rmSync(scratch, { recursive: true, force: true });
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

it('5,000 commands on one workspace all answer correctly (latency printed)', async () => {
  const workspace = await registry.create({ config: { mounts: { '/': { resource: 'ram' } } } });
  const total = 5_000;
  const times: number[] = [];
  for (let index = 0; index < total; index += 1) {
    const started = performance.now();
    const result = await workspace.execute({ command: 'echo hi' });
    times.push(performance.now() - started);
    if (result.stdout !== 'hi\n') throw new Error(`unexpected output at ${index}: ${result.stdout}`);
  }
  // Medians of windows (skipping warm-up) resist GC pauses and scheduler noise; compare the best
  // of three windows at each end.
  const window = (start: number) => median(times.slice(start, start + 100));
  const first = Math.min(window(200), window(300), window(400));
  const last = Math.min(window(total - 300), window(total - 200), window(total - 100));
  console.log(`echo latency: median first ${first.toFixed(3)} ms, last ${last.toFixed(3)} ms, overall ${median(times).toFixed(3)} ms`);
  expect(times).toHaveLength(total);
}, 300_000);

it('10 MB of stdin is passed as bytes', async () => {
  const workspace = await registry.create({ config: { mounts: { '/': { resource: 'ram' } } } });
  const stdin = new Uint8Array(10 * 1024 * 1024);
  for (let index = 0; index < stdin.length; index += 1) stdin[index] = index % 64 === 63 ? 10 : 97 + (index % 26);
  const started = performance.now();
  const result = await workspace.execute({ command: 'wc -c; ', stdin });
  const countMs = performance.now() - started;
  const copyStarted = performance.now();
  const copy = await workspace.execute({ command: 'cat > /big.txt && wc -l < /big.txt', stdin });
  const copyMs = performance.now() - copyStarted;
  console.log(`10 MB stdin: wc -c ${countMs.toFixed(0)} ms, cat > file + wc -l ${copyMs.toFixed(0)} ms (naive text stdin measured ~2-3 s)`);
  expect(result.stdout.trim()).toBe(String(stdin.length));
  expect(copy.stdout.trim()).toBe(String(stdin.length / 64));
});

it('a 1,000-file glob expands on ram and disk mounts', async () => {
  const root = join(scratch, 'glob');
  mkdirSync(join(root, 'g'), { recursive: true });
  for (let index = 0; index < 1000; index += 1) writeFileSync(join(root, 'g', `f${index}.txt`), `${index}\n`);
  const workspace = await registry.create({
    config: { mounts: { '/': { resource: 'ram' }, '/d': { resource: 'disk', config: { root } } } },
  });
  await workspace.execute({ command: 'mkdir /g && cd /g && for i in $(seq 0 999); do echo $i > f$i.txt; done' });
  const timings: string[] = [];
  for (const [label, command, expected] of [
    ['ram echo glob', 'echo /g/*.txt | wc -w', '1000'],
    ['ram cat glob', 'cat /g/*.txt | wc -l', '1000'],
    ['disk echo glob', 'echo /d/g/*.txt | wc -w', '1000'],
    ['disk cat glob', 'cat /d/g/*.txt | wc -l', '1000'],
    ['ram ls glob', 'ls /g/*.txt | grep -c txt', '1000'],
  ] as const) {
    const started = performance.now();
    const result = await workspace.execute({ command });
    const elapsed = performance.now() - started;
    timings.push(`${label} ${elapsed.toFixed(0)} ms`);
    expect(result.stdout.trim()).toBe(expected);
  }
  console.log(`1,000-file glob: ${timings.join(', ')} (naive measured ~1.6 s)`);
});
