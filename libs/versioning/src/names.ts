// Name rules: branch names follow `git check-ref-format --branch`, workspace ids are single
// safe path segments. Both are checked before anything touches the disk.
import { VersioningError } from './errors.js';

const MAX_NAME_LENGTH = 255;
const WORKSPACE_ID = /^[A-Za-z0-9._-]+$/;
// Control characters, space, and the characters git reserves for revision syntax.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_IN_REF = /[\x00-\x20\x7f~^:?*[\\]/;
const HEX_REF = /^[0-9a-f]{4,40}$/i;

/** Why `name` is not a usable branch name, or null when it is. */
export function branchNameProblem(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (name.length > MAX_NAME_LENGTH) return `is longer than ${MAX_NAME_LENGTH} characters`;
  if (FORBIDDEN_IN_REF.test(name)) return 'contains a space, a control character or one of ~ ^ : ? * [ \\';
  if (name.startsWith('-')) return "starts with '-'";
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) return "has an empty path component ('/')";
  if (name.endsWith('.')) return "ends with '.'";
  if (name.includes('..')) return "contains '..'";
  if (name.includes('@{') || name === '@') return "contains '@{' or is '@'";
  if (name === 'HEAD') return "is 'HEAD'";
  for (const component of name.split('/')) {
    if (component.startsWith('.')) return "has a component starting with '.'";
    if (component.endsWith('.lock')) return "has a component ending with '.lock'";
  }
  return null;
}

/** Throws VersioningError('invalid') unless `name` is a valid branch name. */
export function assertBranchName(name: string): void {
  const problem = branchNameProblem(name);
  if (problem !== null) throw new VersioningError('invalid', `invalid branch name ${JSON.stringify(name)}: ${problem}`);
}

/** True for an abbreviated or full commit id (4..40 hex digits). */
export function isHexRef(ref: string): boolean {
  return HEX_REF.test(ref);
}

/** Throws VersioningError('invalid') unless `ref` could name a branch or a commit. */
export function assertRef(ref: string): void {
  if (isHexRef(ref) || branchNameProblem(ref) === null) return;
  throw new VersioningError('invalid', `invalid ref: ${JSON.stringify(ref)}`);
}

/** Throws VersioningError('invalid') unless `id` is one safe path segment. */
export function assertWorkspaceId(id: string): void {
  if (id.length === 0 || id.length > MAX_NAME_LENGTH || !WORKSPACE_ID.test(id) || id === '.' || id === '..') {
    throw new VersioningError('invalid', `invalid workspace id: ${id}`);
  }
}
