import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import type { WorkspaceDetail } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../../base-command.js';
import { loadOverrideConfig } from '../../lib/config-loader.js';
import { CliError } from '../../lib/errors.js';
import { formatWorkspaceDetail } from '../../lib/formatters.js';
import { ProgressReporter } from '../../lib/progress.js';

export default class WorkspaceLoad extends MirageCommand<WorkspaceDetail> {
  static override description =
    'Create a workspace from a snapshot tar (uploaded to the daemon). An optional config overrides mounts, e.g. to give s3 credentials again; the daemon is started if none answers on a local URL.';
  static override examples = [
    '<%= config.bin %> workspace load demo.tar',
    '<%= config.bin %> workspace load demo.tar --id demo-restored',
    'AWS_SECRET_ACCESS_KEY=... <%= config.bin %> workspace load demo.tar s3-credentials.yaml',
  ];
  static override args = {
    tar: Args.string({ description: 'Snapshot tar file.', required: true }),
    config: Args.string({ description: 'Config overriding the snapshot (YAML or JSON, ${VAR} interpolated).' }),
  };
  static override flags = {
    id: Flags.string({ description: 'Id of the new workspace.' }),
    drift: Flags.string({
      description: 'When an s3 file changed since the snapshot: refuse the load (strict, the default) or load anyway (off).',
      options: ['strict', 'off'],
      default: 'strict',
    }),
  };

  async run(): Promise<WorkspaceDetail> {
    const { args, flags } = await this.parse(WorkspaceLoad);
    const tar = resolve(args.tar);
    if (!existsSync(tar) || !statSync(tar).isFile()) throw new CliError(`tar file not found: ${args.tar}`, 2);
    const override = args.config === undefined ? undefined : await loadOverrideConfig(args.config, process.env);
    await this.ensureDaemon(true);
    const progress = new ProgressReporter('upload');
    const options = {
      ...(flags.id === undefined ? {} : { id: flags.id }),
      ...(override === undefined ? {} : { override }),
      ...(flags.drift === 'off' ? { drift: 'off' as const } : {}),
    };
    const detail = await this.client.loadWorkspace(tar, options, ({ transferred, total }) => progress.update(transferred, total));
    progress.done();
    return detail;
  }

  protected override formatHuman(result: WorkspaceDetail): string {
    return formatWorkspaceDetail(result);
  }
}
