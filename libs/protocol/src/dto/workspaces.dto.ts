// Request bodies of the workspace routes, validated by the daemon after field names are
// normalised to snake_case (casing.ts). Unknown fields are refused by the daemon's pipe.
import { IsIn, IsNotEmpty, IsObject, IsOptional, IsString } from 'class-validator';
import type { CloneLiveRequest, CloneRequest, CreateWorkspaceRequest, LoadRequest, SnapshotToPathRequest, WorkspaceConfig } from '../types.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class CreateWorkspaceDto implements CreateWorkspaceRequest {
  @ApiProperty()
  @IsObject({ message: 'config must be a mapping' })
  config!: WorkspaceConfig;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  id?: string;
}

export class CloneWorkspaceDto implements CloneRequest {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  source_id!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  at?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  id?: string;
}

export class CloneLiveWorkspaceDto implements CloneLiveRequest {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  id?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsObject()
  override?: Partial<WorkspaceConfig>;
}

export class SnapshotToPathDto implements SnapshotToPathRequest {
  @ApiProperty()
  @IsString({ message: 'path is required' })
  @IsNotEmpty({ message: 'path is required' })
  path!: string;
}

export class LoadWorkspaceDto implements LoadRequest {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  path?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  id?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsObject()
  override?: Partial<WorkspaceConfig>;
}

/** `?label=k=v`, repeatable: the workspaces whose `labels:` match every selector. */
export class ListWorkspacesQueryDto {
  @ApiPropertyOptional({ type: [String], description: 'key=value; repeatable, every one must match' })
  @IsOptional()
  @IsString({ each: true, message: 'label must be key=value' })
  label?: string | string[];
}

export class GetWorkspaceQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  verbose?: string;
}

export class BackgroundQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'background must be true or false' })
  background?: string;
}
