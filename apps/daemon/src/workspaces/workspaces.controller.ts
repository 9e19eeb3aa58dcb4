import { Body, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  CreateWorkspaceDto,
  GetWorkspaceQueryDto,
  ListWorkspacesQueryDto,
  ROUTES,
  type WorkspaceBrief,
  type WorkspaceCanceled,
  type WorkspaceClosed,
  type WorkspaceDetail,
  type WorkspaceKilled,
} from '@mirage-ts/protocol';
import { MirageController } from '../common/mirage-controller.decorator.js';
import { WorkspacesService } from './workspaces.service.js';

@MirageController()
export class WorkspacesController {
  constructor(private readonly workspaces: WorkspacesService) {}

  @Post(ROUTES.createWorkspace.path)
  @HttpCode(ROUTES.createWorkspace.status)
  create(@Body() body: CreateWorkspaceDto): Promise<WorkspaceDetail> {
    return this.workspaces.create(body);
  }

  @Get(ROUTES.listWorkspaces.path)
  list(@Query() query: ListWorkspacesQueryDto): WorkspaceBrief[] {
    return this.workspaces.list(query.label === undefined ? [] : ([] as string[]).concat(query.label));
  }

  /** Only the exact string `true` turns on internals (docs/protocol.md §6.4). */
  @Get(ROUTES.getWorkspace.path)
  get(@Param('id') id: string, @Query() query: GetWorkspaceQueryDto): WorkspaceDetail {
    return this.workspaces.get(id, query.verbose === 'true');
  }

  @Delete(ROUTES.deleteWorkspace.path)
  delete(@Param('id') id: string): Promise<WorkspaceClosed> {
    return this.workspaces.delete(id);
  }

  @Post(ROUTES.closeWorkspace.path)
  @HttpCode(ROUTES.closeWorkspace.status)
  close(@Param('id') id: string): Promise<WorkspaceClosed> {
    return this.workspaces.close(id);
  }

  @Post(ROUTES.cancelWorkspace.path)
  @HttpCode(ROUTES.cancelWorkspace.status)
  cancel(@Param('id') id: string): WorkspaceCanceled {
    return this.workspaces.cancel(id);
  }

  @Post(ROUTES.killWorkspace.path)
  @HttpCode(ROUTES.killWorkspace.status)
  kill(@Param('id') id: string): WorkspaceKilled {
    return this.workspaces.kill(id);
  }
}
