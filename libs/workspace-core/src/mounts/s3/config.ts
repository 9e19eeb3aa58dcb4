// The `config:` block of an `s3` mount: validation (every problem at once) and redaction.
import { WorkspaceError } from '../../errors.js';

export interface S3MountConfig {
  bucket: string;
  /** Default `us-east-1`. */
  region: string;
  endpoint_url?: string;
  aws_access_key_id?: string;
  aws_secret_access_key?: string;
  aws_session_token?: string;
  /** Key prefix inside the bucket, normalised to `a/b/` (empty: the whole bucket). */
  prefix?: string;
  force_path_style?: boolean;
}

export const S3_SECRET_KEYS: readonly string[] = ['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token'];

const REDACTED = '<redacted>';
const STRING_KEYS = ['bucket', 'region', 'endpoint_url', 'prefix', ...S3_SECRET_KEYS] as const;
const KNOWN_KEYS = new Set<string>([...STRING_KEYS, 'force_path_style']);
const DEFAULT_REGION = 'us-east-1';
// S3 bucket naming rules, simplified: 3-63 of lowercase letters, digits, dots and hyphens,
// starting and ending with a letter or digit.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function isRedacted(value: unknown): boolean {
  return value === REDACTED;
}

/** A copy of a mount config with every credential value replaced by `<redacted>`. */
export function redactS3Config(config: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...config };
  for (const key of S3_SECRET_KEYS) {
    if (copy[key] !== undefined && copy[key] !== null && copy[key] !== '') copy[key] = REDACTED;
  }
  return copy;
}

/**
 * Validates the `config:` of an s3 mount. Empty strings count as absent (a `${VAR}` set to
 * nothing). Throws WorkspaceError('invalid') naming every problem found.
 */
export function parseS3MountConfig(config: unknown, mountPrefix?: string): S3MountConfig {
  const where = mountPrefix === undefined ? 's3 mount' : `s3 mount ${mountPrefix}`;
  if (config === undefined || config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new WorkspaceError('invalid', `${where}: config must be a mapping with at least a bucket`);
  }
  const raw = config as Record<string, unknown>;
  const problems: string[] = [];
  const unknown = Object.keys(raw)
    .filter((key) => !KNOWN_KEYS.has(key))
    .sort();
  if (unknown.length > 0) {
    problems.push(`unknown config key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}`);
  }

  const text: Partial<Record<(typeof STRING_KEYS)[number], string>> = {};
  for (const key of STRING_KEYS) {
    const value = raw[key];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') {
      problems.push(`${key} must be a string`);
    } else if (isRedacted(value)) {
      problems.push(`${key} is redacted; supply the credential again`);
    } else {
      text[key] = value;
    }
  }

  if (text.bucket === undefined) {
    if (!problems.some((p) => p.startsWith('bucket '))) problems.push('bucket is required');
  } else if (!BUCKET_NAME.test(text.bucket)) {
    problems.push(`bucket '${text.bucket}' is not a valid bucket name (3-63 lowercase letters, digits, '.' or '-')`);
  }
  if (text.endpoint_url !== undefined && !isHttpUrl(text.endpoint_url)) {
    problems.push(`endpoint_url '${text.endpoint_url}' is not an http(s) URL`);
  }
  if ((text.aws_access_key_id === undefined) !== (text.aws_secret_access_key === undefined)) {
    if (!problems.some((p) => p.startsWith('aws_access_key_id ') || p.startsWith('aws_secret_access_key '))) {
      problems.push('aws_access_key_id and aws_secret_access_key must be given together');
    }
  }
  if (text.aws_session_token !== undefined && text.aws_access_key_id === undefined) {
    problems.push('aws_session_token needs aws_access_key_id and aws_secret_access_key');
  }
  const forcePathStyle = raw.force_path_style;
  if (forcePathStyle !== undefined && forcePathStyle !== null && typeof forcePathStyle !== 'boolean') {
    problems.push('force_path_style must be true or false');
  }
  let prefix: string | undefined;
  if (text.prefix !== undefined) {
    const segments = text.prefix.split('/').filter((s) => s !== '');
    if (segments.some((s) => s === '.' || s === '..')) problems.push(`prefix '${text.prefix}' must not contain '.' or '..'`);
    prefix = segments.length > 0 ? `${segments.join('/')}/` : undefined;
  }

  if (problems.length > 0) {
    throw new WorkspaceError('invalid', problems.map((p) => `${where}: ${p}`).join('; '));
  }
  const parsed: S3MountConfig = { bucket: text.bucket as string, region: text.region ?? DEFAULT_REGION };
  if (text.endpoint_url !== undefined) parsed.endpoint_url = text.endpoint_url;
  if (text.aws_access_key_id !== undefined) parsed.aws_access_key_id = text.aws_access_key_id;
  if (text.aws_secret_access_key !== undefined) parsed.aws_secret_access_key = text.aws_secret_access_key;
  if (text.aws_session_token !== undefined) parsed.aws_session_token = text.aws_session_token;
  if (prefix !== undefined) parsed.prefix = prefix;
  if (typeof forcePathStyle === 'boolean') parsed.force_path_style = forcePathStyle;
  return parsed;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
