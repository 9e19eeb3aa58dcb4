// The route table: every /v1 route, named once. The daemon's controllers declare these paths and
// the client builds URLs from them, so the two cannot drift apart.

export type HttpMethod = 'GET' | 'POST' | 'DELETE' | 'PATCH';

export interface RouteSpec {
  readonly method: HttpMethod;
  /** Fastify/Nest path syntax: `:id`, `:sid`, `:jobId`. */
  readonly path: string;
  /** Success status of the route. */
  readonly status: number;
  /** Further success statuses some requests get (a background execute: 202). */
  readonly otherStatuses?: readonly number[];
}

const route = (method: HttpMethod, path: string, status = 200, otherStatuses?: readonly number[]): RouteSpec => ({
  method,
  path,
  status,
  ...(otherStatuses === undefined ? {} : { otherStatuses }),
});

export const ROUTES = {
  health: route('GET', '/v1/health'),
  shutdown: route('POST', '/v1/shutdown'),
  openapi: route('GET', '/v1/openapi.json'),

  createWorkspace: route('POST', '/v1/workspaces', 201),
  listWorkspaces: route('GET', '/v1/workspaces'),
  // Static segments beat parameters: declared before `:id` routes (docs/protocol.md §1.1).
  cloneWorkspace: route('POST', '/v1/workspaces/clone', 201),
  loadWorkspace: route('POST', '/v1/workspaces/load', 201),
  getWorkspace: route('GET', '/v1/workspaces/:id'),
  deleteWorkspace: route('DELETE', '/v1/workspaces/:id'),
  closeWorkspace: route('POST', '/v1/workspaces/:id/close'),
  cancelWorkspace: route('POST', '/v1/workspaces/:id/cancel'),
  killWorkspace: route('POST', '/v1/workspaces/:id/kill'),
  cloneLiveWorkspace: route('POST', '/v1/workspaces/:id/clone', 201),
  snapshotToPath: route('POST', '/v1/workspaces/:id/snapshot'),
  downloadSnapshot: route('GET', '/v1/workspaces/:id/snapshot'),

  commit: route('POST', '/v1/workspaces/:id/commit'),
  versions: route('GET', '/v1/workspaces/:id/versions'),
  branch: route('POST', '/v1/workspaces/:id/branch', 201),
  diff: route('GET', '/v1/workspaces/:id/diff'),
  checkout: route('POST', '/v1/workspaces/:id/checkout'),

  createSession: route('POST', '/v1/workspaces/:id/sessions', 201),
  listSessions: route('GET', '/v1/workspaces/:id/sessions'),
  getSession: route('GET', '/v1/workspaces/:id/sessions/:sid'),
  deleteSession: route('DELETE', '/v1/workspaces/:id/sessions/:sid'),
  cancelSession: route('POST', '/v1/workspaces/:id/sessions/:sid/cancel'),
  killSession: route('POST', '/v1/workspaces/:id/sessions/:sid/kill'),

  execute: route('POST', '/v1/workspaces/:id/execute', 200, [202]),

  // File tools (docs/file-tools.md): raw bytes for read/write and tar, JSON for the rest.
  readFile: route('GET', '/v1/workspaces/:id/files/read'),
  writeFile: route('POST', '/v1/workspaces/:id/files/write'),
  editFile: route('POST', '/v1/workspaces/:id/files/edit'),
  listFiles: route('GET', '/v1/workspaces/:id/files/list'),
  grepFiles: route('POST', '/v1/workspaces/:id/files/grep'),
  globFiles: route('POST', '/v1/workspaces/:id/files/glob'),
  // MCP Streamable HTTP (docs/mcp.md): POST carries JSON-RPC; GET and DELETE are answered 405 (stateless server).
  mcp: route('POST', '/v1/workspaces/:id/mcp'),
  downloadTree: route('GET', '/v1/workspaces/:id/files/tar'),
  uploadTree: route('POST', '/v1/workspaces/:id/files/tar'),

  listJobs: route('GET', '/v1/jobs'),
  getJob: route('GET', '/v1/jobs/:jobId'),
  jobOutput: route('GET', '/v1/jobs/:jobId/output'),
  waitJob: route('POST', '/v1/jobs/:jobId/wait'),
  cancelJob: route('DELETE', '/v1/jobs/:jobId'),
} as const satisfies Record<string, RouteSpec>;

export type RouteName = keyof typeof ROUTES;

/** Fills `:param` segments, URL-encoding each value. Throws on a missing parameter. */
export function buildPath(spec: RouteSpec, params: Record<string, string> = {}): string {
  return spec.path.replace(/:([A-Za-z]+)/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`route ${spec.path} needs parameter ${name}`);
    return encodeURIComponent(value);
  });
}

/** Header carrying the job id of a synchronous execute answer. */
export const JOB_ID_HEADER = 'x-mirage-job-id';
/** Media types of the streamed answers (docs/protocol.md §17): one JSON record a line, or server-sent events. */
export const NDJSON_MEDIA_TYPE = 'application/x-ndjson';
export const SSE_MEDIA_TYPE = 'text/event-stream';

/** Status of a foreground execute whose job was canceled (non-standard, as the Python client expects; docs/protocol.md §3.2). */
export const STATUS_JOB_CANCELED = 499;
