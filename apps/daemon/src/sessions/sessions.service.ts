import { Inject, Injectable } from '@nestjs/common';
import type { CreateSessionDto, SessionDeleted, SessionSummary, WorkspaceCanceled, WorkspaceKilled } from '@mirage-ts/protocol';
import type { WorkspaceRegistry } from '@mirage-ts/workspace-core';
import { MIRAGE_REGISTRY } from '../config/tokens.js';
import { requireWorkspace } from '../core/require-workspace.js';

@Injectable()
export class SessionsService {
  constructor(@Inject(MIRAGE_REGISTRY) private readonly registry: WorkspaceRegistry) {}

  /** Answers once the change listeners are done (the new session is saved before the answer). */
  async create(workspaceId: string, request: CreateSessionDto): Promise<SessionSummary> {
    const session = requireWorkspace(this.registry, workspaceId).createSession(request);
    await this.registry.events.settled();
    return session;
  }

  list(workspaceId: string): SessionSummary[] {
    return requireWorkspace(this.registry, workspaceId).listSessions();
  }

  get(workspaceId: string, sessionId: string): SessionSummary {
    return requireWorkspace(this.registry, workspaceId).getSession(sessionId);
  }

  delete(workspaceId: string, sessionId: string): Promise<SessionDeleted> | SessionDeleted {
    return requireWorkspace(this.registry, workspaceId).deleteSession(sessionId);
  }

  /** Cancels the session's unfinished jobs; other sessions' jobs keep running. */
  cancel(workspaceId: string, sessionId: string): WorkspaceCanceled {
    requireWorkspace(this.registry, workspaceId).getSession(sessionId);
    return { canceled: this.registry.jobs.cancelSession(workspaceId, sessionId) };
  }

  /** Ends the session's unfinished jobs at once; the session stays usable. */
  kill(workspaceId: string, sessionId: string): WorkspaceKilled {
    requireWorkspace(this.registry, workspaceId).getSession(sessionId);
    return { killed: this.registry.jobs.kill(workspaceId, sessionId) };
  }
}
