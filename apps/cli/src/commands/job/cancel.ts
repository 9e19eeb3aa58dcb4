import { Args } from '@oclif/core';
import type { JobCanceled } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';

export default class JobCancel extends MirageCommand<JobCanceled> {
  static override description = 'Cancel a job (`canceled` says whether this call canceled it).';
  static override examples = ['<%= config.bin %> job cancel job_0123'];
  static override args = { id: Args.string({ description: 'Job id.', required: true }) };

  async run(): Promise<JobCanceled> {
    const { args } = await this.parse(JobCancel);
    return this.client.cancelJob(args.id);
  }
}
