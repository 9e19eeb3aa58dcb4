import { IsNumber, IsOptional, IsString } from 'class-validator';
import type { JobWaitRequest } from '../types.js';
import { ApiPropertyOptional } from '@nestjs/swagger';

export class JobWaitDto implements JobWaitRequest {
  @ApiPropertyOptional()
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'timeout_s must be a number' })
  timeout_s?: number;
}

export class ListJobsQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  workspace_id?: string;
}
