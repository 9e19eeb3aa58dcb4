import { Body, Get, HttpCode, Param, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import {
  FILE_SIZE_HEADER,
  ROUTES,
  type FileEdited,
  type FileListing,
  type FileWritten,
  type GlobResult,
  type GrepResult,
  type TreeUploaded,
} from '@mirage-ts/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MirageController } from '../common/mirage-controller.decorator.js';
import { EditFileDto, FilePathQueryDto, GlobDto, GrepDto, ReadFileQueryDto } from './dto/index.js';
import { FilesService } from './files.service.js';

@MirageController()
export class FilesController {
  constructor(private readonly files: FilesService) {}

  /** The bytes of `path` from `offset`, at most `limit` (bytes); the whole size in X-Mirage-File-Size. */
  @Get(ROUTES.readFile.path)
  async read(
    @Param('id') id: string,
    @Query() query: ReadFileQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    const range = await this.files.read(id, query);
    void reply.header(FILE_SIZE_HEADER, String(range.size));
    return new StreamableFile(range.body, { type: 'application/octet-stream', length: range.length });
  }

  /** The raw body (application/octet-stream) becomes the whole file. */
  @Post(ROUTES.writeFile.path)
  @HttpCode(ROUTES.writeFile.status)
  async write(
    @Param('id') id: string,
    @Query() query: FilePathQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<FileWritten> {
    try {
      return await this.files.write(id, query.path, query.session_id, request.raw);
    } catch (error) {
      // A refused upload may not have been read to its end: the connection cannot be reused.
      if (!request.raw.complete) void reply.header('connection', 'close');
      throw error;
    }
  }

  @Post(ROUTES.editFile.path)
  @HttpCode(ROUTES.editFile.status)
  edit(@Param('id') id: string, @Body() body: EditFileDto): Promise<FileEdited> {
    return this.files.edit(id, body);
  }

  @Get(ROUTES.listFiles.path)
  list(@Param('id') id: string, @Query() query: FilePathQueryDto): Promise<FileListing> {
    return this.files.list(id, query.path, query.session_id);
  }

  @Post(ROUTES.grepFiles.path)
  @HttpCode(ROUTES.grepFiles.status)
  grep(@Param('id') id: string, @Body() body: GrepDto): Promise<GrepResult> {
    return this.files.grep(id, body);
  }

  @Post(ROUTES.globFiles.path)
  @HttpCode(ROUTES.globFiles.status)
  glob(@Param('id') id: string, @Body() body: GlobDto): Promise<GlobResult> {
    return this.files.glob(id, body);
  }

  /** `path` (file or directory) as a tar stream with one top entry. */
  @Get(ROUTES.downloadTree.path)
  async download(@Param('id') id: string, @Query() query: FilePathQueryDto): Promise<StreamableFile> {
    const { stream } = await this.files.download(id, query.path, query.session_id);
    return new StreamableFile(stream, { type: 'application/x-tar' });
  }

  /** A tar body (application/x-tar) unpacked at `path`, `cp -r` style. */
  @Post(ROUTES.uploadTree.path)
  @HttpCode(ROUTES.uploadTree.status)
  async upload(
    @Param('id') id: string,
    @Query() query: FilePathQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TreeUploaded> {
    try {
      return await this.files.upload(id, query.path, query.session_id, request.raw);
    } catch (error) {
      if (!request.raw.complete) void reply.header('connection', 'close');
      throw error;
    }
  }
}
