// Identifier minting and checks shared by the registry and workspaces.
import { randomBytes } from 'node:crypto';

export const WORKSPACE_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

/** A fresh UUIDv7 (RFC 9562): 48-bit Unix milliseconds, version 7, variant 10, random rest. */
export function newWorkspaceId(now: number = Date.now()): string {
  const bytes = randomBytes(16);
  const ms = BigInt(now);
  for (let index = 0; index < 6; index += 1) bytes[index] = Number((ms >> BigInt(8 * (5 - index))) & 0xffn);
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function newSessionId(): string {
  return `sess_${randomBytes(6).toString('hex')}`;
}

export function isValidWorkspaceId(id: string): boolean {
  // A leading '-' would read as an option to the CLI and to any tool handed the repo/state path.
  return WORKSPACE_ID_PATTERN.test(id) && id !== '.' && id !== '..' && !id.startsWith('-');
}
