// Drift on load: a snapshot keeps s3 files as the bucket's (format.ts, `s3_files`); before a
// load builds anything, each recorded ETag/VersionId is compared with the bucket's current one.
import type { DriftPolicy, WorkspaceConfig } from '@mirage-ts/protocol';
import { WorkspaceError } from '../errors.js';
import { mountKey, summaryPrefix } from '../mount-paths.js';
import { loadS3Module } from '../mounts/s3-loader.js';
import { parseS3MountConfig } from '../mounts/s3/config.js';
import type { S3Fingerprint } from '../mounts/s3/fingerprint.js';

/**
 * With `strict` (the default), throws WorkspaceError('busy', 409) naming the first s3 file that
 * changed since the snapshot. With `off` nothing is checked: the new workspace reads the bucket
 * as it is now (its s3 mounts start with an empty cache, so nothing stale is kept).
 */
export async function refuseS3Drift(
  config: WorkspaceConfig,
  recorded: Record<string, S3Fingerprint[]> | undefined,
  policy: DriftPolicy = 'strict',
): Promise<void> {
  if (policy === 'off' || recorded === undefined) return;
  const byKey = new Map(Object.entries(config.mounts).map(([prefix, mount]) => [mountKey(prefix), { prefix, mount }]));
  const { S3Fs } = await loadS3Module();
  for (const [prefix, fingerprints] of Object.entries(recorded)) {
    const found = byKey.get(mountKey(prefix));
    if (found === undefined || fingerprints.length === 0) continue;
    const fs = new S3Fs(parseS3MountConfig(found.mount.config, found.prefix));
    try {
      const drift = await fs.firstDrift(fingerprints);
      if (drift !== undefined) {
        const shown = `${summaryPrefix(found.prefix === '/' ? '/' : found.prefix.replace(/\/+$/, ''))}${drift.path.slice(1)}`;
        throw new WorkspaceError(
          'busy',
          `snapshot drift: ${shown} changed since the snapshot (${drift.reason}); load with drift off to load it anyway`,
        );
      }
    } finally {
      fs.destroy();
    }
  }
}
