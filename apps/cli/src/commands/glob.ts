import { Args } from '@oclif/core';
import type { MirageClient } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../base-command.js';
import { sessionFlag, workspaceFlag } from '../flags.js';
import { formatGlob } from '../lib/file-format.js';

type GlobResult = Awaited<ReturnType<MirageClient['globFiles']>>;

export default class Glob extends MirageCommand<GlobResult> {
  static override description = 'List workspace paths matching a glob (`*`, `?`, `[...]`, `{a,b}`, `**` for any depth), relative to PATH.';
  static override examples = ['<%= config.bin %> glob -w demo "**/*.ts" /src', '<%= config.bin %> glob -w demo "/data/*.{csv,json}"'];
  static override args = {
    pattern: Args.string({ description: 'The glob; an absolute one starts at /.', required: true }),
    path: Args.string({ description: 'Directory the pattern is relative to (default: the session cwd).' }),
  };
  static override flags = { workspace: workspaceFlag, session: sessionFlag };

  async run(): Promise<GlobResult> {
    const { args, flags } = await this.parse(Glob);
    return this.client.globFiles(flags.workspace, {
      pattern: args.pattern,
      ...(args.path !== undefined ? { path: args.path } : {}),
      ...(flags.session !== undefined ? { session_id: flags.session } : {}),
    });
  }

  protected override formatHuman(result: GlobResult): string {
    return formatGlob(result);
  }
}
