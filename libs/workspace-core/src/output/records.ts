// An output log read as the wire records of docs/protocol.md §17: chunks with their bytes as base64,
// then one status record. Without `follow` the answer is what the log holds now; with it, the
// chunks come as they are written and the status record once the job's work has ended.
import type { JobStatus, OutputChunkRecord, OutputRecord, OutputStatusRecord } from '@mirage-ts/protocol';
import { isOutputEnd, type OutputChunk, type OutputLog } from './output-log.js';

export function chunkRecord(chunk: OutputChunk): OutputChunkRecord {
  return {
    seq: chunk.seq,
    ts: chunk.ts,
    stream: chunk.stream,
    data: Buffer.from(chunk.data.buffer, chunk.data.byteOffset, chunk.data.byteLength).toString('base64'),
  };
}

function statusRecord(log: OutputLog, status: JobStatus, exitCode: number | null): OutputStatusRecord {
  return { status, exit_code: exitCode, seq: log.lastSeq, truncated: log.truncated, discarded: log.discarded };
}

export interface ReadOutputOptions {
  /** The seq the reader has seen (0: from the start); chunks after it are answered. */
  since: number;
  follow: boolean;
  /** Ends a follow early (the client went away). */
  signal?: AbortSignal;
  /** The job's status now, for the status record of a log that has not ended. */
  status: () => JobStatus;
}

export async function* outputRecords(log: OutputLog, options: ReadOutputOptions): AsyncGenerator<OutputRecord> {
  if (!options.follow) {
    for (const chunk of log.read(options.since)) yield chunkRecord(chunk);
    const end = log.ended;
    yield statusRecord(log, end?.status ?? options.status(), end?.exit_code ?? null);
    return;
  }
  for await (const record of log.follow(options.since, options.signal)) {
    if (isOutputEnd(record)) yield statusRecord(log, record.status, record.exit_code);
    else yield chunkRecord(record);
  }
}
