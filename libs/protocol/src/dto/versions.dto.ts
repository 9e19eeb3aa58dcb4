import { IsNotEmpty, IsOptional, IsString } from 'class-validator';
import type { BranchRequest, CheckoutRequest, CommitRequest } from '../types.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class CommitDto implements CommitRequest {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  message?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  branch?: string;
}

export class BranchDto implements BranchRequest {
  @ApiProperty()
  @IsString({ message: 'name must be a string' })
  @IsNotEmpty({ message: 'name must not be empty' })
  name!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  from_branch?: string;
}

export class CheckoutDto implements CheckoutRequest {
  @ApiProperty()
  @IsString({ message: 'ref must be a string' })
  @IsNotEmpty({ message: 'ref must not be empty' })
  ref!: string;
}

export class VersionsQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  branch?: string;
}

export class DiffQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  a?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  b?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  branch?: string;
}
