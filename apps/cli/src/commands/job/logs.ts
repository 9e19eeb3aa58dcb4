import { Args, Command, Flags } from '@oclif/core';
import { type OutputStatusRecord } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';
import { usageError } from '../../lib/errors.js';
import { cancelOnInterrupt, writeChunk } from '../../lib/live-output.js';

export default class JobLogs extends MirageCommand<void> {
  static override description =
    "Print a job's output: its stdout and stderr bytes as the job wrote them (kept as long as the job is). With -f, follow until the job ends and exit with its exit code (130 canceled, 124 timed out); Ctrl-C then cancels the job. --json prints the output records, one JSON object a line.";
  static override examples = [
    '<%= config.bin %> job logs job_0123',
    '<%= config.bin %> job logs job_0123 -f',
    '<%= config.bin %> job logs job_0123 --since 4 --json',
  ];
  static override args = { id: Args.string({ description: 'Job id.', required: true }) };
  static override flags = {
    follow: Flags.boolean({ char: 'f', description: 'Keep printing output as it comes until the job ends.' }),
    since: Flags.string({ description: 'Only the chunks after this seq (the last one seen; default 0: all).' }),
  };

  /** Raw bytes unless --json is given, on a terminal and piped alike: a log is read as it was written. */
  override jsonEnabled(): boolean {
    return Command.prototype.jsonEnabled.call(this);
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(JobLogs);
    const since = flags.since === undefined ? undefined : Number(flags.since);
    if (since !== undefined && !(/^\d{1,15}$/.test(flags.since ?? '') && Number.isSafeInteger(since))) {
      throw usageError(`--since expects a seq (a non-negative integer), got '${flags.since}'`);
    }
    const json = this.jsonEnabled();
    const controller = new AbortController();
    const release = flags.follow ? cancelOnInterrupt(this.client, () => args.id, controller) : () => undefined;
    let status: OutputStatusRecord | undefined;
    try {
      for await (const record of await this.client.jobOutput(args.id, { since, follow: flags.follow, signal: controller.signal })) {
        if (json) process.stdout.write(`${JSON.stringify(record)}\n`);
        if ('stream' in record) {
          if (!json) await writeChunk(record.stream, record.data);
        } else status = record;
      }
    } finally {
      release();
    }
    if (status?.truncated === true && !json)
      this.warnLine('mirage: output capture stopped at the workspace limit (limits.max_output_bytes)');
    if (status?.discarded === true && !json) this.warnLine("mirage: this job's output was dropped to keep the daemon's output budget");
    process.exitCode = status?.exit_code ?? 0;
  }
}
