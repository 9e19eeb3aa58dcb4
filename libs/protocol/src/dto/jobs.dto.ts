import { IsIn, IsNumber, IsOptional, IsString, Matches } from 'class-validator';
import type { JobWaitRequest } from '../types.js';

export class JobWaitDto implements JobWaitRequest {
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'timeout_s must be a number' })
  timeout_s?: number;
}

export class ListJobsQueryDto {
  @IsOptional()
  @IsString()
  workspace_id?: string;
}

/** `?since=<seq>&follow=true` of GET /v1/jobs/{id}/output: a cursor is a non-negative integer. */
export class JobOutputQueryDto {
  @IsOptional()
  @Matches(/^\d{1,15}$/, { message: 'since must be a non-negative integer (a seq)' })
  since?: string;

  @IsOptional()
  @IsIn(['true', 'false'], { message: 'follow must be true or false' })
  follow?: string;
}
