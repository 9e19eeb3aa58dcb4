import { IsNotEmpty, IsOptional, IsString } from 'class-validator';
import type { CreateSessionRequest, MountMode } from '../types.js';

export class CreateSessionDto implements CreateSessionRequest {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  session_id?: string;

  /** Per-mount mode ceiling, `{prefix: mode}`; a list is refused (422) by the engine. */
  @IsOptional()
  mounts?: Record<string, MountMode> | null;
}
