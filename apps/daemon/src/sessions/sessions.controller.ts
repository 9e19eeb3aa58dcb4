import { Body, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  CreateSessionDto,
  ROUTES,
  type SessionDeleted,
  type SessionSummary,
  type WorkspaceCanceled,
  type WorkspaceKilled,
} from '@mirage-ts/protocol';
import { MirageController } from '../common/mirage-controller.decorator.js';
import { SessionsService } from './sessions.service.js';

@MirageController()
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Post(ROUTES.createSession.path)
  @HttpCode(ROUTES.createSession.status)
  async create(@Param('id') id: string, @Body() body: CreateSessionDto): Promise<SessionSummary> {
    return this.sessions.create(id, body);
  }

  @Get(ROUTES.listSessions.path)
  list(@Param('id') id: string): SessionSummary[] {
    return this.sessions.list(id);
  }

  @Get(ROUTES.getSession.path)
  get(@Param('id') id: string, @Param('sid') sid: string): SessionSummary {
    return this.sessions.get(id, sid);
  }

  @Delete(ROUTES.deleteSession.path)
  async delete(@Param('id') id: string, @Param('sid') sid: string): Promise<SessionDeleted> {
    return this.sessions.delete(id, sid);
  }

  @Post(ROUTES.cancelSession.path)
  @HttpCode(ROUTES.cancelSession.status)
  cancel(@Param('id') id: string, @Param('sid') sid: string): WorkspaceCanceled {
    return this.sessions.cancel(id, sid);
  }

  @Post(ROUTES.killSession.path)
  @HttpCode(ROUTES.killSession.status)
  kill(@Param('id') id: string, @Param('sid') sid: string): WorkspaceKilled {
    return this.sessions.kill(id, sid);
  }
}
