import type { JobBrief } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';
import { optionalWorkspaceFlag } from '../../flags.js';

export default class JobList extends MirageCommand<JobBrief[]> {
  static override description = 'List jobs, optionally of one workspace.';
  static override examples = ['<%= config.bin %> job list', '<%= config.bin %> job list -w demo'];
  static override flags = { workspace: optionalWorkspaceFlag };

  async run(): Promise<JobBrief[]> {
    const { flags } = await this.parse(JobList);
    return this.client.listJobs(flags.workspace);
  }
}
