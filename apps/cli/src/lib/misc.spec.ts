import { PassThrough } from 'node:stream';
import { parseEnvPairs } from './env-pairs.js';
import { ProgressReporter } from './progress.js';
import { readPipedStdin } from './stdin.js';

describe('parseEnvPairs', () => {
  it('splits at the first = and keeps empty values', () => {
    expect(parseEnvPairs(['A=1', 'B=x=y', 'C='])).toEqual({ A: '1', B: 'x=y', C: '' });
  });
  it('refuses a pair without a key', () => {
    expect(() => parseEnvPairs(['=1'])).toThrow("--env expects KEY=VALUE, got '=1'");
    expect(() => parseEnvPairs(['NOEQ'])).toThrow('--env expects KEY=VALUE');
  });
});

describe('readPipedStdin', () => {
  it('reads a pipe to the end, bytes intact', async () => {
    const stream = new PassThrough();
    const reading = readPipedStdin(stream);
    stream.write(Buffer.from([0, 255, 10]));
    stream.end(Buffer.from('abc'));
    expect(await reading).toEqual(Buffer.from([0, 255, 10, 97, 98, 99]));
  });
  it('never reads a terminal', async () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true });
    expect(await readPipedStdin(stream)).toBeUndefined();
  });
});

describe('ProgressReporter', () => {
  const sink = (isTTY: boolean) => {
    const lines: string[] = [];
    return { lines, isTTY, write: (text: string) => lines.push(text) };
  };

  it('stays quiet for small transfers', () => {
    const tty = sink(true);
    const reporter = new ProgressReporter('snapshot', tty, () => 0);
    reporter.update(1000, 1000);
    reporter.done();
    expect(tty.lines).toEqual([]);
  });

  it('redraws one line on a terminal and ends it', () => {
    const tty = sink(true);
    let t = 0;
    const reporter = new ProgressReporter('snapshot', tty, () => (t += 200));
    reporter.update(1024 * 1024, 2 * 1024 * 1024);
    reporter.update(2 * 1024 * 1024, 2 * 1024 * 1024);
    reporter.done();
    expect(tty.lines[0]).toContain('\rsnapshot 1.0 MiB / 2.0 MiB (50%)');
    expect(tty.lines[1]).toContain('(100%)');
    expect(tty.lines[2]).toBe('\n');
  });

  it('prints quarters to a log only for large transfers', () => {
    const log = sink(false);
    const reporter = new ProgressReporter('upload', log);
    const total = 100 * 1024 * 1024;
    for (let sent = 0; sent <= total; sent += total / 10) reporter.update(sent, total);
    expect(log.lines.map((l) => l.trim().replace(/.*\(/, '('))).toEqual(['(25%)', '(50%)', '(75%)', '(100%)']);
    const small = sink(false);
    new ProgressReporter('upload', small).update(10, 10);
    expect(small.lines).toEqual([]);
  });
});
