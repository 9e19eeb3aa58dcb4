// Fingerprints from HeadObject answers. The S3 test server keeps no versions, so the VersionId
// part is checked here against stubs of the header as the AWS SDK hands it over.
import { driftOf, fingerprintOf } from './fingerprint.js';

describe('s3 fingerprints', () => {
  it('keeps the VersionId of a versioned bucket and drops the "null" of an unversioned one', () => {
    expect(fingerprintOf('/a', { ETag: '"e1"', VersionId: '3HL4kqtJlcpXroDTDmJ' })).toEqual({
      path: '/a',
      etag: '"e1"',
      version_id: '3HL4kqtJlcpXroDTDmJ',
    });
    expect(fingerprintOf('/a', { ETag: '"e1"', VersionId: 'null' })).toEqual({ path: '/a', etag: '"e1"' });
    expect(fingerprintOf('/a', { ETag: '"e1"' })).toEqual({ path: '/a', etag: '"e1"' });
  });

  it('finds drift by version first, then by ETag, and a deleted file', () => {
    const recorded = fingerprintOf('/a', { ETag: '"e1"', VersionId: 'v1' });
    expect(driftOf(recorded, fingerprintOf('/a', { ETag: '"e1"', VersionId: 'v1' }))).toBeUndefined();
    // Same bytes written again: same ETag, a new version.
    expect(driftOf(recorded, fingerprintOf('/a', { ETag: '"e1"', VersionId: 'v2' }))).toBe('version v1 is now v2');
    expect(driftOf(fingerprintOf('/a', { ETag: '"e1"' }), fingerprintOf('/a', { ETag: '"e2"' }))).toBe('ETag "e1" is now "e2"');
    expect(driftOf(recorded, undefined)).toBe('deleted');
  });
});
