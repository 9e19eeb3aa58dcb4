import { Args } from '@oclif/core';
import { MirageCommand } from '../../base-command.js';
import { formatSnapshot } from '../../lib/formatters.js';
import { ProgressReporter } from '../../lib/progress.js';
import { writeAtomically } from '../../lib/snapshot-file.js';

/** Where the tar was written and its size in bytes. */
interface SnapshotSaved {
  id: string;
  path: string;
  size: number;
}

export default class WorkspaceSnapshot extends MirageCommand<SnapshotSaved> {
  static override description = 'Download a snapshot of the workspace as a tar file (any path you can write, also from a remote daemon).';
  static override examples = [
    '<%= config.bin %> workspace snapshot demo demo.tar',
    '<%= config.bin %> workspace snapshot demo /tmp/demo.tar && tar tf /tmp/demo.tar',
  ];
  static override args = {
    id: Args.string({ description: 'Workspace id.', required: true }),
    output: Args.string({ description: 'Where to write the tar.', required: true }),
  };

  async run(): Promise<SnapshotSaved> {
    const { args } = await this.parse(WorkspaceSnapshot);
    const progress = new ProgressReporter('snapshot');
    const { path, size } = await writeAtomically(args.output, (out) =>
      this.client.downloadSnapshot(args.id, out, ({ transferred, total }) => progress.update(transferred, total)),
    );
    progress.done();
    return { id: args.id, path, size };
  }

  protected override formatHuman(result: SnapshotSaved): string {
    return formatSnapshot(result);
  }
}
