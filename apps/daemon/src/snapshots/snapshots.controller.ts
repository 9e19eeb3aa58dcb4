import { Body, Get, HttpCode, Param, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import {
  LoadWorkspaceDto,
  ROUTES,
  SnapshotQueryDto,
  SnapshotToPathDto,
  type SnapshotWritten,
  type WorkspaceDetail,
} from '@mirage-ts/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isMultipart, readingBody } from '../common/http-input.js';
import { MirageController } from '../common/mirage-controller.decorator.js';
import { readLoadUpload } from './load-upload.js';
import { SnapshotsService } from './snapshots.service.js';

@MirageController()
export class SnapshotsController {
  constructor(private readonly snapshots: SnapshotsService) {}

  /** JSON `{path, id?, override?}` (a file under the snapshot root) or a multipart upload. */
  @Post(ROUTES.loadWorkspace.path)
  @HttpCode(ROUTES.loadWorkspace.status)
  async load(
    @Body() body: LoadWorkspaceDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WorkspaceDetail> {
    if (!isMultipart(request)) return this.snapshots.loadFromPath(body);
    // Closing on refusal covers the restore too: a refused load may leave the upload half read.
    return readingBody(request, reply, async () => this.snapshots.loadFromUpload(await readLoadUpload(request.raw)));
  }

  @Get(ROUTES.downloadSnapshot.path)
  async download(@Param('id') id: string, @Query() query: SnapshotQueryDto): Promise<StreamableFile> {
    const stream = await this.snapshots.download(id, query.format);
    return new StreamableFile(stream, { type: 'application/x-tar', disposition: `attachment; filename="${id}.tar"` });
  }

  @Post(ROUTES.snapshotToPath.path)
  @HttpCode(ROUTES.snapshotToPath.status)
  writeToPath(@Param('id') id: string, @Body() body: SnapshotToPathDto): Promise<SnapshotWritten> {
    return this.snapshots.writeToPath(id, body.path, body.format);
  }
}
