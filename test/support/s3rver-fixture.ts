// Test fixture: a real S3-protocol server (s3rver) on a loopback port with one bucket, and a
// client for seeding objects. Used by specs here and anywhere else that needs an s3 mount.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import type { S3MountConfig } from '@mirage-ts/workspace-core';

export interface S3rverFixture {
  endpoint: string;
  bucket: string;
  /** A mount config pointing at the fixture's bucket (S3RVER/S3RVER credentials). */
  config(extra?: Partial<S3MountConfig>): S3MountConfig;
  put(key: string, body: string | Uint8Array): Promise<void>;
  client: S3Client;
  stop(): Promise<void>;
}

export async function startS3rver(bucket = 'test-bucket'): Promise<S3rverFixture> {
  const directory = mkdtempSync(join(tmpdir(), 'mirage-s3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: process.env.S3RVER_LOG !== '1', directory });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  const client = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    endpoint,
    bucket,
    client,
    config: (extra = {}) => ({
      bucket,
      region: 'us-east-1',
      endpoint_url: endpoint,
      aws_access_key_id: 'S3RVER',
      aws_secret_access_key: 'S3RVER',
      ...extra,
    }),
    put: async (key, body) => {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    stop: async () => {
      client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
