// Argument checks shared by the file-tool commands (read, grep, cp): refused locally as usage
// errors (exit 2) before any request is sent.
import { usageError } from './errors.js';

/** A non-negative integer flag value, or undefined when the flag is absent. */
export function byteCount(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value)))
    throw usageError(`--${flag} expects a non-negative integer, got '${value}'`);
  return Number(value);
}

export interface WorkspacePath {
  workspace: string;
  path: string;
}

/** `WS:/path` → {workspace, path}; a local path (`./a`, `/tmp/x`, `a.txt`) → undefined. */
export function workspacePath(spec: string): WorkspacePath | undefined {
  const match = /^([A-Za-z0-9._-]{1,128}):(.*)$/.exec(spec);
  if (match === null || spec.startsWith('.') || spec.startsWith('/')) return undefined;
  return { workspace: match[1], path: match[2] === '' ? '/' : match[2] };
}
