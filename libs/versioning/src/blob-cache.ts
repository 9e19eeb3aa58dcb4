// Remembers which blob holds each file, keyed by (path, size, mtime, mode), so a commit or diff
// does not re-read or re-hash files that did not change. One cache per repository, saved beside
// it. Like git's index, an entry whose mtime is too close to the scan is not trusted: a write in
// the same clock tick could leave size and mtime unchanged.
//
// On disk the cache is a journal: one JSON line per change (`[path, size, mtimeMs, mode, oid,
// stored]`, or `[path]` for a forgotten path), so a commit that changed one file appends one
// line. When the journal has grown well past the number of live entries it is rewritten whole.
import { appendFile, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const JOURNAL_FILE = 'mirage-blob-cache.jsonl';
/** The earlier format (one JSON object, rewritten whole every commit); read once, then removed. */
const LEGACY_FILE = 'mirage-blob-cache.json';
/** Entries modified less than this long before a scan started are re-read next time. */
const RACY_WINDOW_MS = 100;
/** The journal is rewritten when it holds more than this many lines per live entry (+ slack). */
const COMPACT_RATIO = 2;
const COMPACT_SLACK = 1000;
const OID = /^[0-9a-f]{40}$/;

export interface CachedBlob {
  size: number;
  mtimeMs: number;
  mode: number;
  oid: string;
  /** True once the blob is in the repository (a diff only hashes, a commit stores). */
  stored: boolean;
}

type JournalLine = [string, number, number, number, string, boolean] | [string];

function parseLine(line: string): JournalLine | undefined {
  try {
    const value = JSON.parse(line) as unknown;
    if (!Array.isArray(value) || typeof value[0] !== 'string') return undefined;
    if (value.length === 1) return [value[0]];
    const [path, size, mtimeMs, mode, oid, stored] = value as unknown[];
    if (typeof size !== 'number' || typeof mtimeMs !== 'number' || typeof mode !== 'number') return undefined;
    if (typeof oid !== 'string' || !OID.test(oid) || typeof stored !== 'boolean') return undefined;
    return [path as string, size, mtimeMs, mode, oid, stored];
  } catch {
    return undefined;
  }
}

function lineOf(path: string, blob: CachedBlob | undefined): string {
  const value: JournalLine = blob === undefined ? [path] : [path, blob.size, blob.mtimeMs, blob.mode, blob.oid, blob.stored];
  return `${JSON.stringify(value)}\n`;
}

export class BlobCache {
  private readonly entries = new Map<string, CachedBlob>();
  /** Paths changed since the journal was last written. */
  private readonly dirty = new Set<string>();
  private journalLines = 0;
  private rewrite = false;

  private constructor(private readonly dir: string | null) {}

  /** The cache of the repository at `repoDir` (empty if none was saved), or an unsaved one. */
  static async load(repoDir: string | null): Promise<BlobCache> {
    const cache = new BlobCache(repoDir);
    if (repoDir === null) return cache;
    let text: string | undefined;
    try {
      text = await readFile(join(repoDir, JOURNAL_FILE), 'utf8');
    } catch {
      await cache.loadLegacy(repoDir);
      return cache;
    }
    const lines = text.split('\n');
    // A missing final newline means the last append was cut short: that line is ignored.
    if (lines.at(-1) !== '') cache.rewrite = true;
    for (const line of lines.slice(0, -1)) {
      const parsed = parseLine(line);
      cache.journalLines += 1;
      if (parsed === undefined) {
        // An unreadable line: start over empty rather than trust what follows a corruption.
        cache.entries.clear();
        cache.rewrite = true;
        break;
      }
      if (parsed.length === 1) cache.entries.delete(parsed[0]);
      else cache.entries.set(parsed[0], { size: parsed[1], mtimeMs: parsed[2], mode: parsed[3], oid: parsed[4], stored: parsed[5] });
    }
    return cache;
  }

  lookup(path: string, size: number, mtimeMs: number, mode: number): CachedBlob | undefined {
    const hit = this.entries.get(path);
    return hit !== undefined && hit.size === size && hit.mtimeMs === mtimeMs && hit.mode === mode ? hit : undefined;
  }

  remember(path: string, blob: CachedBlob, scanStartedMs: number): void {
    if (blob.mtimeMs < scanStartedMs - RACY_WINDOW_MS) {
      const before = this.entries.get(path);
      this.entries.set(path, blob);
      if (
        before === undefined ||
        before.oid !== blob.oid ||
        before.size !== blob.size ||
        before.mtimeMs !== blob.mtimeMs ||
        before.mode !== blob.mode ||
        before.stored !== blob.stored
      ) {
        this.dirty.add(path);
      }
    } else {
      this.forget(path);
    }
  }

  /** Forgets paths not seen in the last full scan, so the cache tracks the live tree. */
  retainOnly(paths: ReadonlySet<string>): void {
    for (const path of this.entries.keys()) if (!paths.has(path)) this.forget(path);
  }

  /** Writes what changed since the last save (the whole cache when the journal got long). */
  async save(): Promise<void> {
    if (this.dir === null) return;
    const file = join(this.dir, JOURNAL_FILE);
    if (this.rewrite || this.journalLines + this.dirty.size > this.entries.size * COMPACT_RATIO + COMPACT_SLACK) {
      const lines: string[] = [];
      for (const [path, blob] of this.entries) lines.push(lineOf(path, blob));
      const partial = `${file}.${process.pid}.tmp`;
      await writeFile(partial, lines.join(''));
      await rename(partial, file);
      this.journalLines = lines.length;
      this.dirty.clear();
      if (this.rewrite) await unlink(join(this.dir, LEGACY_FILE)).catch(() => undefined);
      this.rewrite = false;
      return;
    }
    if (this.dirty.size === 0) return;
    const lines: string[] = [];
    for (const path of this.dirty) lines.push(lineOf(path, this.entries.get(path)));
    this.dirty.clear();
    await appendFile(file, lines.join(''));
    this.journalLines += lines.length;
  }

  private forget(path: string): void {
    if (this.entries.delete(path)) this.dirty.add(path);
  }

  private async loadLegacy(repoDir: string): Promise<void> {
    // Whatever happens, the next save writes a full journal.
    this.rewrite = true;
    try {
      const saved = JSON.parse(await readFile(join(repoDir, LEGACY_FILE), 'utf8')) as Record<string, unknown>;
      for (const [path, blob] of Object.entries(saved)) {
        const { size, mtimeMs, mode, oid, stored } = blob as Partial<CachedBlob>;
        const parsed = parseLine(JSON.stringify([path, size, mtimeMs, mode, oid, stored]));
        if (parsed !== undefined && parsed.length === 6) {
          this.entries.set(path, { size: parsed[1], mtimeMs: parsed[2], mode: parsed[3], oid: parsed[4], stored: parsed[5] });
        }
      }
    } catch {
      // No cache yet, or an unreadable one: start empty, files are simply re-read once.
    }
  }
}
