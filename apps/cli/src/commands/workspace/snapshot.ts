import { Args, Flags } from '@oclif/core';
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
    '<%= config.bin %> workspace snapshot demo demo-ref.tar --format reference',
  ];
  static override args = {
    id: Args.string({ description: 'Workspace id.', required: true }),
    output: Args.string({ description: 'Where to write the tar.', required: true }),
  };
  static override flags = {
    format: Flags.string({
      description: "Tar format: ours (mirage, the default) or the reference project's (reference), which its SDK's Workspace.load reads.",
      options: ['mirage', 'reference'],
      default: 'mirage',
    }),
  };

  async run(): Promise<SnapshotSaved> {
    const { args, flags } = await this.parse(WorkspaceSnapshot);
    const format = flags.format === 'reference' ? 'reference' : undefined;
    const progress = new ProgressReporter('snapshot');
    const { path, size } = await writeAtomically(args.output, (out) =>
      this.client.downloadSnapshot(args.id, out, ({ transferred, total }) => progress.update(transferred, total), { format }),
    );
    progress.done();
    return { id: args.id, path, size };
  }

  protected override formatHuman(result: SnapshotSaved): string {
    return formatSnapshot(result);
  }
}
