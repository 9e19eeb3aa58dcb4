// The small-request transport of MirageClient: one JSON (or small multipart) request over
// node:http. Importing got costs the CLI ~100 ms per call (measured on Node 20, and again by the CLI
// work), which alone breaks the `execute` start-up target, so got is kept for the large
// streaming transfers (snapshot download and upload) where its progress events earn their cost.
import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface PlainRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
  timeoutMs: number;
}

export interface PlainResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Raised when the request did not complete in time; `code` lets the client map it as a transport failure. */
export class RequestTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(timeoutMs: number) {
    super(`request timed out after ${timeoutMs} ms`);
  }
}

export function sendPlainRequest(options: PlainRequest): Promise<PlainResponse> {
  const target = new URL(options.url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-length'] = String(options.body.length);
  return new Promise<PlainResponse>((resolve, reject) => {
    const request = send(target, { method: options.method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        clearTimeout(timer);
        resolve({ statusCode: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    // One deadline for the whole exchange, as got's `timeout.request`.
    const timer = setTimeout(() => request.destroy(new RequestTimeoutError(options.timeoutMs)), options.timeoutMs);
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.end(options.body);
  });
}

export interface MultipartPart {
  name: string;
  filename: string;
  contentType: string;
  data: Uint8Array;
}

/** Encodes parts as multipart/form-data, in order. */
export function encodeMultipart(parts: MultipartPart[]): { body: Buffer; contentType: string } {
  const boundary = `----mirage${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\n` +
          `Content-Type: ${part.contentType}\r\n\r\n`,
      ),
      Buffer.from(part.data.buffer, part.data.byteOffset, part.data.byteLength),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export interface StreamRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** Bytes, or a stream piped as the body (chunked). */
  body?: Buffer | NodeJS.ReadableStream;
  /** Longest quiet time on the socket (a stream may take long in total); none when absent. */
  idleTimeoutMs?: number;
  /** Ends the exchange (the daemon sees the connection drop). */
  signal?: AbortSignal;
}

/**
 * One request whose response body is handed over as a stream once the headers arrive: raw file
 * bytes, tar streams, NDJSON output (sendPlainRequest decodes the body as text, which breaks bytes).
 */
export function sendStreamRequest(options: StreamRequest): Promise<IncomingMessage> {
  const target = new URL(options.url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const headers: Record<string, string> = { ...options.headers };
  if (Buffer.isBuffer(options.body)) headers['content-length'] = String(options.body.length);
  return new Promise<IncomingMessage>((resolve, reject) => {
    const request = send(target, { method: options.method, headers, signal: options.signal }, resolve);
    const idle = options.idleTimeoutMs;
    if (idle !== undefined) request.setTimeout(idle, () => request.destroy(new RequestTimeoutError(idle)));
    request.on('error', reject);
    const body = options.body;
    if (body === undefined || Buffer.isBuffer(body)) request.end(body);
    else {
      body.on('error', (error: Error) => request.destroy(error));
      body.pipe(request);
    }
  });
}
/** The body of a response read as one JSON value a line (NDJSON); a torn last line is an error. */
export async function* readJsonLines(response: IncomingMessage): AsyncGenerator<unknown> {
  let pending = '';
  response.setEncoding('utf8');
  for await (const text of response as AsyncIterable<string>) {
    pending += text;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line.trim() !== '') yield JSON.parse(line) as unknown;
      newline = pending.indexOf('\n');
    }
  }
  if (pending.trim() !== '') throw new Error('stream ended in the middle of a record');
}
