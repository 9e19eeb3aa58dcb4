import { IsNotEmpty, IsOptional, IsString } from 'class-validator';
import type { BranchRequest, CheckoutRequest, CommitRequest } from '../types.js';

export class CommitDto implements CommitRequest {
  @IsOptional()
  @IsString()
  message?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  branch?: string;
}

export class BranchDto implements BranchRequest {
  @IsString({ message: 'name must be a string' })
  @IsNotEmpty({ message: 'name must not be empty' })
  name!: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  from_branch?: string;
}

export class CheckoutDto implements CheckoutRequest {
  @IsString({ message: 'ref must be a string' })
  @IsNotEmpty({ message: 'ref must not be empty' })
  ref!: string;
}

export class VersionsQueryDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  branch?: string;
}

export class DiffQueryDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  a?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  b?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  branch?: string;
}
