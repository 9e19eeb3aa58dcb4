import { Body, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  BranchDto,
  CheckoutDto,
  CloneLiveWorkspaceDto,
  CloneWorkspaceDto,
  CommitDto,
  DiffQueryDto,
  ROUTES,
  VersionsQueryDto,
  type BranchResponse,
  type CommitResponse,
  type DiffResponse,
  type VersionEntry,
  type WorkspaceDetail,
} from '@mirage-ts/protocol';
import { MirageController } from '../common/mirage-controller.decorator.js';
import { VersionsService } from './versions.service.js';

@MirageController()
export class VersionsController {
  constructor(private readonly service: VersionsService) {}

  @Post(ROUTES.cloneWorkspace.path)
  @HttpCode(ROUTES.cloneWorkspace.status)
  clone(@Body() body: CloneWorkspaceDto): Promise<WorkspaceDetail> {
    return this.service.clone(body);
  }

  @Post(ROUTES.cloneLiveWorkspace.path)
  @HttpCode(ROUTES.cloneLiveWorkspace.status)
  cloneLive(@Param('id') id: string, @Body() body: CloneLiveWorkspaceDto): Promise<WorkspaceDetail> {
    return this.service.cloneLive(id, body);
  }

  @Post(ROUTES.commit.path)
  @HttpCode(ROUTES.commit.status)
  commit(@Param('id') id: string, @Body() body: CommitDto): Promise<CommitResponse> {
    return this.service.commit(id, body);
  }

  @Get(ROUTES.versions.path)
  versions(@Param('id') id: string, @Query() query: VersionsQueryDto): Promise<VersionEntry[]> {
    return this.service.log(id, query.branch);
  }

  @Post(ROUTES.branch.path)
  @HttpCode(ROUTES.branch.status)
  branch(@Param('id') id: string, @Body() body: BranchDto): Promise<BranchResponse> {
    return this.service.branch(id, body.name, body.from_branch);
  }

  @Get(ROUTES.diff.path)
  diff(@Param('id') id: string, @Query() query: DiffQueryDto): Promise<DiffResponse> {
    return this.service.diff(id, query);
  }

  @Post(ROUTES.checkout.path)
  @HttpCode(ROUTES.checkout.status)
  checkout(@Param('id') id: string, @Body() body: CheckoutDto): Promise<WorkspaceDetail> {
    return this.service.checkout(id, body.ref);
  }
}
