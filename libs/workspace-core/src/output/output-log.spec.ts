import type { IoResult } from '@mirage-ts/protocol';
import { JobTable } from '../jobs.js';
import { isOutputEnd, OutputLog, outputRecords, type OutputChunk, type OutputEnd } from '../index.js';

const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text));
const decode = (chunks: OutputChunk[]): string => chunks.map((c) => Buffer.from(c.data).toString()).join('');
const io = (exitCode: number, stdout = ''): IoResult => ({ kind: 'io', exit_code: exitCode, stdout, stderr: '', refusal: null });
const meta = { workspace_id: 'w', session_id: 's', command: 'x' };

async function collect(iterable: AsyncIterable<OutputChunk | OutputEnd>): Promise<(OutputChunk | OutputEnd)[]> {
  const out: (OutputChunk | OutputEnd)[] = [];
  for await (const record of iterable) out.push(record);
  return out;
}

describe('OutputLog', () => {
  it('numbers chunks from 1 per log, keeps their stream and a copy of their bytes', () => {
    const log = new OutputLog({ limitBytes: 100, now: () => 5000 });
    const buffer = bytes('abc');
    log.write('stdout', buffer);
    buffer[0] = 0x7a; // the engine reuses its buffer: the log kept its own copy
    log.write('stderr', bytes('err'));
    log.write('stdout', new Uint8Array(0)); // nothing to keep
    expect(log.read(0).map((c) => [c.seq, c.ts, c.stream, Buffer.from(c.data).toString()])).toEqual([
      [1, 5, 'stdout', 'abc'],
      [2, 5, 'stderr', 'err'],
    ]);
    expect(log.read(1).map((c) => c.seq)).toEqual([2]);
    expect(log.read(9)).toEqual([]);
    expect([log.lastSeq, log.size, log.truncated]).toEqual([2, 6, false]);
  });

  it('caps each stream at the limit: the rest is dropped and truncated is set', () => {
    const log = new OutputLog({ limitBytes: 5 });
    log.write('stdout', bytes('1234'));
    log.write('stdout', bytes('5678'));
    log.write('stdout', bytes('9'));
    log.write('stderr', bytes('abcde'));
    expect(decode(log.read(0).filter((c) => c.stream === 'stdout'))).toBe('12345');
    expect(decode(log.read(0).filter((c) => c.stream === 'stderr'))).toBe('abcde');
    expect([log.truncated, log.size, log.lastSeq]).toEqual([true, 10, 3]);
  });

  it('follows from a cursor: what is there, what comes, then the end record; nothing after the end', async () => {
    const log = new OutputLog({ limitBytes: 100 });
    log.write('stdout', bytes('a'));
    const following = collect(log.follow(0));
    const resumed = collect(log.follow(1));
    await new Promise((resolve) => setImmediate(resolve));
    log.write('stderr', bytes('b'));
    log.end({ status: 'done', exit_code: 0 });
    log.write('stdout', bytes('late'));
    const all = await following;
    expect(all.map((r) => (isOutputEnd(r) ? r.status : r.seq))).toEqual([1, 2, 'done']);
    expect((await resumed).map((r) => (isOutputEnd(r) ? r.status : r.seq))).toEqual([2, 'done']);
    expect(log.lastSeq).toBe(2);
  });

  it('a follower whose signal aborts stops without the end record', async () => {
    const log = new OutputLog({ limitBytes: 100 });
    const controller = new AbortController();
    const following = collect(log.follow(0, controller.signal));
    setTimeout(() => controller.abort(), 20);
    expect(await following).toEqual([]);
  });

  it('100 followers of one log each get every chunk once and the end', async () => {
    const log = new OutputLog({ limitBytes: 1000 });
    const followers = Array.from({ length: 100 }, () => collect(log.follow(0)));
    for (let i = 0; i < 10; i++) {
      log.write('stdout', bytes(`${i}`));
      await new Promise((resolve) => setImmediate(resolve));
    }
    log.end({ status: 'done', exit_code: 0 });
    for (const records of await Promise.all(followers)) {
      expect(records.map((r) => (isOutputEnd(r) ? r.status : r.seq))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 'done']);
    }
  });

  it('wire records: base64 chunks, then a status record (running without follow)', async () => {
    const log = new OutputLog({ limitBytes: 100 });
    log.write('stdout', bytes('hi'));
    const now = [];
    for await (const record of outputRecords(log, { since: 0, follow: false, status: () => 'running' })) now.push(record);
    expect(now).toEqual([
      { seq: 1, ts: expect.any(Number), stream: 'stdout', data: 'aGk=' },
      { status: 'running', exit_code: null, seq: 1, truncated: false, discarded: false },
    ]);
  });
});

describe('JobTable output logs', () => {
  it('hands each job a sink; the log ends with the exit code once the work ends', async () => {
    const table = new JobTable();
    const { id, done } = table.submit(meta, async (_signal, onOutput) => {
      onOutput('stdout', bytes('out'));
      onOutput('stderr', bytes('err'));
      return io(7, 'out');
    });
    await done;
    await table.drain(); // the log ends when the work has ended, just after the job is marked done
    const log = table.output(id);
    expect(decode(log.read(0))).toBe('outerr');
    expect(log.ended).toEqual({ status: 'done', exit_code: 7 });
  });

  it('a canceled job keeps what it wrote on its way out and ends with exit 130', async () => {
    const table = new JobTable({ cancelGraceMs: 1000 });
    const { id, done } = table.submit(
      meta,
      (signal, onOutput) =>
        new Promise((resolve) => {
          onOutput('stdout', bytes('partial'));
          signal.addEventListener('abort', () => {
            onOutput('stderr', bytes('aborted'));
            resolve(io(124));
          });
        }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    table.cancel(id);
    expect((await done).status).toBe('canceled');
    await table.drain();
    expect(decode(table.output(id).read(0))).toBe('partialaborted');
    expect(table.output(id).ended).toEqual({ status: 'canceled', exit_code: 130 });
  });

  it('a job canceled before it starts has an empty, ended log; a failed one ends without an exit code', async () => {
    const table = new JobTable();
    let release!: () => void;
    const first = table.submit(meta, () => new Promise((resolve) => (release = () => resolve(io(0)))));
    const queued = table.submit(meta, async () => io(0));
    table.cancel(queued.id);
    expect(table.output(queued.id).ended).toEqual({ status: 'canceled', exit_code: 130 });
    release();
    await first.done;
    const failed = table.submit(meta, async () => {
      throw new Error('boom');
    });
    await failed.done;
    await table.drain();
    expect(table.output(failed.id).ended).toEqual({ status: 'failed', exit_code: null });
  });

  it('caps the log at the job output_limit_bytes and empties the oldest finished logs past the budget', async () => {
    const table = new JobTable({ outputBudgetBytes: 25 });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const job = table.submit({ ...meta, output_limit_bytes: 10 }, async (_signal, onOutput) => {
        onOutput('stdout', bytes('x'.repeat(50)));
        return io(0);
      });
      await job.done;
      ids.push(job.id);
    }
    await table.drain();
    const logs = ids.map((id) => table.output(id));
    expect(logs.map((log) => [log.truncated, log.discarded, log.size])).toEqual([
      [true, true, 0],
      [true, true, 0],
      [true, false, 10],
      [true, false, 10],
    ]);
    // An emptied log keeps its cursor and end record.
    expect([logs[0].lastSeq, logs[0].read(0), logs[0].ended]).toEqual([1, [], { status: 'done', exit_code: 0 }]);
  });

  it('an unknown job has no log (not_found)', () => {
    expect(() => new JobTable().output('job_nope')).toThrow('job not found');
  });
});
