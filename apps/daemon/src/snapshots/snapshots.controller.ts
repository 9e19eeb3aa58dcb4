import { Body, Get, HttpCode, Param, Post, Req, Res, StreamableFile } from '@nestjs/common';
import { LoadWorkspaceDto, ROUTES, SnapshotToPathDto, type SnapshotWritten, type WorkspaceDetail } from '@mirage-ts/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MirageController } from '../common/mirage-controller.decorator.js';
import { SnapshotsService } from './snapshots.service.js';

const isMultipart = (request: FastifyRequest): boolean => /^multipart\//i.test(request.headers['content-type'] ?? '');

@MirageController()
export class SnapshotsController {
  constructor(private readonly snapshots: SnapshotsService) {}

  /** JSON `{path, id?, override?}` (a file under the snapshot root) or a multipart upload. */
  @Post(ROUTES.loadWorkspace.path)
  @HttpCode(ROUTES.loadWorkspace.status)
  async load(@Body() body: LoadWorkspaceDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<WorkspaceDetail> {
    if (!isMultipart(request)) return this.snapshots.loadFromPath(body);
    try {
      return await this.snapshots.loadFromUpload(request.raw);
    } catch (error) {
      // The rest of a refused upload is not read: the connection cannot be reused.
      void reply.header('connection', 'close');
      throw error;
    }
  }

  @Get(ROUTES.downloadSnapshot.path)
  async download(@Param('id') id: string): Promise<StreamableFile> {
    const stream = await this.snapshots.download(id);
    return new StreamableFile(stream, { type: 'application/x-tar', disposition: `attachment; filename="${id}.tar"` });
  }

  @Post(ROUTES.snapshotToPath.path)
  @HttpCode(ROUTES.snapshotToPath.status)
  writeToPath(@Param('id') id: string, @Body() body: SnapshotToPathDto): Promise<SnapshotWritten> {
    return this.snapshots.writeToPath(id, body.path);
  }
}
