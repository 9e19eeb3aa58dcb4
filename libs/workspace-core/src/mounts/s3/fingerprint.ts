// What identifies the content of an s3 file at a moment: its ETag, and its VersionId when the
// bucket keeps versions. A snapshot records these per file; a load compares them with the
// bucket's current answers to find drift (docs/protocol.md, "Drift on load").

export interface S3Fingerprint {
  /** Mount-relative, with a leading slash: `/a/b.txt`. */
  path: string;
  etag: string;
  version_id?: string;
}

/** The headers of a HeadObject answer that matter here (the SDK's output, or a stub of it). */
export interface ObjectHead {
  ETag?: string;
  VersionId?: string;
}

/** A listing entry or a HeadObject answer as a fingerprint; `null` VersionId (unversioned bucket) is left out. */
export function fingerprintOf(path: string, head: ObjectHead): S3Fingerprint {
  const fingerprint: S3Fingerprint = { path, etag: head.ETag ?? '' };
  if (head.VersionId !== undefined && head.VersionId !== '' && head.VersionId !== 'null') fingerprint.version_id = head.VersionId;
  return fingerprint;
}

/**
 * Why `recorded` no longer matches `current` (undefined when it does): the file is gone, its
 * ETag changed, or, when a VersionId was recorded, its version changed.
 */
export function driftOf(recorded: S3Fingerprint, current: S3Fingerprint | undefined): string | undefined {
  if (current === undefined) return 'deleted';
  if (recorded.version_id !== undefined && current.version_id !== recorded.version_id) {
    return `version ${recorded.version_id} is now ${current.version_id ?? 'unversioned'}`;
  }
  if (current.etag !== recorded.etag) return `ETag ${recorded.etag} is now ${current.etag}`;
  return undefined;
}
