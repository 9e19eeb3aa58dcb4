// `mirage config` on $MIRAGE_HOME/config.toml: line-based edits of the [daemon]
// table that keep every other line (comments, other tables) as the user wrote them.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  DAEMON_KEYS,
  parseDaemonTable,
  resolveAllSettings,
  settingSpec,
  type DaemonTable,
  type ResolvedSetting,
} from '@mirage-ts/protocol/client';
import { CliError } from './errors.js';

type Environment = Record<string, string | undefined>;

export function assertKnownKey(key: string): void {
  if (settingSpec(key) === undefined) throw new CliError(`unknown config key: '${key}'; allowed: ${DAEMON_KEYS.join(', ')}`, 2);
}

/** `key = value`: numeric keys bare, others a TOML basic string. */
export function formatEntry(key: string, value: string): string {
  if (settingSpec(key)?.type === 'number') {
    if (value.trim() === '' || !Number.isFinite(Number(value))) throw new CliError(`${key} must be a number, got '${value}'`, 2);
    return `${key} = ${value.trim()}`;
  }
  return `${key} = "${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const isSection = (line: string): boolean => line.trim().startsWith('[');
const isDaemonHeader = (line: string): boolean => line.trim() === '[daemon]';

/** The key a `[daemon]` line assigns, bare or quoted, or undefined for blanks and comments. */
function lineKey(line: string): string | undefined {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  const eq = trimmed.indexOf('=');
  if (eq < 0) return undefined;
  return trimmed
    .slice(0, eq)
    .trim()
    .replace(/^"(.*)"$/, '$1')
    .replace(/^'(.*)'$/, '$1');
}

/** [start, end) line range of the body of the first [daemon] table, or undefined. */
function daemonBody(lines: string[]): [number, number] | undefined {
  const header = lines.findIndex(isDaemonHeader);
  if (header < 0) return undefined;
  let end = header + 1;
  while (end < lines.length && !isSection(lines[end])) end++;
  return [header + 1, end];
}

/** `text` with `key` set to `value` in [daemon] (replacing any previous assignment). */
export function setInText(text: string, key: string, value: string): string {
  const entry = formatEntry(key, value);
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const body = daemonBody(lines);
  if (body === undefined) {
    const prefix = lines.length > 0 && lines[lines.length - 1].trim() !== '' ? [...lines, ''] : lines;
    return [...prefix, '[daemon]', entry].join('\n') + '\n';
  }
  const [start, end] = body;
  const out: string[] = lines.slice(0, start);
  let written = false;
  let lastContent = start - 1;
  for (let i = start; i < end; i++) {
    if (lineKey(lines[i]) === key) {
      if (!written) {
        out.push(entry);
        written = true;
        lastContent = out.length - 1;
      }
      continue;
    }
    out.push(lines[i]);
    if (lines[i].trim() !== '') lastContent = out.length - 1;
  }
  if (!written) out.splice(lastContent + 1, 0, entry);
  return [...out, ...lines.slice(end)].join('\n') + '\n';
}

/** `text` without any assignment of `key` in [daemon]. */
export function unsetInText(text: string, key: string): string {
  const lines = text.replace(/\n$/, '').split('\n');
  const body = daemonBody(lines);
  if (body === undefined) return text;
  const [start, end] = body;
  const kept = lines.filter((line, i) => i < start || i >= end || lineKey(line) !== key);
  return kept.join('\n') + '\n';
}

export function readConfigText(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

export function writeConfigText(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** The raw [daemon] table of the file (unvalidated), plus the keys no daemon would accept. */
export function readRawTable(path: string): { table: DaemonTable; unknown: string[] } {
  const table = parseDaemonTable(readConfigText(path));
  const unknown = Object.keys(table)
    .filter((key) => settingSpec(key) === undefined)
    .sort();
  return { table, unknown };
}

export type ResolvedValue = ResolvedSetting;

/**
 * Every allowed key's effective value and where it came from (`env NAME`, `file` or `default`),
 * resolved from the settings table as the client and the daemon resolve it; the token masked.
 */
export function resolveAll(table: DaemonTable, env: Environment, home: string): Record<string, ResolvedValue> {
  const all = resolveAllSettings(table, env, home);
  if (all.auth_token.value !== '') all.auth_token = { ...all.auth_token, value: '***' };
  return all;
}
