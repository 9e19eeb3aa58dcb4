// Bearer-token check (docs/protocol.md §2.2): the prefix is exactly `Bearer `, the rest trimmed, and the
// comparison takes the same time whatever the token, so it cannot be guessed byte by byte.
import { createHash, timingSafeEqual } from 'node:crypto';

const PREFIX = 'Bearer ';

/** The token of an Authorization header, or undefined when absent/malformed/empty. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || !header.startsWith(PREFIX)) return undefined;
  const token = header.slice(PREFIX.length).trim();
  return token === '' ? undefined : token;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** The expected token's digest, kept: it is the same on every request. */
let expectedDigest: { token: string; digest: Buffer } | undefined;

/** Constant-time equality: both sides are hashed to equal-length digests before comparing. */
export function tokensMatch(given: string, expected: string): boolean {
  if (expectedDigest?.token !== expected) expectedDigest = { token: expected, digest: digest(expected) };
  return timingSafeEqual(digest(given), expectedDigest.digest) && given.length === expected.length;
}
