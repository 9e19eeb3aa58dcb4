// A job's output as a log (docs/protocol.md §17): chunks `{seq, ts, stream, data}` numbered from 1 in
// the order the engine produced them, each stream capped at the workspace's output limit (past it the
// command keeps running, capture stops, `truncated` is set), then one end record once the work is over.
// Writers never wait: an engine's pipes keep draining whatever its followers do. Followers read
// from the log at their own pace (a cursor each), so a slow or stalled reader costs nothing but
// its cursor, and the log is the only buffer.
import type { JobStatus } from '@mirage-ts/protocol';

export type OutputStream = 'stdout' | 'stderr';

/** Where an engine hands the bytes of a running command, as they come (one call per chunk). */
export type OutputSink = (stream: OutputStream, bytes: Uint8Array) => void;

export interface OutputChunk {
  seq: number;
  /** Seconds since the epoch when the chunk was captured. */
  ts: number;
  stream: OutputStream;
  data: Uint8Array;
}

/** How the job ended, as the log's last record says it. */
export interface OutputEnd {
  status: JobStatus;
  /** The command's exit code; 130 for a canceled job, 124 for one that timed out; null if it failed without one. */
  exit_code: number | null;
}

export interface OutputLogOptions {
  /** Bytes kept per stream (the workspace's limits.max_output_bytes). */
  limitBytes: number;
  now?: () => number;
}

export class OutputLog {
  private readonly chunks: OutputChunk[] = [];
  private readonly captured: Record<OutputStream, number> = { stdout: 0, stderr: 0 };
  private readonly limitBytes: number;
  private readonly now: () => number;
  private waiters: (() => void)[] = [];
  private endRecord: OutputEnd | undefined;
  private cut = false;
  private dropped = false;
  private bytes = 0;
  private droppedLastSeq = 0;

  constructor(options: OutputLogOptions) {
    this.limitBytes = Math.max(0, options.limitBytes);
    this.now = options.now ?? Date.now;
  }

  /** The sink of this log (bound, for handing to an engine). */
  readonly sink: OutputSink = (stream, data) => this.write(stream, data);

  /** Appends a chunk; what is past the stream's limit, or comes after the end, is not kept. */
  write(stream: OutputStream, data: Uint8Array): void {
    if (this.endRecord !== undefined || data.byteLength === 0) return;
    const room = this.limitBytes - this.captured[stream];
    if (room <= 0) {
      this.cut = true;
      return;
    }
    let kept = data;
    if (data.byteLength > room) {
      kept = data.subarray(0, room);
      this.cut = true;
    }
    // A copy: the engine may reuse its buffer once the sink returns.
    const copy = new Uint8Array(kept);
    this.captured[stream] += copy.byteLength;
    this.bytes += copy.byteLength;
    this.chunks.push({ seq: this.chunks.length + 1, ts: this.now() / 1000, stream, data: copy });
    this.wake();
  }

  /** Closes the log; later writes are ignored and followers get the end record. */
  end(record: OutputEnd): void {
    if (this.endRecord !== undefined) return;
    this.endRecord = record;
    this.wake();
  }

  /**
   * Frees the chunks of a finished job (the job table's byte budget, jobs.ts); the end record
   * stays and says `discarded`. Sequence numbers are kept, so cursors stay meaningful.
   */
  discard(): void {
    if (this.dropped) return;
    this.droppedLastSeq = this.chunks.length;
    this.chunks.length = 0;
    this.bytes = 0;
    this.dropped = true;
  }

  get ended(): OutputEnd | undefined {
    return this.endRecord;
  }

  get truncated(): boolean {
    return this.cut;
  }

  get discarded(): boolean {
    return this.dropped;
  }

  /** Bytes held now. */
  get size(): number {
    return this.bytes;
  }

  /** The seq of the newest chunk (0 before the first). */
  get lastSeq(): number {
    return this.dropped ? this.droppedLastSeq : this.chunks.length;
  }

  /** The chunks after `since` (a seq the reader has seen; 0 for all), as they are now. */
  read(since: number): OutputChunk[] {
    if (this.dropped) return [];
    return this.chunks.slice(Math.max(0, Math.floor(since)));
  }

  /**
   * Chunks after `since` as they come, then the end record; returns early (without the end
   * record) when `signal` aborts. Each follower holds only its cursor.
   */
  async *follow(since: number, signal?: AbortSignal): AsyncGenerator<OutputChunk | OutputEnd> {
    let cursor = Math.max(0, Math.floor(since));
    for (;;) {
      if (signal?.aborted) return;
      const next = this.dropped ? undefined : this.chunks[cursor];
      if (next !== undefined) {
        cursor += 1;
        yield next;
        continue;
      }
      if (this.endRecord !== undefined) {
        yield this.endRecord;
        return;
      }
      await this.changed(signal);
    }
  }

  /** Resolves at the next write or end, or when `signal` aborts. */
  private changed(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}

export function isOutputEnd(record: OutputChunk | OutputEnd): record is OutputEnd {
  return (record as OutputEnd).status !== undefined;
}
