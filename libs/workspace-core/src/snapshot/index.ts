// Snapshots: our documented tar format (format.ts), written by write.ts, read by read.ts.
export * from './format.js';
export { createSnapshotStream, writeSnapshotFile, type SnapshotSource } from './write.js';
export { readSnapshot, readSnapshotFile, type LoadedSnapshot } from './read.js';
export { applyOverride, fillRedactedFrom, mountsNeedingCredentials, redactWorkspaceConfig, requireCredentials } from './credentials.js';
export { describeMounts, localEntries, localEntryList, owningKey, safeTreePath } from './paths.js';
export { mountKey } from '../mount-paths.js';
export { diskRoots, overriddenRoots, relocateDiskRoots, type DiskRootInUse } from './disk-roots.js';
export { referenceSnapshotBytes, writeReferenceSnapshotFile } from './reference/write.js';
export { isReferenceManifest, REFERENCE_VERSIONS, REFERENCE_WRITE_VERSION } from './reference/format.js';
export { refuseS3Drift } from './drift.js';
