import { Flags } from '@oclif/core';
import type { WorkspaceBrief } from '@mirage-ts/protocol/client';
import { parseLabelSelector } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';
import { CliError } from '../../lib/errors.js';
import { formatWorkspaceList } from '../../lib/formatters.js';

export default class WorkspaceList extends MirageCommand<WorkspaceBrief[]> {
  static override description = 'List the workspaces the daemon holds (with --label, those whose `labels:` match).';
  static override examples = [
    '<%= config.bin %> workspace list',
    '<%= config.bin %> workspace list --label team=search --label tier=dev',
    '<%= config.bin %> workspace list | jq -r ".[].id"',
  ];
  static override flags = {
    label: Flags.string({
      char: 'l',
      description: 'Only workspaces with this label, key=value (repeatable: all must match).',
      multiple: true,
    }),
  };

  async run(): Promise<WorkspaceBrief[]> {
    const { flags } = await this.parse(WorkspaceList);
    const labels = flags.label ?? [];
    // Checked before any request, so a typo fails with no daemon too.
    for (const label of labels) {
      try {
        parseLabelSelector(label);
      } catch (error) {
        throw new CliError((error as Error).message, 2);
      }
    }
    return this.client.listWorkspaces(labels);
  }

  protected override formatHuman(result: WorkspaceBrief[]): string {
    return formatWorkspaceList(result);
  }
}
