import { Flags } from '@oclif/core';
import { MirageCommand } from '../base-command.js';
import { commandFlag, sessionFlag, workspaceFlag } from '../flags.js';
import { runExecute, type ExecuteOutput } from '../lib/execute-run.js';
import { streamExecute } from '../lib/execute-stream.js';
import { streamsToTerminal } from '../fast-execute.js';

// bin/run.js answers a clean `execute` argv through src/fast-execute.ts without loading oclif; this
// command handles the rest (help, malformed flags) and keeps execute in the manifest and --help.
export default class Execute extends MirageCommand<ExecuteOutput | undefined> {
  static override description =
    "Run a command in a workspace and print its result as JSON; the CLI exits with the command's exit code. On a terminal (without --json) the command's stdout and stderr are printed as they come and Ctrl-C cancels it (exit 130). Piped stdin is forwarded to the command.";
  static override examples = [
    '<%= config.bin %> execute -w demo -c "ls /"',
    'printf abc | <%= config.bin %> execute -w demo -c "wc -c" | jq -r .stdout',
    '<%= config.bin %> execute -w demo -s agent-1 --cwd /data --env MODE=fast -c "./run.sh"',
    'JOB=$(<%= config.bin %> execute -w demo --bg -c "sleep 5; echo done" | jq -r .job_id) && <%= config.bin %> job wait "$JOB"',
  ];
  static override flags = {
    workspace: workspaceFlag,
    command: commandFlag,
    session: sessionFlag,
    cwd: Flags.string({ description: 'Working directory for this command (default: the session cwd).' }),
    env: Flags.string({ description: 'Environment variable for this command, KEY=VALUE (repeatable).', multiple: true }),
    bg: Flags.boolean({ aliases: ['background'], description: 'Run as a background job and print its job id.' }),
  };

  async run(): Promise<ExecuteOutput | undefined> {
    const { flags } = await this.parse(Execute);
    if (streamsToTerminal(flags, flags.json === true)) {
      process.exitCode = await streamExecute(this.client, flags);
      return undefined;
    }
    const { output, exitCode } = await runExecute(this.client, flags);
    process.exitCode = exitCode;
    return output;
  }
}
