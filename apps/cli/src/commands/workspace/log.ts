import { Args, Flags } from '@oclif/core';
import type { VersionEntry } from '@mirage-ts/protocol/client';
import { DEFAULT_BRANCH } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';
import { formatLog } from '../../lib/formatters.js';

export default class WorkspaceLog extends MirageCommand<VersionEntry[]> {
  static override description = 'List the versions of a branch, newest first.';
  static override examples = ['<%= config.bin %> workspace log demo', '<%= config.bin %> workspace log demo -b experiment'];
  static override args = { id: Args.string({ description: 'Workspace id.', required: true }) };
  static override flags = { branch: Flags.string({ char: 'b', description: 'Branch.', default: DEFAULT_BRANCH }) };

  async run(): Promise<VersionEntry[]> {
    const { args, flags } = await this.parse(WorkspaceLog);
    return this.client.versions(args.id, flags.branch);
  }

  protected override formatHuman(result: VersionEntry[]): string {
    return formatLog(result);
  }
}
