// Reads an execute request: a JSON body (stdin as `stdin_base64`), or multipart with a `request`
// JSON part first and an optional `stdin` part (the Python client's form), read through the
// edge's multipart reader (common/http-input.ts).
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { ExecuteDto, isRecord } from '@mirage-ts/protocol';
import { DaemonHttpError } from '../common/coded-error.js';
import { collectPart, readMultipart } from '../common/http-input.js';
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
  if (fields.stdin_base64 !== undefined && stdinPart !== undefined)
    throw new DaemonHttpError(400, 'stdin given twice: as stdin_base64 and as a stdin part');
  const stdin = fields.stdin_base64 !== undefined ? new Uint8Array(Buffer.from(fields.stdin_base64, 'base64')) : stdinPart;
  return { fields, stdin };
}

interface MultipartParts {
  request?: Buffer;
  stdin?: Buffer;
}

/** Collects the `request` and `stdin` parts (`request` first); any other part is drained and ignored. */
async function readParts(raw: IncomingMessage, maxStdinBytes: number): Promise<MultipartParts> {
  const parts: MultipartParts = {};
  let sawRequest = false;
  await readMultipart(raw, Math.max(maxStdinBytes, MAX_REQUEST_PART_BYTES), (name, stream) => {
    if (name === 'request') {
      if (sawRequest) return undefined;
      sawRequest = true;
      return collectPart(stream, MAX_REQUEST_PART_BYTES, 'request part too large').then((bytes) => void (parts.request = bytes));
    }
    if (name !== 'stdin' || parts.stdin !== undefined) return undefined;
    if (!sawRequest) throw new DaemonHttpError(400, "the 'request' part must come before 'stdin'");
    return collectPart(stream, maxStdinBytes, 'stdin part too large').then((bytes) => void (parts.stdin = bytes));
  });
  return parts;
}

/**
 * The validated fields and stdin bytes of an execute request. `body` is Fastify's parsed JSON
 * body (field names normalised here); for multipart it is unused and `raw` is read instead.
 * Throws DaemonHttpError (400/413); the controller reads it through `readingBody`, which closes
 * the connection after a refused multipart body.
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
  if (request === null || typeof request !== 'object' || Array.isArray(request))
    throw new DaemonHttpError(400, "bad execute request: the 'request' part must be a JSON object");
  return fromFields(
    normalizeRequestFields(request as Record<string, unknown>),
    parts.stdin === undefined ? undefined : new Uint8Array(parts.stdin),
  );
}
