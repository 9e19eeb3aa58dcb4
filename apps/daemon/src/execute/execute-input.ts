// Reads an execute request: a JSON body (stdin as `stdin_base64`), or multipart with a `request`
// JSON part first and an optional `stdin` part (the Python client's form). Multipart is parsed
// from the raw request with @fastify/busboy (Fastify's parser for multipart/* is a pass-through).
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { Busboy, type BusboyInstance } from '@fastify/busboy';
import { ExecuteDto, isRecord } from '@mirage-ts/protocol';
import { DaemonHttpError } from '../common/coded-error.js';
import { normalizeRequestFields, validateRequestFields } from '../common/request-fields.js';

export interface ExecuteInput {
  fields: ExecuteDto;
  stdin: Uint8Array | undefined;
}

export const MAX_REQUEST_PART_BYTES = 1024 * 1024;

const isMultipart = (headers: IncomingHttpHeaders): boolean => /^multipart\//i.test(headers['content-type'] ?? '');

function validEnv(env: Record<string, unknown> | undefined): void {
  if (env === undefined) return;
  const bad = Object.entries(env)
    .filter(([, value]) => typeof value !== 'string')
    .map(([key]) => key);
  if (bad.length > 0) throw new DaemonHttpError(400, `env values must be strings: ${bad.join(', ')}`);
}

function fromFields(body: unknown, stdinPart: Uint8Array | undefined): ExecuteInput {
  const fields = validateRequestFields(ExecuteDto, body);
  validEnv(fields.env);
  if (fields.stdin_base64 !== undefined && stdinPart !== undefined) throw new DaemonHttpError(400, 'stdin given twice: as stdin_base64 and as a stdin part');
  const stdin = fields.stdin_base64 !== undefined ? new Uint8Array(Buffer.from(fields.stdin_base64, 'base64')) : stdinPart;
  return { fields, stdin };
}

interface MultipartParts {
  request?: Buffer;
  stdin?: Buffer;
}

/** Collects the `request` and `stdin` parts; any other part is drained and ignored. */
function readParts(raw: IncomingMessage, maxStdinBytes: number): Promise<MultipartParts> {
  return new Promise((resolve, reject) => {
    let parser: BusboyInstance;
    try {
      parser = Busboy({ headers: raw.headers as { 'content-type': string }, isPartAFile: () => true, limits: { headerPairs: 8, fileSize: Math.max(maxStdinBytes, MAX_REQUEST_PART_BYTES) + 1 } });
    } catch {
      reject(new DaemonHttpError(400, 'multipart body without a boundary'));
      return;
    }
    const parts: MultipartParts = {};
    let settled = false;
    let open = 0;
    let finished = false;
    let sawRequest = false;
    const fail = (error: DaemonHttpError): void => {
      if (settled) return;
      settled = true;
      raw.unpipe(parser);
      raw.resume(); // drain what is left so the reply can be written
      reject(error);
    };
    const maybeDone = (): void => {
      if (!settled && finished && open === 0) {
        settled = true;
        resolve(parts);
      }
    };
    parser.on('file', (name, stream) => {
      if (settled || (name !== 'request' && name !== 'stdin')) {
        stream.resume();
        return;
      }
      if (name === 'request') sawRequest = true;
      if (name === 'stdin' && !sawRequest) {
        stream.resume();
        fail(new DaemonHttpError(400, "the 'request' part must come before 'stdin'"));
        return;
      }
      const cap = name === 'request' ? MAX_REQUEST_PART_BYTES : maxStdinBytes;
      const chunks: Buffer[] = [];
      let size = 0;
      open += 1;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > cap) fail(new DaemonHttpError(413, name === 'request' ? 'request part too large' : 'stdin part too large'));
        else if (!settled) chunks.push(chunk);
      });
      stream.on('end', () => {
        open -= 1;
        parts[name] = Buffer.concat(chunks);
        maybeDone();
      });
    });
    parser.on('finish', () => {
      finished = true;
      maybeDone();
    });
    parser.on('error', (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      fail(new DaemonHttpError(400, /unexpected end/i.test(message) ? 'multipart body ended early' : `bad multipart body: ${message}`));
    });
    raw.on('aborted', () => fail(new DaemonHttpError(400, 'multipart body ended early')));
    raw.pipe(parser);
  });
}

/**
 * The validated fields and stdin bytes of an execute request. `body` is Fastify's parsed JSON
 * body (field names normalised here); for multipart it is unused and `raw` is read instead.
 * Throws DaemonHttpError (400/413); a refused multipart body should be answered with
 * `Connection: close`, since the rest of the upload is not read.
 */
export async function readExecuteInput(body: unknown, raw: IncomingMessage, maxStdinBytes: number): Promise<ExecuteInput> {
  if (!isMultipart(raw.headers)) return fromFields(isRecord(body) ? normalizeRequestFields(body) : (body ?? {}), undefined);
  const parts = await readParts(raw, maxStdinBytes);
  if (parts.request === undefined) throw new DaemonHttpError(400, "multipart body missing 'request' part");
  let request: unknown;
  try {
    const text = parts.request.toString('utf8');
    request = text.trim() === '' ? {} : JSON.parse(text);
  } catch (error) {
    throw new DaemonHttpError(400, `bad execute request: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (request === null || typeof request !== 'object' || Array.isArray(request)) throw new DaemonHttpError(400, "bad execute request: the 'request' part must be a JSON object");
  return fromFields(normalizeRequestFields(request as Record<string, unknown>), parts.stdin === undefined ? undefined : new Uint8Array(parts.stdin));
}
