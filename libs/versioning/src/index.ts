// Public API of @mirage-ts/versioning: per-workspace version history over git (nodegit).
export { VersioningError, type VersioningErrorCode } from './errors.js';
export { assertBranchName, assertRef, assertWorkspaceId, branchNameProblem, isHexRef } from './names.js';
export { META_PATH, type VersionMeta, type MetaMount } from './meta.js';
export {
  DEFAULT_BRANCH,
  VersionStore,
  type BranchResult,
  type CommitOptions,
  type CommitResult,
  type DiffSpec,
  type LiveState,
  type VersionContent,
  type VersionStoreOptions,
} from './version-store.js';
