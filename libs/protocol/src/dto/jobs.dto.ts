import { IsNumber, IsOptional, IsString } from 'class-validator';
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
