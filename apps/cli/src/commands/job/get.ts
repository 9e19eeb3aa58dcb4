import { Args } from '@oclif/core';
import { exitCodeFromResponse, type JobDetail } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';

export default class JobGet extends MirageCommand<JobDetail> {
  static override description = "Show a job and its result; exits with the job's command exit code once it has one.";
  static override examples = ['<%= config.bin %> job get job_0123'];
  static override args = { id: Args.string({ description: 'Job id.', required: true }) };

  async run(): Promise<JobDetail> {
    const { args } = await this.parse(JobGet);
    const job = await this.client.getJob(args.id);
    process.exitCode = exitCodeFromResponse(job);
    return job;
  }
}
