// The s3 backend lives in ./s3/ (another module of this library). Its file system is loaded
// lazily so that workspaces without s3 mounts never pay for importing the AWS SDK.
import type { IFileSystem } from '../engine.js';
import type { S3MountConfig } from './s3/config.js';
import type { S3Fingerprint } from './s3/fingerprint.js';

export interface S3Module {
  S3Fs: new (config: S3MountConfig) => IFileSystem & {
    sizeOf?(path: string): Promise<number | undefined>;
    fingerprints(): Promise<S3Fingerprint[]>;
    firstDrift(recorded: readonly S3Fingerprint[]): Promise<{ path: string; reason: string } | undefined>;
    destroy(): void;
  };
}

let loaded: Promise<S3Module> | undefined;

export function loadS3Module(): Promise<S3Module> {
  loaded ??= import('./s3/index.js');
  return loaded;
}
