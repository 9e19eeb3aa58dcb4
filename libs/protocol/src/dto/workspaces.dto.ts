// Request bodies of the workspace routes, validated by the daemon after field names are
// normalised to snake_case (casing.ts). Unknown fields are refused by the daemon's pipe.
import { IsIn, IsNotEmpty, IsObject, IsOptional, IsString } from 'class-validator';
import { DRIFT_POLICIES, SNAPSHOT_FORMATS } from '../types.js';
import type {
  CloneLiveRequest,
  CloneRequest,
  CreateWorkspaceRequest,
  DriftPolicy,
  LoadRequest,
  SnapshotFormat,
  SnapshotToPathRequest,
  WorkspaceConfig,
} from '../types.js';

export class CreateWorkspaceDto implements CreateWorkspaceRequest {
  @IsObject({ message: 'config must be a mapping' })
  config!: WorkspaceConfig;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  id?: string;
}

export class CloneWorkspaceDto implements CloneRequest {
  @IsString()
  @IsNotEmpty()
  source_id!: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  at?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  id?: string;
}

export class CloneLiveWorkspaceDto implements CloneLiveRequest {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  id?: string;

  @IsOptional()
  @IsObject()
  override?: Partial<WorkspaceConfig>;
}

export class SnapshotToPathDto implements SnapshotToPathRequest {
  @IsString({ message: 'path is required' })
  @IsNotEmpty({ message: 'path is required' })
  path!: string;

  @IsOptional()
  @IsIn(SNAPSHOT_FORMATS, { message: `format must be one of ${SNAPSHOT_FORMATS.join(', ')}` })
  format?: SnapshotFormat;
}

/** `GET .../snapshot?format=reference`. */
export class SnapshotQueryDto {
  @IsOptional()
  @IsIn(SNAPSHOT_FORMATS, { message: `format must be one of ${SNAPSHOT_FORMATS.join(', ')}` })
  format?: SnapshotFormat;
}

export class LoadWorkspaceDto implements LoadRequest {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  path?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  id?: string;

  @IsOptional()
  @IsObject()
  override?: Partial<WorkspaceConfig>;

  @IsOptional()
  @IsIn(DRIFT_POLICIES, { message: `drift must be one of ${DRIFT_POLICIES.join(', ')}` })
  drift?: DriftPolicy;
}

/** `?label=k=v`, repeatable: the workspaces whose `labels:` match every selector. */
export class ListWorkspacesQueryDto {
  @IsOptional()
  @IsString({ each: true, message: 'label must be key=value' })
  label?: string | string[];
}

export class GetWorkspaceQueryDto {
  @IsOptional()
  @IsString()
  verbose?: string;
}

export class BackgroundQueryDto {
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'background must be true or false' })
  background?: string;
}

/** `?background=` and `?stream=` of POST /v1/workspaces/{id}/execute. */
export class ExecuteQueryDto extends BackgroundQueryDto {
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'stream must be true or false' })
  stream?: string;
}
