// The HTTP plumbing of request bodies that are not plain JSON, in one place at the edge: reading a
// multipart body part by part from the raw request (@fastify/busboy; Fastify's parser for
// multipart/* is a pass-through, common/mirage-edge.ts), answering a refused upload with
// `Connection: close`, and the client-disconnect AbortSignal. Controllers use it; services get
// parsed values and a signal, never a request or a response.
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { Busboy, type BusboyInstance } from '@fastify/busboy';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DaemonHttpError } from './coded-error.js';

const MULTIPART = /^multipart\//i;

export const isMultipart = (request: FastifyRequest): boolean => MULTIPART.test(request.headers['content-type'] ?? '');

/**
 * Handles one part: returns a promise settled once the part is consumed, or undefined to have it
 * drained and ignored. A throw, a rejection or `fail(error)` refuses the whole body.
 */
export type PartHandler = (name: string, stream: Readable, fail: (error: unknown) => void) => Promise<void> | undefined;

/**
 * Reads a multipart body, handing each part to `onPart`; resolves when the body has ended and
 * every part is consumed. Rejects with DaemonHttpError 400 for a malformed or truncated body,
 * or with the first error of a part; what is left of the body is then drained, not parsed.
 */
export function readMultipart(raw: IncomingMessage, maxPartBytes: number, onPart: PartHandler): Promise<void> {
  return new Promise((resolve, reject) => {
    let parser: BusboyInstance;
    try {
      parser = Busboy({
        headers: raw.headers as { 'content-type': string },
        isPartAFile: () => true,
        limits: { headerPairs: 8, fileSize: maxPartBytes + 1 },
      });
    } catch {
      reject(new DaemonHttpError(400, 'multipart body without a boundary'));
      return;
    }
    let settled = false;
    const pending: Promise<void>[] = [];
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      raw.unpipe(parser);
      raw.resume(); // drain what is left so the reply can be written
      reject(error);
    };
    parser.on('file', (name, stream) => {
      let consumed: Promise<void> | undefined;
      try {
        consumed = settled ? undefined : onPart(name, stream, fail);
      } catch (error) {
        fail(error);
      }
      if (consumed === undefined) stream.resume();
      else pending.push(consumed.catch(fail));
    });
    parser.on('finish', () => {
      void Promise.all(pending).then(() => {
        if (settled) return;
        settled = true;
        resolve();
      });
    });
    parser.on('error', (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      fail(new DaemonHttpError(400, /unexpected end/i.test(message) ? 'multipart body ended early' : `bad multipart body: ${message}`));
    });
    raw.on('aborted', () => fail(new DaemonHttpError(400, 'multipart body ended early')));
    raw.pipe(parser);
  });
}

/** A part read whole into memory; 413 `tooLarge` past `maxBytes`. */
export function collectPart(stream: Readable, maxBytes: number, tooLarge: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    stream.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > maxBytes) {
        over = true;
        reject(new DaemonHttpError(413, tooLarge));
      } else chunks.push(chunk);
    });
    stream.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    stream.on('error', reject);
  });
}

/**
 * Runs a reader of the request's body. When it refuses a multipart body, the answer carries
 * `Connection: close`: the rest of the upload was not read, so the connection cannot be reused.
 */
export async function readingBody<T>(request: FastifyRequest, reply: FastifyReply, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (isMultipart(request) && !reply.raw.headersSent) void reply.header('connection', 'close');
    throw error;
  }
}

/** Aborted when the client goes away before its answer has been written. */
export function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}
