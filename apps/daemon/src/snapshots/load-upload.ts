// Reads a multipart `load` upload: a `request` JSON part ({id?, override?}) first, then the
// `snapshot` part, which streams straight into the tar reader (never held whole as raw bytes),
// through the edge's multipart reader (common/http-input.ts).
import type { IncomingMessage } from 'node:http';
import { isRecord, LoadWorkspaceDto } from '@mirage-ts/protocol';
import { readSnapshot, type LoadedSnapshot } from '@mirage-ts/workspace-core';
import { DaemonHttpError } from '../common/coded-error.js';
import { collectPart, readMultipart } from '../common/http-input.js';
import { normalizeRequestFields, validateRequestFields } from '../common/request-fields.js';

export const MAX_LOAD_REQUEST_PART_BYTES = 1024 * 1024;
export const MAX_SNAPSHOT_PART_BYTES = 1024 * 1024 * 1024;

export interface LoadUpload {
  request: LoadWorkspaceDto;
  snapshot: LoadedSnapshot;
}

function parseRequestPart(bytes: Buffer): LoadWorkspaceDto {
  let value: unknown;
  try {
    const text = bytes.toString('utf8');
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch (error) {
    throw new DaemonHttpError(400, `bad load request: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isRecord(value)) throw new DaemonHttpError(400, "bad load request: the 'request' part must be a JSON object");
  const fields = normalizeRequestFields(value);
  if ('key' in fields) throw new DaemonHttpError(400, "load takes a 'key' or an uploaded 'snapshot', not both");
  if ('path' in fields) throw new DaemonHttpError(400, "load takes a 'path' or an uploaded 'snapshot', not both");
  return validateRequestFields(LoadWorkspaceDto, fields, 'load request');
}

/**
 * Parses the upload. Throws DaemonHttpError (400/413) or the reader's WorkspaceError; the
 * controller reads it through `readingBody`, which closes the connection after a refusal.
 */
export async function readLoadUpload(raw: IncomingMessage, maxSnapshotBytes = MAX_SNAPSHOT_PART_BYTES): Promise<LoadUpload> {
  let request: LoadWorkspaceDto | undefined;
  let snapshot: Promise<LoadedSnapshot> | undefined;
  await readMultipart(raw, Math.max(maxSnapshotBytes, MAX_LOAD_REQUEST_PART_BYTES), (name, stream, fail) => {
    if (name === 'request') {
      return collectPart(stream, MAX_LOAD_REQUEST_PART_BYTES, 'request part too large').then(
        (bytes) => void (request = parseRequestPart(bytes)),
      );
    }
    if (name !== 'snapshot' || snapshot !== undefined) return undefined;
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxSnapshotBytes) fail(new DaemonHttpError(413, 'snapshot part too large'));
    });
    snapshot = readSnapshot(stream);
    return snapshot.then(() => undefined);
  });
  if (snapshot === undefined) throw new DaemonHttpError(400, "multipart body missing 'snapshot' part");
  return { request: request ?? new LoadWorkspaceDto(), snapshot: await snapshot };
}
