// Reads a multipart `load` upload: a `request` JSON part ({id?, override?}) first, then the
// `snapshot` part, which streams straight into the tar reader (never held whole as raw bytes).
import type { IncomingMessage } from 'node:http';
import { Busboy, type BusboyInstance } from '@fastify/busboy';
import { isRecord, LoadWorkspaceDto } from '@mirage-ts/protocol';
import { readSnapshot, type LoadedSnapshot } from '@mirage-ts/workspace-core';
import { DaemonHttpError } from '../common/coded-error.js';
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
 * Parses the upload. Throws DaemonHttpError (400/413) or the reader's WorkspaceError; after a
 * refusal the caller should answer with `Connection: close` (the rest is drained, not parsed).
 */
export function readLoadUpload(raw: IncomingMessage, maxSnapshotBytes = MAX_SNAPSHOT_PART_BYTES): Promise<LoadUpload> {
  return new Promise((resolve, reject) => {
    let parser: BusboyInstance;
    try {
      parser = Busboy({
        headers: raw.headers as { 'content-type': string },
        isPartAFile: () => true,
        limits: { headerPairs: 8, fileSize: Math.max(maxSnapshotBytes, MAX_LOAD_REQUEST_PART_BYTES) + 1 },
      });
    } catch {
      reject(new DaemonHttpError(400, 'multipart body without a boundary'));
      return;
    }
    let request: LoadWorkspaceDto | undefined;
    let snapshot: Promise<LoadedSnapshot> | undefined;
    let settled = false;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      raw.unpipe(parser);
      raw.resume();
      reject(error);
    };
    parser.on('file', (name, stream) => {
      if (settled) {
        stream.resume();
        return;
      }
      if (name === 'request') {
        const chunks: Buffer[] = [];
        let size = 0;
        stream.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_LOAD_REQUEST_PART_BYTES) fail(new DaemonHttpError(413, 'request part too large'));
          else chunks.push(chunk);
        });
        stream.on('end', () => {
          if (settled) return;
          try {
            request = parseRequestPart(Buffer.concat(chunks));
          } catch (error) {
            fail(error);
          }
        });
        return;
      }
      if (name !== 'snapshot' || snapshot !== undefined) {
        stream.resume();
        return;
      }
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxSnapshotBytes) fail(new DaemonHttpError(413, 'snapshot part too large'));
      });
      snapshot = readSnapshot(stream);
      snapshot.catch(fail);
    });
    parser.on('finish', () => {
      if (settled) return;
      if (snapshot === undefined) {
        fail(new DaemonHttpError(400, "multipart body missing 'snapshot' part"));
        return;
      }
      snapshot.then(
        (loaded) => {
          if (settled) return;
          settled = true;
          resolve({ request: request ?? new LoadWorkspaceDto(), snapshot: loaded });
        },
        (error: unknown) => fail(error),
      );
    });
    parser.on('error', (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      fail(new DaemonHttpError(400, /unexpected end/i.test(message) ? 'multipart body ended early' : `bad multipart body: ${message}`));
    });
    raw.on('aborted', () => fail(new DaemonHttpError(400, 'multipart body ended early')));
    raw.pipe(parser);
  });
}
