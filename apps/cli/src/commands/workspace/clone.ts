import { Args, Flags } from '@oclif/core';
import type { WorkspaceDetail } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';
import { formatWorkspaceDetail } from '../../lib/formatters.js';

export default class WorkspaceClone extends MirageCommand<WorkspaceDetail> {
  static override description = 'Clone a workspace, as it is now or at a committed version.';
  static override examples = [
    '<%= config.bin %> workspace clone demo --id demo-copy',
    '<%= config.bin %> workspace clone demo --at main',
    '<%= config.bin %> workspace clone demo --at 3f2a9c1b7d4e',
  ];
  static override args = { source: Args.string({ description: 'Id of the workspace to clone.', required: true }) };
  static override flags = {
    id: Flags.string({ description: 'Id of the new workspace.' }),
    at: Flags.string({ description: 'A version id or branch name to clone from (default: the live state).' }),
  };

  async run(): Promise<WorkspaceDetail> {
    const { args, flags } = await this.parse(WorkspaceClone);
    const options = { ...(flags.id === undefined ? {} : { id: flags.id }), ...(flags.at === undefined ? {} : { at: flags.at }) };
    return this.client.cloneWorkspace(args.source, options);
  }

  protected override formatHuman(result: WorkspaceDetail): string {
    return formatWorkspaceDetail(result);
  }
}
