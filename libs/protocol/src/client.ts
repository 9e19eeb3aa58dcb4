// MirageClient: a typed client of the /v1 protocol. Small requests go over node:http
// (http-transport.ts); snapshot transfers stream through `got`, imported only when one starts.
import { openAsBlob } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Writable } from 'node:stream';
import type { Got, Response } from 'got';
import { DaemonError, DaemonUnreachable } from './errors.js';
import { isErrorBody } from './guards.js';
import { encodeMultipart, readJsonLines, sendPlainRequest, sendStreamRequest, type PlainResponse } from './http-transport.js';
import {
  FILE_SIZE_HEADER,
  type EditFileRequest,
  type FileEdited,
  type FileListing,
  type FileWritten,
  type GlobRequest,
  type GlobResult,
  type GrepRequest,
  type GrepResult,
  type TreeUploaded,
} from './file-types.js';
import { buildPath, JOB_ID_HEADER, NDJSON_MEDIA_TYPE, ROUTES, type RouteSpec } from './routes.js';
import { DEFAULT_BRANCH } from './types.js';
import type {
  BranchResponse,
  CommitResponse,
  CreateSessionRequest,
  DiffResponse,
  DriftPolicy,
  ExecuteRequest,
  ExecuteStreamRecord,
  HealthResponse,
  JobAccepted,
  JobBrief,
  JobCanceled,
  JobDetail,
  JobResult,
  OutputRecord,
  SessionDeleted,
  SessionSummary,
  SnapshotFormat,
  ShutdownResponse,
  VersionEntry,
  WorkspaceBrief,
  WorkspaceCanceled,
  WorkspaceClosed,
  WorkspaceKilled,
  WorkspaceStatus,
  WorkspaceConfig,
  WorkspaceDetail,
} from './types.js';

export const DEFAULT_DAEMON_URL = 'http://127.0.0.1:8765';
export const DEFAULT_TIMEOUT_MS = 60_000;

export interface MirageClientOptions {
  /** e.g. `http://127.0.0.1:8765`; paths are appended to it. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>` when non-empty. */
  token?: string;
  /** Per-request timeout; default 60 s. */
  timeoutMs?: number;
}

export interface TransferProgress {
  transferred: number;
  total: number | undefined;
}

interface RequestOptions {
  params?: Record<string, string>;
  query?: Record<string, string | readonly string[] | undefined>;
  json?: unknown;
  /** A pre-encoded body (multipart) and its content type. */
  body?: { data: Buffer; contentType: string };
  timeoutMs?: number;
}

export interface ExecuteOptions extends Omit<ExecuteRequest, 'stdin_base64' | 'provision'> {
  /** Bytes for the command's stdin, sent as a multipart `stdin` part. */
  stdin?: Uint8Array;
  background?: boolean;
}

/** A streamed execute: the job id (from the answer's head) and the records as they come. */
export interface ExecuteStream {
  jobId: string | undefined;
  records: AsyncGenerator<ExecuteStreamRecord>;
}

export interface JobOutputOptions {
  /** The last seq seen (0 or absent: from the start). */
  since?: number;
  /** Keep the answer open until the job ends. */
  follow?: boolean;
  /** Closes the connection (a follower that stops following). */
  signal?: AbortSignal;
}

/** A synchronous execute answer plus the job id the daemon assigned to it. */
export interface ExecuteAnswer {
  result: JobResult;
  jobId: string | undefined;
}

let gotLoading: Promise<Got> | undefined;
function loadGot(): Promise<Got> {
  gotLoading ??= import('got').then((module) => module.got);
  return gotLoading;
}

function parseBody(text: string): unknown {
  if (text.length === 0) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE']);

export class MirageClient {
  readonly baseUrl: string;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;

  constructor(options: MirageClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token === '' ? undefined : options.token;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  private headers(): Record<string, string> {
    return this.token === undefined ? {} : { authorization: `Bearer ${this.token}` };
  }

  private url(spec: RouteSpec, options: RequestOptions): string {
    const url = new URL(this.baseUrl + buildPath(spec, options.params));
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (typeof value === 'string') url.searchParams.set(key, value);
      else if (value !== undefined) for (const item of value) url.searchParams.append(key, item);
    }
    return url.toString();
  }

  private toTransportError(error: unknown): Error {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || code.startsWith('ERR_'))) {
      return new DaemonUnreachable(this.baseUrl, error instanceof Error ? error.message : String(error));
    }
    return error instanceof Error ? error : new Error(String(error));
  }

  private async send(spec: RouteSpec, options: RequestOptions = {}): Promise<PlainResponse> {
    const headers = this.headers();
    const body = encodeBody(options, headers);
    let response: PlainResponse;
    try {
      response = await sendPlainRequest({
        method: spec.method,
        url: this.url(spec, options),
        headers,
        body,
        timeoutMs: options.timeoutMs ?? this.timeoutMs,
      });
    } catch (error) {
      throw this.toTransportError(error);
    }
    if (response.statusCode >= 400) {
      const parsed = parseBody(response.body);
      throw new DaemonError(response.statusCode, isErrorBody(parsed) ? parsed.detail : String(response.body));
    }
    return response;
  }

  /** Opens a streamed answer (docs/protocol.md §17); an error status is thrown as DaemonError. */
  private async openStream(
    spec: RouteSpec,
    options: RequestOptions,
    signal?: AbortSignal,
  ): Promise<{ headers: Record<string, unknown>; lines: AsyncGenerator<unknown> }> {
    const headers: Record<string, string> = { ...this.headers(), accept: NDJSON_MEDIA_TYPE };
    const body = encodeBody(options, headers);
    let response;
    try {
      response = await sendStreamRequest({ method: spec.method, url: this.url(spec, options), headers, body, signal });
    } catch (error) {
      throw this.toTransportError(error);
    }
    if ((response.statusCode ?? 0) >= 400) {
      const chunks: Buffer[] = [];
      for await (const chunk of response) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      const parsed = parseBody(text);
      throw new DaemonError(response.statusCode ?? 0, isErrorBody(parsed) ? parsed.detail : text);
    }
    const transportError = (error: unknown): Error => this.toTransportError(error);
    const lines = async function* (): AsyncGenerator<unknown> {
      try {
        yield* readJsonLines(response);
      } catch (error) {
        if (signal?.aborted) return;
        throw transportError(error);
      } finally {
        response.destroy();
      }
    };
    return { headers: response.headers, lines: lines() };
  }

  private async call<T>(spec: RouteSpec, options: RequestOptions = {}): Promise<T> {
    return parseBody((await this.send(spec, options)).body) as T;
  }

  // ---- daemon ---------------------------------------------------------------------------------
  health(timeoutMs?: number): Promise<HealthResponse> {
    return this.call(ROUTES.health, { timeoutMs });
  }
  shutdown(): Promise<ShutdownResponse> {
    return this.call(ROUTES.shutdown);
  }

  // ---- workspaces -----------------------------------------------------------------------------
  createWorkspace(config: WorkspaceConfig, id?: string): Promise<WorkspaceDetail> {
    return this.call(ROUTES.createWorkspace, { json: { config, ...(id === undefined ? {} : { id }) } });
  }
  /** `labels`: `key=value` filters, all of which a workspace's `labels:` must match. */
  listWorkspaces(labels: readonly string[] = []): Promise<WorkspaceBrief[]> {
    return this.call(ROUTES.listWorkspaces, { query: { label: labels.length === 0 ? undefined : labels } });
  }
  getWorkspace(id: string, verbose = false): Promise<WorkspaceDetail> {
    return this.call(ROUTES.getWorkspace, { params: { id }, query: { verbose: verbose ? 'true' : undefined } });
  }
  deleteWorkspace(id: string): Promise<WorkspaceClosed> {
    return this.call(ROUTES.deleteWorkspace, { params: { id } });
  }
  closeWorkspace(id: string): Promise<WorkspaceClosed> {
    return this.call(ROUTES.closeWorkspace, { params: { id } });
  }
  cancelWorkspace(id: string): Promise<WorkspaceCanceled> {
    return this.call(ROUTES.cancelWorkspace, { params: { id } });
  }
  killWorkspace(id: string): Promise<WorkspaceKilled> {
    return this.call(ROUTES.killWorkspace, { params: { id } });
  }
  cloneWorkspace(sourceId: string, options: { id?: string; at?: string } = {}): Promise<WorkspaceDetail> {
    return this.call(ROUTES.cloneWorkspace, { json: { source_id: sourceId, ...options } });
  }

  /**
   * Streams the workspace's snapshot tar into `destination`; resolves with the byte count.
   * `format` `reference` asks for the reference project's tar instead of ours.
   */
  async downloadSnapshot(
    id: string,
    destination: Writable,
    onProgress?: (progress: TransferProgress) => void,
    options: { format?: SnapshotFormat } = {},
  ): Promise<number> {
    const got = await loadGot();
    const { pipeline } = await import('node:stream/promises');
    const stream = got.stream(this.url(ROUTES.downloadSnapshot, { params: { id }, query: { format: options.format } }), {
      headers: this.headers(),
      throwHttpErrors: false,
      retry: { limit: 0 },
      timeout: { request: this.timeoutMs * 10 },
    });
    const response = await new Promise<{ statusCode: number }>((resolve, reject) => {
      stream.once('response', resolve);
      stream.once('error', (error: unknown) => reject(this.toTransportError(error)));
    });
    if (response.statusCode >= 400) {
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      const body = parseBody(Buffer.concat(chunks).toString('utf8'));
      throw new DaemonError(response.statusCode, isErrorBody(body) ? body.detail : String(body));
    }
    let transferred = 0;
    if (onProgress)
      stream.on('downloadProgress', (p: { transferred: number; total?: number }) =>
        onProgress({ transferred: p.transferred, total: p.total }),
      );
    stream.on('data', (chunk: Buffer) => (transferred += chunk.length));
    // A connection cut mid-download is the daemon's failure; the destination's own errors are not.
    let downloadError: unknown;
    stream.once('error', (error: unknown) => (downloadError = error));
    try {
      await pipeline(stream, destination);
    } catch (error) {
      throw error === downloadError ? this.toTransportError(error) : error;
    }
    return transferred;
  }

  /** Uploads a snapshot tar file (multipart `request` + `snapshot`) as a new workspace. */
  async loadWorkspace(
    tarPath: string,
    options: { id?: string; override?: Partial<WorkspaceConfig>; drift?: DriftPolicy } = {},
    onProgress?: (progress: TransferProgress) => void,
  ): Promise<WorkspaceDetail> {
    const form = new FormData();
    form.append('request', new Blob([JSON.stringify(options)], { type: 'application/json' }), 'request.json');
    form.append('snapshot', await openAsBlob(tarPath, { type: 'application/x-tar' }), 'snapshot.tar');
    const got = await loadGot();
    let response: Response<string>;
    try {
      const pending = got(this.url(ROUTES.loadWorkspace, {}), {
        method: 'POST',
        headers: this.headers(),
        body: form,
        throwHttpErrors: false,
        retry: { limit: 0 },
        timeout: { request: this.timeoutMs * 10 },
        responseType: 'text',
      });
      if (onProgress)
        void pending.on('uploadProgress', (p: { transferred: number; total?: number }) =>
          onProgress({ transferred: p.transferred, total: p.total }),
        );
      response = await pending;
    } catch (error) {
      throw this.toTransportError(error);
    }
    const body = parseBody(response.body);
    if (response.statusCode >= 400) throw new DaemonError(response.statusCode, isErrorBody(body) ? body.detail : String(response.body));
    return body as WorkspaceDetail;
  }

  // ---- versions -------------------------------------------------------------------------------
  commit(id: string, message = '', branch = DEFAULT_BRANCH): Promise<CommitResponse> {
    return this.call(ROUTES.commit, { params: { id }, json: { message, branch } });
  }
  versions(id: string, branch = DEFAULT_BRANCH): Promise<VersionEntry[]> {
    return this.call(ROUTES.versions, { params: { id }, query: { branch } });
  }
  diff(id: string, options: { a?: string; b?: string; branch?: string } = {}): Promise<DiffResponse> {
    return this.call(ROUTES.diff, { params: { id }, query: { branch: options.branch ?? DEFAULT_BRANCH, a: options.a, b: options.b } });
  }
  /** The live workspace against the head of `branch`: the branch's versions and the diff to the live files. */
  async workspaceStatus(id: string, branch = DEFAULT_BRANCH): Promise<WorkspaceStatus> {
    // The workspace must be live: get answers 404 for a closed one, where diff alone would not say so.
    await this.getWorkspace(id);
    const [versions, diff] = await Promise.all([this.versions(id, branch), this.diff(id, { branch })]);
    const changed = diff.added.length + diff.modified.length + diff.deleted.length;
    return {
      id,
      branch,
      head: versions[0]?.id ?? null,
      clean: changed === 0,
      added: diff.added,
      modified: diff.modified,
      deleted: diff.deleted,
    };
  }
  branch(id: string, name: string, fromBranch = DEFAULT_BRANCH): Promise<BranchResponse> {
    return this.call(ROUTES.branch, { params: { id }, json: { name, from_branch: fromBranch } });
  }
  checkout(id: string, ref: string): Promise<WorkspaceDetail> {
    return this.call(ROUTES.checkout, { params: { id }, json: { ref } });
  }

  // ---- sessions -------------------------------------------------------------------------------
  createSession(workspaceId: string, request: CreateSessionRequest = {}): Promise<SessionSummary> {
    return this.call(ROUTES.createSession, { params: { id: workspaceId }, json: request });
  }
  listSessions(workspaceId: string): Promise<SessionSummary[]> {
    return this.call(ROUTES.listSessions, { params: { id: workspaceId } });
  }
  getSession(workspaceId: string, sessionId: string): Promise<SessionSummary> {
    return this.call(ROUTES.getSession, { params: { id: workspaceId, sid: sessionId } });
  }
  deleteSession(workspaceId: string, sessionId: string): Promise<SessionDeleted> {
    return this.call(ROUTES.deleteSession, { params: { id: workspaceId, sid: sessionId } });
  }
  cancelSession(workspaceId: string, sessionId: string): Promise<WorkspaceCanceled> {
    return this.call(ROUTES.cancelSession, { params: { id: workspaceId, sid: sessionId } });
  }
  killSession(workspaceId: string, sessionId: string): Promise<WorkspaceKilled> {
    return this.call(ROUTES.killSession, { params: { id: workspaceId, sid: sessionId } });
  }

  // ---- execute --------------------------------------------------------------------------------
  private executeRequest(workspaceId: string, fields: ExecuteRequest, stdin: Uint8Array | undefined, background: boolean): RequestOptions {
    const base = { params: { id: workspaceId }, query: { background: background ? 'true' : undefined } };
    if (stdin === undefined) return { ...base, json: fields };
    const { body, contentType } = encodeMultipart([
      { name: 'request', filename: 'request.json', contentType: 'application/json', data: Buffer.from(JSON.stringify(fields)) },
      { name: 'stdin', filename: 'stdin.bin', contentType: 'application/octet-stream', data: stdin },
    ]);
    return { ...base, body: { data: body, contentType } };
  }

  private static executeFields(options: ExecuteOptions): ExecuteRequest {
    const { stdin: _stdin, background: _background, ...fields } = options;
    return fields;
  }

  /** Runs a command and waits for it. */
  async execute(workspaceId: string, options: ExecuteOptions): Promise<ExecuteAnswer> {
    const response = await this.send(
      ROUTES.execute,
      this.executeRequest(workspaceId, MirageClient.executeFields(options), options.stdin, false),
    );
    const jobId = response.headers[JOB_ID_HEADER];
    return { result: parseBody(response.body) as JobResult, jobId: typeof jobId === 'string' ? jobId : undefined };
  }

  /**
   * Runs a command with its output streamed as it comes (`?stream=true`): chunk records, then one
   * `{status, result}`. Aborting `signal` drops the connection, which cancels the command.
   */
  async executeStream(workspaceId: string, options: ExecuteOptions, signal?: AbortSignal): Promise<ExecuteStream> {
    const request = this.executeRequest(workspaceId, MirageClient.executeFields(options), options.stdin, false);
    request.query = { stream: 'true' };
    const { headers, lines } = await this.openStream(ROUTES.execute, request, signal);
    const jobId = headers[JOB_ID_HEADER];
    return { jobId: typeof jobId === 'string' ? jobId : undefined, records: lines as AsyncGenerator<ExecuteStreamRecord> };
  }

  /** Submits a command as a background job (202). */
  executeInBackground(workspaceId: string, options: ExecuteOptions): Promise<JobAccepted> {
    return this.call(ROUTES.execute, this.executeRequest(workspaceId, MirageClient.executeFields(options), options.stdin, true));
  }

  /** Dry run: what the command would read and write, and what it would cost. Runs nothing. */
  async provision(workspaceId: string, command: string, sessionId?: string): Promise<JobResult> {
    const fields: ExecuteRequest = { command, provision: true, ...(sessionId === undefined ? {} : { session_id: sessionId }) };
    return this.call(ROUTES.execute, { params: { id: workspaceId }, json: fields });
  }

  // ---- jobs -----------------------------------------------------------------------------------
  listJobs(workspaceId?: string): Promise<JobBrief[]> {
    return this.call(ROUTES.listJobs, { query: { workspace_id: workspaceId } });
  }
  getJob(jobId: string): Promise<JobDetail> {
    return this.call(ROUTES.getJob, { params: { jobId } });
  }
  /** Waits for a job; with `timeoutS`, answers the job as it stands then (nothing is canceled). */
  waitJob(jobId: string, timeoutS?: number): Promise<JobDetail> {
    const json = timeoutS === undefined ? {} : { timeout_s: timeoutS };
    // The HTTP timeout must outlast the wait itself.
    const timeoutMs = timeoutS === undefined ? 24 * 3600 * 1000 : Math.max(this.timeoutMs, timeoutS * 1000 + 10_000);
    return this.call(ROUTES.waitJob, { params: { jobId }, json, timeoutMs });
  }
  /** A job's output records after `since`, then its status record; with `follow`, as they come until the job ends. */
  async jobOutput(jobId: string, options: JobOutputOptions = {}): Promise<AsyncGenerator<OutputRecord>> {
    const query = { since: options.since === undefined ? undefined : String(options.since), follow: options.follow ? 'true' : undefined };
    const { lines } = await this.openStream(ROUTES.jobOutput, { params: { jobId }, query }, options.signal);
    return lines as AsyncGenerator<OutputRecord>;
  }
  cancelJob(jobId: string): Promise<JobCanceled> {
    return this.call(ROUTES.cancelJob, { params: { jobId } });
  }

  // ---- file tools (docs/file-tools.md) --------------------------------------------------------
  /** A streamed exchange: resolves with the response stream on success, throws DaemonError on 4xx/5xx. */
  private async stream(
    spec: RouteSpec,
    options: RequestOptions & { upload?: NodeJS.ReadableStream | Buffer; uploadType?: string },
  ): Promise<IncomingMessage> {
    const headers = this.headers();
    if (options.upload !== undefined) headers['content-type'] = options.uploadType ?? 'application/octet-stream';
    let response: IncomingMessage;
    try {
      response = await sendStreamRequest({
        method: spec.method,
        url: this.url(spec, options),
        headers,
        body: options.upload,
        idleTimeoutMs: options.timeoutMs ?? this.timeoutMs,
      });
    } catch (error) {
      throw this.toTransportError(error);
    }
    const status = response.statusCode ?? 0;
    if (status >= 400) {
      const chunks: Buffer[] = [];
      for await (const chunk of response) chunks.push(chunk as Buffer);
      const body = parseBody(Buffer.concat(chunks).toString('utf8'));
      throw new DaemonError(status, isErrorBody(body) ? body.detail : String(body));
    }
    return response;
  }

  private async streamJson<T>(
    spec: RouteSpec,
    options: RequestOptions & { upload: NodeJS.ReadableStream | Buffer; uploadType?: string },
  ): Promise<T> {
    const response = await this.stream(spec, options);
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    return parseBody(Buffer.concat(chunks).toString('utf8')) as T;
  }

  /** Bytes of a file (offset/limit in bytes); `size` is the whole file's size. */
  async readFile(workspaceId: string, path: string, options: FileReadOptions = {}): Promise<{ size: number; body: IncomingMessage }> {
    const query = { path, session_id: options.sessionId, offset: options.offset?.toString(), limit: options.limit?.toString() };
    const body = await this.stream(ROUTES.readFile, { params: { id: workspaceId }, query });
    return { size: Number(body.headers[FILE_SIZE_HEADER] ?? Number.NaN), body };
  }
  /** Replaces the whole file with `data` (bytes or a stream), creating parent directories. */
  writeFile(workspaceId: string, path: string, data: Uint8Array | NodeJS.ReadableStream, sessionId?: string): Promise<FileWritten> {
    const upload = data instanceof Uint8Array ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : data;
    return this.streamJson(ROUTES.writeFile, { params: { id: workspaceId }, query: { path, session_id: sessionId }, upload });
  }
  editFile(workspaceId: string, request: EditFileRequest): Promise<FileEdited> {
    return this.call(ROUTES.editFile, { params: { id: workspaceId }, json: request });
  }
  listFiles(workspaceId: string, path: string, sessionId?: string): Promise<FileListing> {
    return this.call(ROUTES.listFiles, { params: { id: workspaceId }, query: { path, session_id: sessionId } });
  }
  grepFiles(workspaceId: string, request: GrepRequest): Promise<GrepResult> {
    return this.call(ROUTES.grepFiles, { params: { id: workspaceId }, json: request });
  }
  globFiles(workspaceId: string, request: GlobRequest): Promise<GlobResult> {
    return this.call(ROUTES.globFiles, { params: { id: workspaceId }, json: request });
  }
  /** `path` as a tar stream (one top entry named after it). */
  downloadTree(workspaceId: string, path: string, sessionId?: string): Promise<IncomingMessage> {
    return this.stream(ROUTES.downloadTree, { params: { id: workspaceId }, query: { path, session_id: sessionId } });
  }
  /** Unpacks a tar stream at `path` (`cp -r` rules: into an existing directory, else as `path`). */
  uploadTree(workspaceId: string, path: string, tar: NodeJS.ReadableStream, sessionId?: string): Promise<TreeUploaded> {
    return this.streamJson(ROUTES.uploadTree, {
      params: { id: workspaceId },
      query: { path, session_id: sessionId },
      upload: tar,
      uploadType: 'application/x-tar',
    });
  }
}

export interface FileReadOptions {
  offset?: number;
  limit?: number;
  sessionId?: string;
}

/** The request's body as bytes (raw with its type, or JSON), its content type set in `headers`. */
function encodeBody(options: RequestOptions, headers: Record<string, string>): Buffer | undefined {
  if (options.body !== undefined) {
    headers['content-type'] = options.body.contentType;
    return options.body.data;
  }
  if (options.json === undefined) return undefined;
  headers['content-type'] = 'application/json';
  return Buffer.from(JSON.stringify(options.json));
}
