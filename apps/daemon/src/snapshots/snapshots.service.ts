// Snapshot and load routes over the snapshot format of libs/workspace-core: download (GET, a
// streamed tar), write to a path under the snapshot root, load from such a path or an upload.
import { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import type { LoadWorkspaceDto, SnapshotFormat, SnapshotWritten, WorkspaceDetail } from '@mirage-ts/protocol';
import {
  applyOverride,
  createSnapshotStream,
  readSnapshotFile,
  referenceSnapshotBytes,
  refuseS3Drift,
  requireCredentials,
  writeReferenceSnapshotFile,
  writeSnapshotFile,
  type LoadedSnapshot,
  type WorkspaceRegistry,
} from '@mirage-ts/workspace-core';
import { DaemonError } from '../common/coded-error.js';
import type { DaemonSettings } from '../config/daemon-settings.js';
import { MIRAGE_REGISTRY, MIRAGE_SETTINGS } from '../config/tokens.js';
import { requireWorkspace } from '../core/require-workspace.js';
import { RestoreService } from '../versions/restore.service.js';
import { finishedJobs, snapshotSource } from '../versions/workspace-state.js';
import { confinedPath } from './confined-path.js';
import type { LoadUpload } from './load-upload.js';

@Injectable()
export class SnapshotsService {
  constructor(
    @Inject(MIRAGE_REGISTRY) private readonly registry: WorkspaceRegistry,
    @Inject(MIRAGE_SETTINGS) private readonly settings: DaemonSettings,
    private readonly restorer: RestoreService,
  ) {}

  /** Our tar, streamed; `reference`: the reference project's tar (built whole, then sent). */
  async download(id: string, format: SnapshotFormat = 'mirage'): Promise<Readable> {
    const workspace = requireWorkspace(this.registry, id);
    const source = await snapshotSource(workspace, finishedJobs(this.registry.jobs, id));
    if (format === 'reference') return Readable.from([await referenceSnapshotBytes(source)]);
    return createSnapshotStream(source);
  }

  async writeToPath(id: string, path: string, format: SnapshotFormat = 'mirage'): Promise<SnapshotWritten> {
    const workspace = requireWorkspace(this.registry, id);
    const target = await confinedPath(this.settings.snapshotRoot, path);
    const source = await snapshotSource(workspace, finishedJobs(this.registry.jobs, id));
    const size = format === 'reference' ? await writeReferenceSnapshotFile(source, target) : await writeSnapshotFile(source, target);
    return { id, path: target, size };
  }

  async loadFromPath(request: LoadWorkspaceDto): Promise<WorkspaceDetail> {
    if (request.path === undefined) throw new DaemonError('invalid', "load needs a 'path' or an uploaded 'snapshot' part");
    this.restorer.refuseTakenId(request.id);
    const file = await confinedPath(this.settings.snapshotRoot, request.path);
    return this.build(await readSnapshotFile(file, request.path), request);
  }

  /** A snapshot uploaded with the request (read at the edge, snapshots/load-upload.ts). */
  async loadFromUpload(upload: LoadUpload): Promise<WorkspaceDetail> {
    this.restorer.refuseTakenId(upload.request.id);
    return this.build(upload.snapshot, upload.request);
  }

  private async build(loaded: LoadedSnapshot, request: LoadWorkspaceDto): Promise<WorkspaceDetail> {
    const config = applyOverride(loaded.manifest.config, request.override);
    // Drift is checked before anything is built; the bucket needs the credentials for that.
    requireCredentials(config);
    await refuseS3Drift(config, loaded.manifest.s3_files, request.drift);
    return this.restorer.restore({
      config,
      id: request.id,
      sessions: loaded.manifest.sessions,
      files: loaded.files,
      purpose: 'load',
      override: request.override,
    });
  }
}
