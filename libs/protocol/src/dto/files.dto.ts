// DTOs of the file tools (docs/file-tools.md). Counts in query strings stay strings here: the
// file-tools library parses them, so every adapter refuses a bad offset with the same 400.
import { IsBoolean, IsInt, IsNotEmpty, IsOptional, IsString, Min } from 'class-validator';
import type { EditFileRequest, GlobRequest, GrepRequest } from '../file-types.js';

/** Query of read/write/list/tar: `path` and the session whose mount modes apply. */
export class FilePathQueryDto {
  @IsString({ message: 'path is required' })
  @IsNotEmpty({ message: 'path is required' })
  path!: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  session_id?: string;
}

export class ReadFileQueryDto extends FilePathQueryDto {
  @IsOptional()
  @IsString()
  offset?: string;

  @IsOptional()
  @IsString()
  limit?: string;
}

export class EditFileDto implements EditFileRequest {
  @IsString({ message: 'path is required' })
  @IsNotEmpty({ message: 'path is required' })
  path!: string;

  @IsString({ message: 'old_string must be a string' })
  old_string!: string;

  @IsString({ message: 'new_string must be a string' })
  new_string!: string;

  @IsOptional()
  @IsBoolean()
  replace_all?: boolean;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  session_id?: string;
}

export class GrepDto implements GrepRequest {
  @IsString({ message: 'pattern is required' })
  @IsNotEmpty({ message: 'pattern is required' })
  pattern!: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  path?: string;

  @IsOptional()
  @IsBoolean()
  ignore_case?: boolean;

  @IsOptional()
  @IsBoolean()
  fixed_strings?: boolean;

  @IsOptional()
  @IsBoolean()
  files_with_matches?: boolean;

  @IsOptional()
  @IsBoolean()
  count?: boolean;

  @IsOptional()
  @IsInt({ message: 'max_count must be a non-negative integer' })
  @Min(0, { message: 'max_count must be a non-negative integer' })
  max_count?: number;

  @IsOptional()
  @IsInt({ message: 'context must be a non-negative integer' })
  @Min(0, { message: 'context must be a non-negative integer' })
  context?: number;

  @IsOptional()
  @IsString()
  include?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  session_id?: string;
}

export class GlobDto implements GlobRequest {
  @IsString({ message: 'pattern is required' })
  @IsNotEmpty({ message: 'pattern is required' })
  pattern!: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  path?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  session_id?: string;
}
