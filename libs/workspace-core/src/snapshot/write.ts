// Writes a workspace as a snapshot tar (format.ts), streaming: file contents are read one at a
// time while the tar is consumed, so a large workspace never sits in memory twice.
//
// Speed: file bodies are never copied. The bytes a backend returns (the ram fs hands out the
// array it holds) go out as views; only headers, padding and small files are copied, into shared
// staging buffers, so the tar leaves in few large chunks (batches of about BATCH_BYTES) instead
// of one 512-byte chunk per header. Stream consumers get a batch per read; the file writer
// writes a batch per writev call.
import { mkdir, open, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import type { JobDetail, WorkspaceConfig } from '@mirage-ts/protocol';
import type { S3Fingerprint } from '../mounts/s3/fingerprint.js';
import type { LiveTreeEntry, SessionState } from '../tree.js';
import { redactWorkspaceConfig } from './credentials.js';
import { FILES_DIR, MANIFEST_ENTRY, SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_VERSION, type SnapshotManifest } from './format.js';
import { describeMounts, isLocalPath, safeTreePath } from './paths.js';
import { encodeEntryHeaders, type TarEntryHeader } from './tar-header.js';

const BLOCK = 512;
/** A batch is handed on once it holds this many bytes (a read of the stream, a writev). */
const BATCH_BYTES = 1024 * 1024;
/** Pieces up to this size are copied into a staging buffer; larger ones go out as views. */
const COPY_LIMIT = 16 * 1024;
const STAGE_BYTES = 64 * 1024;

/** What a snapshot is made of; the daemon fills it from a live Workspace. */
export interface SnapshotSource {
  id: string;
  /** The workspace config; credentials are redacted here whether or not the caller did. */
  config: WorkspaceConfig;
  sessions: readonly SessionState[];
  entries: Iterable<LiveTreeEntry> | AsyncIterable<LiveTreeEntry>;
  jobs?: readonly JobDetail[];
  /** Fingerprints of the s3 mounts' files, by prefix (Workspace.s3Fingerprints). */
  s3Files?: Record<string, S3Fingerprint[]>;
}

/**
 * The snapshot of `source` as a stream of tar bytes. It reads ahead at most about one batch:
 * the next batch is built only when the consumer asks for more.
 */
export function createSnapshotStream(source: SnapshotSource): Readable {
  const batches = snapshotBatches(source);
  let pulling = false;
  return new Readable({
    highWaterMark: BATCH_BYTES,
    read() {
      if (pulling) return;
      pulling = true;
      batches.next().then(
        (result) => {
          pulling = false;
          if (this.destroyed) return;
          if (result.done === true) {
            this.push(null);
            return;
          }
          for (const piece of result.value) this.push(piece);
        },
        (error: unknown) => this.destroy(error instanceof Error ? error : new Error(String(error))),
      );
    },
    destroy(error, callback) {
      // Stops the generator (a consumer that went away must not keep the entries being read).
      batches.return(undefined).then(
        () => callback(error),
        () => callback(error),
      );
    },
  });
}

/**
 * Writes the snapshot to `file` (parents created) through a temporary name, so a failed write
 * never leaves a truncated tar under the final name. Returns the size in bytes.
 */
export async function writeSnapshotFile(source: SnapshotSource, file: string): Promise<number> {
  await mkdir(dirname(file), { recursive: true });
  const partial = `${file}.partial-${process.pid}-${Date.now()}`;
  let size = 0;
  try {
    const handle = await open(partial, 'w', 0o600);
    try {
      for await (const batch of snapshotBatches(source)) size += await writeAll(handle, batch);
    } finally {
      await handle.close();
    }
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return size;
}

/** Writes every byte of `pieces` at the file's position, however the kernel splits the writes. */
async function writeAll(handle: FileHandle, pieces: Buffer[]): Promise<number> {
  let pending = pieces;
  let total = 0;
  while (pending.length > 0) {
    const { bytesWritten } = await handle.writev(pending);
    if (bytesWritten === 0) throw new Error('snapshot write made no progress');
    total += bytesWritten;
    pending = afterWritten(pending, bytesWritten);
  }
  return total;
}

function afterWritten(pieces: Buffer[], written: number): Buffer[] {
  let skipped = written;
  let index = 0;
  while (index < pieces.length && skipped >= pieces[index].length) {
    skipped -= pieces[index].length;
    index += 1;
  }
  if (index === pieces.length) return [];
  const rest = pieces.slice(index);
  if (skipped > 0) rest[0] = rest[0].subarray(skipped);
  return rest;
}

/** Collects tar pieces into batches: small ones copied into staging buffers, large ones as views. */
class TarBatch {
  private pieces: Buffer[] = [];
  private bytes = 0;
  private stage = Buffer.allocUnsafe(0);
  /** stage[flushedTo, used) holds bytes not yet in `pieces`; stage[0, flushedTo) is handed out. */
  private flushedTo = 0;
  private used = 0;

  get size(): number {
    return this.bytes + this.used - this.flushedTo;
  }

  /** Appends `bytes`, large ones as a view: the caller must not change them afterwards. */
  add(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (bytes.length > COPY_LIMIT) {
      this.flushStage();
      this.pieces.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      this.bytes += bytes.length;
      return;
    }
    this.stageCopy(bytes);
  }

  /** Appends a copy of `bytes`, for a buffer the caller reuses. */
  copy(bytes: Uint8Array): void {
    if (bytes.length <= COPY_LIMIT) {
      this.stageCopy(bytes);
      return;
    }
    this.flushStage();
    this.pieces.push(Buffer.from(bytes));
    this.bytes += bytes.length;
  }

  zeros(length: number): void {
    if (length === 0) return;
    const start = this.reserve(length);
    this.stage.fill(0, start, start + length);
  }

  private stageCopy(bytes: Uint8Array): void {
    // reserve() may replace the stage: it is read after.
    const start = this.reserve(bytes.length);
    this.stage.set(bytes, start);
  }

  /** Everything added so far, and a fresh start. */
  take(): Buffer[] {
    this.flushStage();
    const pieces = this.pieces;
    this.pieces = [];
    this.bytes = 0;
    return pieces;
  }

  /**
   * Appends `length` (≤ COPY_LIMIT) bytes of staging space to the batch and returns where they
   * start in `stage`; the caller fills them.
   */
  private reserve(length: number): number {
    if (this.used + length > this.stage.length) {
      this.flushStage();
      // Handed-out views keep the old stage alive; it is never written again.
      this.stage = Buffer.allocUnsafe(STAGE_BYTES);
      this.used = 0;
      this.flushedTo = 0;
    }
    const start = this.used;
    this.used += length;
    return start;
  }

  private flushStage(): void {
    if (this.used === this.flushedTo) return;
    const piece = this.stage.subarray(this.flushedTo, this.used);
    this.pieces.push(piece);
    this.bytes += piece.length;
    this.flushedTo = this.used;
  }
}

async function* snapshotBatches(source: SnapshotSource): AsyncGenerator<Buffer[], void, undefined> {
  const config = redactWorkspaceConfig(source.config);
  const mounts = describeMounts(config);
  const manifest: SnapshotManifest = {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_FORMAT_VERSION,
    workspace_id: source.id,
    created_at: Date.now() / 1000,
    config,
    mounts,
    sessions: source.sessions.map((s) => ({ session_id: s.session_id, cwd: s.cwd, env: { ...s.env } })),
  };
  if (source.s3Files !== undefined && Object.keys(source.s3Files).length > 0) manifest.s3_files = source.s3Files;
  if (source.jobs !== undefined) manifest.jobs = [...source.jobs];
  const batch = new TarBatch();
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  addEntry(batch, { path: MANIFEST_ENTRY, type: 'file', mode: 0o644, mtimeMs: Date.now() }, manifestBytes);

  const isLocal = isLocalPath(mounts);
  for await (const entry of source.entries) {
    const path = safeTreePath(entry.path);
    if (path === null) throw new Error(`refusing to snapshot an unsafe path: ${JSON.stringify(entry.path)}`);
    if (!isLocal(path)) continue;
    const mtimeMs = entry.mtimeMs;
    const mode = entry.mode & 0o7777;
    if (entry.kind === 'directory') {
      addEntry(batch, { path: `${FILES_DIR}/${path}/`, type: 'directory', mode, mtimeMs });
    } else if (entry.kind === 'symlink') {
      addEntry(batch, { path: `${FILES_DIR}/${path}`, type: 'symlink', mode, mtimeMs, linkpath: entry.target ?? '' });
    } else {
      // A view of what the backend holds, not a copy: backends replace a file's array on write.
      addEntry(batch, { path: `${FILES_DIR}/${path}`, type: 'file', mode, mtimeMs }, await entry.read());
    }
    if (batch.size >= BATCH_BYTES) yield batch.take();
  }
  // End of archive: two zero blocks.
  batch.zeros(BLOCK * 2);
  yield batch.take();
}

function addEntry(batch: TarBatch, header: Omit<TarEntryHeader, 'size'>, data: Uint8Array = new Uint8Array()): void {
  // The headers live in a buffer reused for the next entry: copied, never passed on as a view.
  batch.copy(encodeEntryHeaders({ ...header, size: data.length }));
  batch.add(data);
  batch.zeros((BLOCK - (data.length % BLOCK)) % BLOCK);
}
