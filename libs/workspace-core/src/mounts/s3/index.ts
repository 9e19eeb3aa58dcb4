// The `s3` resource: mount config parsing/redaction and the file system over a bucket.
export { parseS3MountConfig, redactS3Config, isRedacted, S3_SECRET_KEYS, type S3MountConfig } from './config.js';
export { S3Fs } from './s3-fs.js';
export { driftOf, fingerprintOf, type ObjectHead, type S3Fingerprint } from './fingerprint.js';
