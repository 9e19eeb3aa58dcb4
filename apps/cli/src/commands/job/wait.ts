import { Args } from '@oclif/core';
import { exitCodeFromResponse, type JobDetail } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';
import { timeoutFlag } from '../../flags.js';
import { cancelOnInterrupt } from '../../lib/live-output.js';

export default class JobWait extends MirageCommand<JobDetail> {
  static override description =
    "Wait for a job to finish and print it; exits with its command's exit code (2 if it failed or was canceled without one). With --timeout, prints the job as it stands then. Ctrl-C cancels the job (exit 130).";
  static override examples = ['<%= config.bin %> job wait job_0123', '<%= config.bin %> job wait job_0123 --timeout 10'];
  static override args = { id: Args.string({ description: 'Job id.', required: true }) };
  static override flags = { timeout: timeoutFlag('Seconds to wait at most (nothing is canceled).') };

  async run(): Promise<JobDetail> {
    const { args, flags } = await this.parse(JobWait);
    const timeoutS = this.seconds('timeout', flags.timeout);
    const release = cancelOnInterrupt(this.client, () => args.id);
    let job: JobDetail;
    try {
      job = await this.client.waitJob(args.id, timeoutS);
    } finally {
      release();
    }
    process.exitCode = exitCodeFromResponse(job);
    return job;
  }
}
