// The file tools over HTTP: each route looks the workspace up, takes the session's view (its
// mount modes and ceilings) and calls the file-tools library. Raw request bodies (write, tar
// upload) stream from the raw request into the library; a pass-through parser keeps Fastify off them.
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type {
  EditFileRequest,
  FileEdited,
  FileListing,
  FileWritten,
  GlobRequest,
  GlobResult,
  GrepRequest,
  GrepResult,
  TreeUploaded,
} from '@mirage-ts/protocol';
import {
  assertWritable,
  editFile,
  extractTree,
  globFiles,
  grepFiles,
  listFiles,
  packTree,
  readFileRange,
  resolveToolPath,
  writeFileStream,
  type FileRange,
  type FileView,
  type WorkspaceRegistry,
} from '@mirage-ts/workspace-core';
import { DaemonHttpError } from '../common/coded-error.js';
import { MIRAGE_REGISTRY } from '../config/tokens.js';
import { requireWorkspace } from '../core/require-workspace.js';

/** The largest body `write` accepts (disk mounts stream it; ram and s3 hold it once in memory). */
export const MAX_WRITE_BYTES = 1024 * 1024 * 1024;
export const RAW_BODY_TYPES = ['application/octet-stream', 'application/x-tar'];

function requireRawBody(raw: IncomingMessage, expected: string): void {
  const type = (raw.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (!RAW_BODY_TYPES.includes(type))
    throw new DaemonHttpError(415, `this route takes the raw bytes as ${expected}, got ${type === '' ? 'no content type' : type}`);
}

@Injectable()
export class FilesService implements OnModuleInit {
  constructor(
    @Inject(MIRAGE_REGISTRY) private readonly registry: WorkspaceRegistry,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    for (const type of RAW_BODY_TYPES) {
      if (!fastify.hasContentTypeParser(type)) fastify.addContentTypeParser(type, (_request, _payload, done) => done(null, undefined));
    }
  }

  private view(id: string, sessionId: string | undefined): FileView {
    return requireWorkspace(this.registry, id).fileView(sessionId);
  }

  read(id: string, query: { path: string; offset?: string; limit?: string; session_id?: string }): Promise<FileRange> {
    return readFileRange(this.view(id, query.session_id), query);
  }

  async write(id: string, path: string, sessionId: string | undefined, raw: IncomingMessage): Promise<FileWritten> {
    requireRawBody(raw, 'application/octet-stream');
    const view = this.view(id, sessionId);
    assertWritable(view, resolveToolPath(view, path)); // before the upload is read
    return writeFileStream(view, path, raw, MAX_WRITE_BYTES);
  }

  /** `write` with the bytes in hand (the MCP `write` tool), under the same size cap. */
  writeBytes(id: string, path: string, sessionId: string | undefined, bytes: Uint8Array): Promise<FileWritten> {
    const view = this.view(id, sessionId);
    if (bytes.byteLength > MAX_WRITE_BYTES) throw new DaemonHttpError(413, `file too large: more than ${MAX_WRITE_BYTES} bytes`);
    return writeFileStream(
      view,
      path,
      (async function* () {
        yield bytes;
      })(),
      MAX_WRITE_BYTES,
    );
  }

  edit(id: string, request: EditFileRequest): Promise<FileEdited> {
    return editFile(this.view(id, request.session_id), request);
  }

  list(id: string, path: string, sessionId: string | undefined): Promise<FileListing> {
    return listFiles(this.view(id, sessionId), path);
  }

  grep(id: string, request: GrepRequest): Promise<GrepResult> {
    return grepFiles(this.view(id, request.session_id), request);
  }

  glob(id: string, request: GlobRequest): Promise<GlobResult> {
    return globFiles(this.view(id, request.session_id), request);
  }

  download(id: string, path: string, sessionId: string | undefined): Promise<{ path: string; stream: Readable }> {
    return packTree(this.view(id, sessionId), path);
  }

  upload(id: string, path: string, sessionId: string | undefined, raw: IncomingMessage): Promise<TreeUploaded> {
    requireRawBody(raw, 'application/x-tar');
    return extractTree(this.view(id, sessionId), path, raw);
  }
}
