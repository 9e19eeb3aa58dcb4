import { Args, Flags } from '@oclif/core';
import type { WorkspaceDetail } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';
import { formatWorkspaceDetail } from '../../lib/formatters.js';

export default class WorkspaceGet extends MirageCommand<WorkspaceDetail> {
  static override description = 'Show a workspace: mounts, sessions and (with --verbose) internals.';
  static override examples = ['<%= config.bin %> workspace get demo', '<%= config.bin %> workspace get demo --verbose'];
  static override args = { id: Args.string({ description: 'Workspace id.', required: true }) };
  static override flags = { verbose: Flags.boolean({ description: 'Include internals (cache, history, in-flight jobs).' }) };

  async run(): Promise<WorkspaceDetail> {
    const { args, flags } = await this.parse(WorkspaceGet);
    return this.client.getWorkspace(args.id, flags.verbose);
  }

  protected override formatHuman(result: WorkspaceDetail): string {
    return formatWorkspaceDetail(result);
  }
}
