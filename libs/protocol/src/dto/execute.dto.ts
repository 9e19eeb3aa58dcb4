import { IsBase64, IsBoolean, IsNotEmpty, IsObject, IsOptional, IsString } from 'class-validator';
import type { ExecuteRequest } from '../types.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ExecuteDto implements ExecuteRequest {
  @ApiProperty()
  @IsString({ message: 'command must be a string' })
  @IsNotEmpty({ message: 'command must not be empty' })
  command!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  session_id?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  agent_id?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  provision?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  cwd?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsObject()
  env?: Record<string, string>;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBase64(undefined, { message: 'stdin_base64 must be base64' })
  stdin_base64?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  record?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  runtime?: string;
}
