// The MCP tool table of one workspace (docs/mcp.md): names, descriptions, zod input schemas and
// handlers, written against MirageOperations, the MirageClient-shaped slice of the protocol. The
// CLI's stdio server passes a MirageClient; the daemon's HTTP endpoint passes its in-process
// services behind the same shape, so both servers answer from this one table.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { CallToolResult, JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { DaemonError, DaemonUnreachable } from '../errors.js';
import type {
  EditFileRequest,
  FileEdited,
  FileListing,
  FileWritten,
  GlobRequest,
  GlobResult,
  GrepRequest,
  GrepResult,
} from '../file-types.js';
import type { ExecuteRequest, JobAccepted, JobCanceled, JobDetail, JobResult } from '../types.js';

/** The operations the tools call; `MirageClient` has this shape as it is. */
export interface MirageOperations {
  execute(
    workspaceId: string,
    options: Omit<ExecuteRequest, 'stdin_base64' | 'provision'>,
  ): Promise<{ result: JobResult; jobId: string | undefined }>;
  executeInBackground(workspaceId: string, options: Omit<ExecuteRequest, 'stdin_base64' | 'provision'>): Promise<JobAccepted>;
  getJob(jobId: string): Promise<JobDetail>;
  waitJob(jobId: string, timeoutS?: number): Promise<JobDetail>;
  cancelJob(jobId: string): Promise<JobCanceled>;
  readFile(
    workspaceId: string,
    path: string,
    options?: { offset?: number; limit?: number; sessionId?: string },
  ): Promise<{ size: number; body: AsyncIterable<Uint8Array | string> }>;
  writeFile(workspaceId: string, path: string, data: Uint8Array, sessionId?: string): Promise<FileWritten>;
  editFile(workspaceId: string, request: EditFileRequest): Promise<FileEdited>;
  listFiles(workspaceId: string, path: string, sessionId?: string): Promise<FileListing>;
  grepFiles(workspaceId: string, request: GrepRequest): Promise<GrepResult>;
  globFiles(workspaceId: string, request: GlobRequest): Promise<GlobResult>;
}

export const MCP_SERVER_NAME = 'mirage';
/** `read` answers at most this many bytes per call; larger files are read with offset/limit. */
export const MCP_READ_MAX_BYTES = 256 * 1024;

const session = z
  .string()
  .min(1)
  .optional()
  .describe("Session id (its cwd, env and mount modes); default: the workspace's default session.");
const path = z.string().min(1).describe("Absolute path in the workspace (e.g. /data/notes.md), or relative to the session's cwd.");
const count = z.number().int().min(0);

const executeShape = {
  command: z.string().min(1).describe('A bash command line (pipes, redirects, && and ; work). Runs inside the workspace, not on the host.'),
  cwd: z.string().min(1).optional().describe("Working directory for this command only; default: the session's cwd."),
  env: z.record(z.string(), z.string()).optional().describe('Extra environment variables for this command only.'),
  timeout: z
    .number()
    .positive()
    .max(86_400)
    .optional()
    .describe("Seconds to wait; past it the command is canceled and the call is a tool error. Default: no limit beyond the daemon's."),
  session,
};

/** The text of a tool answer: JSON for structured results, so agents parse one form. */
function json(value: unknown): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }] };
}

function toolError(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/** The daemon's own message for its errors; a short sentence for anything else. */
export function describeToolError(error: unknown): string {
  // By shape as well as class: a host that loads this module twice (a test runner's registry) has two DaemonError classes.
  if (
    error instanceof DaemonError ||
    (error instanceof Error && error.name === 'DaemonError' && typeof (error as Partial<DaemonError>).detail === 'string')
  ) {
    return (error as DaemonError).detail;
  }
  if (error instanceof DaemonUnreachable) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Wraps a handler so that every failure is an MCP tool error (`isError: true`), never a protocol error. */
function guarded<A>(run: (args: A) => Promise<CallToolResult>): (args: A) => Promise<CallToolResult> {
  return async (args) => {
    try {
      return await run(args);
    } catch (error) {
      return toolError(describeToolError(error));
    }
  };
}

function ioFields(result: JobResult): Record<string, unknown> {
  if (result.kind === 'io')
    return {
      exit_code: result.exit_code,
      stdout: result.stdout,
      stderr: result.stderr,
      ...(result.truncated === true ? { truncated: true } : {}),
    };
  return { result };
}

/** The job, if it belongs to this server's workspace: the job table is the daemon's, the server is one workspace's. */
async function ownJob(operations: MirageOperations, workspaceId: string, jobId: string): Promise<JobDetail> {
  const job = await operations.getJob(jobId);
  if (job.workspace_id !== workspaceId) throw new DaemonError(404, 'job not found');
  return job;
}

/**
 * What `job_output` answers: status, and the output once the job finished. Kept in one function so it
 * can read the job's output log (`GET /v1/jobs/{id}/output`) when that route exists.
 */
export async function jobOutput(
  operations: MirageOperations,
  workspaceId: string,
  jobId: string,
  waitS: number | undefined,
): Promise<Record<string, unknown>> {
  const current = await ownJob(operations, workspaceId, jobId);
  const job = waitS === undefined || waitS === 0 ? current : await operations.waitJob(jobId, waitS);
  const finished = job.status === 'done' || job.status === 'failed' || job.status === 'canceled';
  return {
    job_id: job.job_id,
    status: job.status,
    command: job.command,
    ...(finished && job.result !== null ? ioFields(job.result) : {}),
    ...(job.error === null ? {} : { error: job.error }),
  };
}

function decodeText(bytes: Buffer): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

type Shape = Record<string, z.ZodType>;
interface ToolSpec<S extends Shape> {
  description: string;
  inputSchema: S;
  readOnly: boolean;
  run(args: z.infer<z.ZodObject<S>>, context: ToolContext): Promise<CallToolResult>;
}

/** What a handler runs against: given per server, so the table (and its zod schemas) is built once. */
export interface ToolContext {
  operations: MirageOperations;
  workspaceId: string;
}

function tool<S extends Shape>(spec: ToolSpec<S>): ToolSpec<S> {
  return spec;
}

const sessionOf = (args: { session?: string }): { session_id?: string } => (args.session === undefined ? {} : { session_id: args.session });

/** The tools, keyed by MCP tool name. */
export const MIRAGE_TOOLS = {
  execute: tool({
    description:
      'Run a bash command in the workspace and wait for it. Answers JSON {exit_code, stdout, stderr}; a non-zero exit_code is a normal answer, not an error. ' +
      "Paths are the workspace's mounts (ls / shows them). For commands that run long, use job_start and job_output.",
    inputSchema: executeShape,
    readOnly: false,
    run: async (args, { operations, workspaceId }) => {
      const request = { command: args.command, cwd: args.cwd, env: args.env, ...sessionOf(args) };
      if (args.timeout === undefined) {
        const { result, jobId } = await operations.execute(workspaceId, request);
        return json({ ...ioFields(result), ...(jobId === undefined ? {} : { job_id: jobId }) });
      }
      // The execute route has no timeout field: run as a job, wait at most `timeout`, cancel past it.
      const accepted = await operations.executeInBackground(workspaceId, request);
      const job = await operations.waitJob(accepted.job_id, args.timeout);
      if (job.status === 'pending' || job.status === 'running' || job.status === 'stopping') {
        await operations.cancelJob(accepted.job_id);
        return toolError(`command timed out after ${args.timeout} s and was canceled (job ${accepted.job_id})`);
      }
      if (job.result === null) return toolError(job.error ?? `job ${job.status}`);
      return json({ ...ioFields(job.result), job_id: accepted.job_id });
    },
  }),
  read: tool({
    description:
      `Read a file. Answers its text; a binary file comes back as base64 ({encoding: "base64", data}). offset and limit count bytes; at most ${MCP_READ_MAX_BYTES} bytes per call ` +
      '(the answer says when more remain). To find lines, use grep.',
    inputSchema: {
      path,
      offset: count.optional().describe('First byte to read (default 0).'),
      limit: count.optional().describe(`Bytes to read (default and maximum ${MCP_READ_MAX_BYTES}).`),
      session,
    },
    readOnly: true,
    run: async (args, { operations, workspaceId }) => {
      const limit = Math.min(args.limit ?? MCP_READ_MAX_BYTES, MCP_READ_MAX_BYTES);
      const offset = args.offset ?? 0;
      const { size, body } = await operations.readFile(workspaceId, args.path, { offset, limit, sessionId: args.session });
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
      const bytes = Buffer.concat(chunks);
      const remaining = Number.isFinite(size) ? Math.max(0, size - offset - bytes.length) : 0;
      const text = decodeText(bytes);
      const note = remaining > 0 ? `\n[${remaining} more bytes: read again with offset ${offset + bytes.length}]` : '';
      if (text !== undefined) return { content: [{ type: 'text', text: text + note }] };
      return json({ path: args.path, size, offset, encoding: 'base64', data: bytes.toString('base64'), remaining });
    },
  }),
  write: tool({
    description:
      'Create or replace a whole file with the given text (parent directories are created). Answers {path, size, created}. Refused on a read-only mount.',
    inputSchema: {
      path,
      content: z.string().describe('The new content, as UTF-8 text (or base64 with encoding "base64").'),
      encoding: z.enum(['utf8', 'base64']).optional(),
      session,
    },
    readOnly: false,
    run: async (args, { operations, workspaceId }) =>
      json(
        await operations.writeFile(
          workspaceId,
          args.path,
          Buffer.from(args.content, args.encoding === 'base64' ? 'base64' : 'utf8'),
          args.session,
        ),
      ),
  }),
  edit: tool({
    description:
      'Replace exact text in a file: old_string must occur exactly once unless replace_all is true (then every occurrence). Answers {path, replacements, size}. ' +
      'Read the file first and copy old_string from it, with enough context to be unique.',
    inputSchema: {
      path,
      old_string: z.string().min(1).describe('The exact text to replace.'),
      new_string: z.string().describe('The text to put in its place.'),
      replace_all: z.boolean().optional().describe('Replace every occurrence (default false).'),
      session,
    },
    readOnly: false,
    run: async (args, { operations, workspaceId }) =>
      json(
        await operations.editFile(workspaceId, {
          path: args.path,
          old_string: args.old_string,
          new_string: args.new_string,
          replace_all: args.replace_all,
          ...sessionOf(args),
        }),
      ),
  }),
  ls: tool({
    description:
      'List a directory (or describe one file): {path, type, entries: [{name, path, type, size, mode, mtime, target?}]}, sorted by name.',
    inputSchema: { path: path.optional().describe("Directory to list (default: the session's cwd)."), session },
    readOnly: true,
    run: async (args, { operations, workspaceId }) => json(await operations.listFiles(workspaceId, args.path ?? '.', args.session)),
  }),
  grep: tool({
    description:
      'Search file contents with a regular expression (or a literal with fixed_strings) under path, recursively. Answers {files: [{path, count, lines: [{line, text, match}]}], truncated}.',
    inputSchema: {
      pattern: z.string().min(1).describe('A regular expression (JavaScript syntax), or a literal with fixed_strings.'),
      path: path.optional().describe("File or directory to search (default: the session's cwd)."),
      ignore_case: z.boolean().optional(),
      fixed_strings: z.boolean().optional().describe('Treat pattern as a literal string.'),
      files_with_matches: z.boolean().optional().describe('Only the names of matching files.'),
      count: z.boolean().optional().describe('Only a count of matching lines per file.'),
      max_count: z.number().int().positive().optional().describe('Stop after this many matching lines per file.'),
      context: count.optional().describe('Lines of context before and after each match.'),
      include: z.string().min(1).optional().describe('Only files whose name matches this glob, e.g. *.py.'),
      session,
    },
    readOnly: true,
    run: async ({ session: sessionId, ...request }, { operations, workspaceId }) =>
      json(await operations.grepFiles(workspaceId, { ...request, ...sessionOf({ session: sessionId }) })),
  }),
  glob: tool({
    description: 'Find paths matching a glob pattern (**, *, ?, [..], {a,b}) under path. Answers {paths: [...], truncated}, sorted.',
    inputSchema: {
      pattern: z.string().min(1).describe('e.g. **/*.md'),
      path: path.optional().describe("Where to start (default: the session's cwd)."),
      session,
    },
    readOnly: true,
    run: async (args, { operations, workspaceId }) =>
      json(await operations.globFiles(workspaceId, { pattern: args.pattern, path: args.path, ...sessionOf(args) })),
  }),
  job_start: tool({
    description:
      'Start a bash command as a background job and answer at once with {job_id}. Follow it with job_output; stop it with job_cancel.',
    inputSchema: { command: executeShape.command, cwd: executeShape.cwd, env: executeShape.env, session },
    readOnly: false,
    run: async (args, { operations, workspaceId }) =>
      json(await operations.executeInBackground(workspaceId, { command: args.command, cwd: args.cwd, env: args.env, ...sessionOf(args) })),
  }),
  job_output: tool({
    description:
      'The state of a job: {status: pending|running|stopping|done|failed|canceled}, and once it finished {exit_code, stdout, stderr}. With wait (seconds), waits up to that long for the job to finish first.',
    inputSchema: {
      job_id: z.string().min(1).describe('The id job_start answered.'),
      wait: z.number().min(0).max(600).optional().describe('Seconds to wait for the job to finish (default 0).'),
    },
    readOnly: true,
    run: async (args, { operations, workspaceId }) => json(await jobOutput(operations, workspaceId, args.job_id, args.wait)),
  }),
  job_cancel: tool({
    description: 'Cancel a running job. Answers {job_id, canceled}; canceled is false when the job had already finished.',
    inputSchema: { job_id: z.string().min(1).describe('The id job_start answered.') },
    readOnly: false,
    run: async (args, { operations, workspaceId }) => {
      await ownJob(operations, workspaceId, args.job_id);
      return json(await operations.cancelJob(args.job_id));
    },
  }),
};

export type MirageToolName = keyof typeof MIRAGE_TOOLS;

let sharedValidator: AjvJsonSchemaValidator | undefined;

/** An MCP server with the tools of one workspace; connect it to a transport. */
export function createMirageMcpServer(operations: MirageOperations, workspaceId: string, version = '0.1.0'): McpServer {
  const server = new McpServer(
    { name: MCP_SERVER_NAME, version },
    {
      // One validator for every server: the SDK's default builds an Ajv instance per server, and
      // the daemon builds a server per request.
      jsonSchemaValidator: (sharedValidator ??= new AjvJsonSchemaValidator()),
      instructions: `Tools of mirage workspace ${workspaceId}: run shell commands and read, write and search its files. Paths are the workspace's, not the host's.`,
    },
  );
  const context: ToolContext = { operations, workspaceId };
  for (const [name, spec] of Object.entries(MIRAGE_TOOLS) as [string, ToolSpec<Shape>][]) {
    server.registerTool(
      name,
      { description: spec.description, inputSchema: spec.inputSchema, annotations: { readOnlyHint: spec.readOnly } },
      guarded((args) => spec.run(args, context)),
    );
  }
  return server;
}

/**
 * Over stdio the SDK drops a line that is not JSON, or not a JSON-RPC message, after telling the
 * server's onerror; this answers it with the JSON-RPC error a client can see (-32700 parse error,
 * -32600 invalid request, `id: null` as JSON-RPC 2.0 asks) and the server reads on. Call after connect.
 */
export function answerMalformedMessages(server: McpServer, transport: Transport, log: (message: string) => void): void {
  const previous = server.server.onerror;
  server.server.onerror = (error: Error) => {
    previous?.(error);
    const parse = error instanceof SyntaxError;
    const invalid = error.name === 'ZodError' || error.constructor.name === 'ZodError';
    if (!parse && !invalid) {
      log(`mirage mcp: ${error.message}`);
      return;
    }
    const message = {
      jsonrpc: '2.0',
      id: null,
      error: {
        code: parse ? -32700 : -32600,
        message: parse ? `Parse error: ${error.message}` : 'Invalid Request: not a JSON-RPC 2.0 message',
      },
    };
    transport.send(message as unknown as JSONRPCMessage).catch(() => undefined);
  };
}
