import { IsBase64, IsBoolean, IsNotEmpty, IsObject, IsOptional, IsString } from 'class-validator';
import type { ExecuteRequest } from '../types.js';

export class ExecuteDto implements ExecuteRequest {
  @IsString({ message: 'command must be a string' })
  @IsNotEmpty({ message: 'command must not be empty' })
  command!: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  session_id?: string;

  @IsOptional()
  @IsString()
  agent_id?: string;

  @IsOptional()
  @IsBoolean()
  provision?: boolean;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  cwd?: string;

  @IsOptional()
  @IsObject()
  env?: Record<string, string>;

  @IsOptional()
  @IsBase64(undefined, { message: 'stdin_base64 must be base64' })
  stdin_base64?: string;

  @IsOptional()
  @IsBoolean()
  record?: boolean;

  @IsOptional()
  @IsString()
  runtime?: string;
}
