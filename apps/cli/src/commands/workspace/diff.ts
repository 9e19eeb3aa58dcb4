import { Args, Flags } from '@oclif/core';
import type { DiffResponse } from '@mirage-ts/protocol/client';
import { DEFAULT_BRANCH } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';
import { formatDiff } from '../../lib/formatters.js';

export default class WorkspaceDiff extends MirageCommand<DiffResponse> {
  static override description =
    'Show added, modified and deleted paths between two versions (default: the branch head and the live workspace).';
  static override examples = ['<%= config.bin %> workspace diff demo', '<%= config.bin %> workspace diff demo 3f2a9c1b7d4e 8b1c0d2e4f6a'];
  static override args = {
    id: Args.string({ description: 'Workspace id.', required: true }),
    a: Args.string({ description: 'From this version.' }),
    b: Args.string({ description: 'To this version.' }),
  };
  static override flags = { branch: Flags.string({ char: 'b', description: 'Branch.', default: DEFAULT_BRANCH }) };

  async run(): Promise<DiffResponse> {
    const { args, flags } = await this.parse(WorkspaceDiff);
    return this.client.diff(args.id, { branch: flags.branch, a: args.a, b: args.b });
  }

  protected override formatHuman(result: DiffResponse): string {
    return formatDiff(result);
  }
}
