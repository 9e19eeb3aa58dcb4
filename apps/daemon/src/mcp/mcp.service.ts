// The daemon's MCP endpoint answers from the in-process services, not by looping back over HTTP to
// itself: no second request through the edge per tool call (the token and Host check already ran
// on the MCP request), no need to know the daemon's own URL under a host application's prefix,
// and the same per-workspace table as `mirage mcp` (libs/protocol/src/mcp). Errors leave as the
// protocol's DaemonError with the status and detail the HTTP routes would answer.
import { Injectable } from '@nestjs/common';
import { DaemonError, type EditFileRequest, type ExecuteRequest, type GlobRequest, type GrepRequest } from '@mirage-ts/protocol';
import type { MirageOperations } from '@mirage-ts/protocol/mcp';
import { toErrorAnswer } from '../common/detail-exception.filter.js';
import { ExecuteService } from '../execute/execute.service.js';
import { FilesService } from '../files/files.service.js';
import { JobsService } from '../jobs/jobs.service.js';

type ExecuteFields = Omit<ExecuteRequest, 'stdin_base64' | 'provision'>;

async function asProtocolError<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const { status, detail } = toErrorAnswer(error);
    throw new DaemonError(status, detail);
  }
}

@Injectable()
export class McpService {
  constructor(
    private readonly executor: ExecuteService,
    private readonly files: FilesService,
    private readonly jobs: JobsService,
  ) {}

  /** 404 `{detail}` for an unknown workspace, before any MCP exchange. */
  requireWorkspace(id: string): void {
    this.executor.requireWorkspace(id);
  }

  /** The operations of the tool table; `cancel` aborts a foreground execute when the HTTP client goes away. */
  operations(cancel: AbortSignal): MirageOperations {
    const execute = async (workspaceId: string, fields: ExecuteFields, background: boolean) => {
      let jobId: string | undefined;
      const outcome = await this.executor.execute(
        workspaceId,
        { fields, stdin: undefined },
        { background, cancel, onJobId: (id) => (jobId = id) },
      );
      return { outcome, jobId };
    };
    return {
      execute: (workspaceId, fields) =>
        asProtocolError(async () => {
          const { outcome, jobId } = await execute(workspaceId, fields, false);
          if (outcome.status !== 200) throw new DaemonError(500, 'execute answered a job instead of a result');
          return { result: outcome.body, jobId };
        }),
      executeInBackground: (workspaceId, fields) =>
        asProtocolError(async () => {
          const { outcome } = await execute(workspaceId, fields, true);
          if (outcome.status !== 202) throw new DaemonError(500, 'execute answered a result instead of a job');
          return outcome.body;
        }),
      getJob: (jobId) => asProtocolError(() => this.jobs.get(jobId)),
      waitJob: (jobId, timeoutS) => asProtocolError(() => this.jobs.wait(jobId, timeoutS)),
      cancelJob: (jobId) => asProtocolError(() => this.jobs.cancel(jobId)),
      readFile: (workspaceId, path, options = {}) =>
        asProtocolError(async () => {
          const range = await this.files.read(workspaceId, {
            path,
            offset: options.offset?.toString(),
            limit: options.limit?.toString(),
            session_id: options.sessionId,
          });
          return { size: range.size, body: range.body };
        }),
      writeFile: (workspaceId, path, data, sessionId) => asProtocolError(() => this.files.writeBytes(workspaceId, path, sessionId, data)),
      editFile: (workspaceId, request: EditFileRequest) => asProtocolError(() => this.files.edit(workspaceId, request)),
      listFiles: (workspaceId, path, sessionId) => asProtocolError(() => this.files.list(workspaceId, path, sessionId)),
      grepFiles: (workspaceId, request: GrepRequest) => asProtocolError(() => this.files.grep(workspaceId, request)),
      globFiles: (workspaceId, request: GlobRequest) => asProtocolError(() => this.files.glob(workspaceId, request)),
    };
  }
}
