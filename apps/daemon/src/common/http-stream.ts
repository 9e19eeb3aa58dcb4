// The HTTP plumbing of streamed answers, in one place at the edge: records from an async iterable
// written one JSON line each (NDJSON) or as server-sent events. The iterable is pulled only as
// fast as the socket drains (Readable.from under Fastify's pipe), so a reader that stops reading
// stops the pulling; nothing is queued here beyond the stream's small high-water mark.
import { Readable } from 'node:stream';
import { NDJSON_MEDIA_TYPE, SSE_MEDIA_TYPE } from '@mirage-ts/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';

export type StreamFormat = 'ndjson' | 'sse';

/** SSE when the client asks for `text/event-stream`, NDJSON otherwise. */
export function streamFormat(request: FastifyRequest): StreamFormat {
  return (request.headers.accept ?? '').toLowerCase().includes(SSE_MEDIA_TYPE) ? 'sse' : 'ndjson';
}

/** An SSE event: `id` is given for records that carry a resumable cursor (`Last-Event-ID`). */
export interface StreamedRecord {
  record: unknown;
  event?: string;
  id?: number;
}

async function* encode(records: AsyncIterable<StreamedRecord>, format: StreamFormat): AsyncGenerator<string> {
  for await (const { record, event, id } of records) {
    const json = JSON.stringify(record);
    if (format === 'ndjson') yield `${json}\n`;
    else yield `${id === undefined ? '' : `id: ${id}\n`}event: ${event ?? 'message'}\ndata: ${json}\n\n`;
  }
}

/** Answers with the records as they come, status 200; the answer ends when the iterable does. */
export function sendRecords(
  reply: FastifyReply,
  records: AsyncIterable<StreamedRecord>,
  format: StreamFormat,
  headers: Record<string, string> = {},
): FastifyReply {
  for (const [name, value] of Object.entries(headers)) void reply.header(name, value);
  // Node holds a response head back until the first body byte; a follower (and a CLI that needs
  // the job id to cancel on Ctrl-C) must get it at once. Fastify pipes the stream right after
  // writing the head.
  reply.raw.once('pipe', () => reply.raw.flushHeaders());
  return reply
    .status(200)
    .header('content-type', format === 'sse' ? `${SSE_MEDIA_TYPE}; charset=utf-8` : NDJSON_MEDIA_TYPE)
    .header('cache-control', 'no-store')
    .header('x-accel-buffering', 'no')
    .send(Readable.from(encode(records, format), { objectMode: false, highWaterMark: 16 * 1024 }));
}
