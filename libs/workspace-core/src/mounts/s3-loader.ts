// The s3 backend lives in ./s3/ (another module of this library). It is loaded lazily so that
// workspaces without s3 mounts never pay for the AWS SDK.
import type { IFileSystem } from '../engine.js';

export interface S3Module {
  parseS3MountConfig(raw: Record<string, unknown>): unknown;
  S3Fs: new (config: never) => IFileSystem;
  S3_SECRET_KEYS: readonly string[];
}

/** Config keys holding secrets until the s3 module says otherwise. */
export const DEFAULT_SECRET_KEYS: readonly string[] = [
  'aws_access_key_id',
  'aws_secret_access_key',
  'aws_session_token',
  'access_key_id',
  'secret_access_key',
  'session_token',
];

let loaded: Promise<S3Module | undefined> | undefined;
let secretKeys: readonly string[] = DEFAULT_SECRET_KEYS;

export function loadS3Module(): Promise<S3Module | undefined> {
  loaded ??= (async () => {
    const specifier = './s3/index.js';
    try {
      const module = (await import(specifier)) as S3Module;
      if (Array.isArray(module.S3_SECRET_KEYS)) secretKeys = module.S3_SECRET_KEYS;
      return module;
    } catch {
      return undefined;
    }
  })();
  return loaded;
}

/** Secret config keys of s3 mounts (the s3 module's list once it has been loaded). */
export function s3SecretKeys(): readonly string[] {
  return secretKeys;
}
