import { IsNotEmpty, IsOptional, IsString } from 'class-validator';
import type { CreateSessionRequest, MountMode } from '../types.js';
import { ApiPropertyOptional } from '@nestjs/swagger';

export class CreateSessionDto implements CreateSessionRequest {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  session_id?: string;

  /** Per-mount mode ceiling, `{prefix: mode}`; a list is refused (422) by the engine. */
  @ApiPropertyOptional()
  @IsOptional()
  mounts?: Record<string, MountMode> | null;
}

