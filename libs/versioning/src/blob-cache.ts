// Remembers which blob holds each file, keyed by (path, size, mtime, mode), so a commit or diff
// does not re-read or re-hash files that did not change. One cache per repository, saved beside
// it. Like git's index, an entry whose mtime is too close to the scan is not trusted: a write in
// the same clock tick could leave size and mtime unchanged.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const CACHE_FILE = 'mirage-blob-cache.json';
/** Entries modified less than this long before a scan started are re-read next time. */
const RACY_WINDOW_MS = 100;

export interface CachedBlob {
  size: number;
  mtimeMs: number;
  mode: number;
  oid: string;
  /** True once the blob is in the repository (a diff only hashes, a commit stores). */
  stored: boolean;
}

export class BlobCache {
  private entries = new Map<string, CachedBlob>();

  private constructor(private readonly file: string | null) {}

  /** The cache of the repository at `repoDir` (empty if none was saved), or an unsaved one. */
  static async load(repoDir: string | null): Promise<BlobCache> {
    const cache = new BlobCache(repoDir === null ? null : join(repoDir, CACHE_FILE));
    if (cache.file === null) return cache;
    try {
      const saved = JSON.parse(await readFile(cache.file, 'utf8')) as Record<string, CachedBlob>;
      for (const [path, blob] of Object.entries(saved)) cache.entries.set(path, blob);
    } catch {
      // No cache yet, or an unreadable one: start empty, files are simply re-read once.
    }
    return cache;
  }

  lookup(path: string, size: number, mtimeMs: number, mode: number): CachedBlob | undefined {
    const hit = this.entries.get(path);
    return hit !== undefined && hit.size === size && hit.mtimeMs === mtimeMs && hit.mode === mode ? hit : undefined;
  }

  remember(path: string, blob: CachedBlob, scanStartedMs: number): void {
    if (blob.mtimeMs < scanStartedMs - RACY_WINDOW_MS) this.entries.set(path, blob);
    else this.entries.delete(path);
  }

  /** Forgets paths not seen in the last full scan, so the cache tracks the live tree. */
  retainOnly(paths: ReadonlySet<string>): void {
    for (const path of [...this.entries.keys()]) if (!paths.has(path)) this.entries.delete(path);
  }

  async save(repoDir: string): Promise<void> {
    const file = join(repoDir, CACHE_FILE);
    const partial = `${file}.${process.pid}.tmp`;
    await writeFile(partial, JSON.stringify(Object.fromEntries(this.entries)));
    await rename(partial, file);
  }
}
