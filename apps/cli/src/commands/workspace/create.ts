import { Args, Flags } from '@oclif/core';
import type { WorkspaceDetail } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';
import { loadCreateConfig } from '../../lib/config-loader.js';
import { formatWorkspaceDetail } from '../../lib/formatters.js';

export default class WorkspaceCreate extends MirageCommand<WorkspaceDetail> {
  static override description =
    'Create a workspace from a YAML (or JSON) config. ${VAR} placeholders are filled from the environment first; the daemon is started if none answers on a local URL.';
  static override examples = [
    '<%= config.bin %> workspace create workspace.yaml',
    '<%= config.bin %> workspace create workspace.yaml --id demo',
    'AWS_S3_BUCKET=my-bucket <%= config.bin %> workspace create s3.yaml',
  ];
  static override args = { config: Args.string({ description: 'Path to the workspace config (YAML or JSON).', required: true }) };
  static override flags = { id: Flags.string({ description: 'Workspace id (default: the daemon mints one).' }) };

  async run(): Promise<WorkspaceDetail> {
    const { args, flags } = await this.parse(WorkspaceCreate);
    // Config first: missing variables fail before any network call or spawn.
    const config = await loadCreateConfig(args.config, process.env);
    await this.ensureDaemon(true);
    return this.client.createWorkspace(config, flags.id);
  }

  protected override formatHuman(result: WorkspaceDetail): string {
    return formatWorkspaceDetail(result);
  }
}
