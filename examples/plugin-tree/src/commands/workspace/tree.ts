import { Args, Flags } from '@oclif/core';
import { MirageCommand } from '@mirage-ts/cli/base';
import { DaemonError, isIoResult } from '@mirage-ts/protocol/client';
import { renderTree } from '../../tree.js';

/** Single-quotes a path for the shell. */
const quote = (value: string): string => `'${value.replaceAll("'", `'\\''`)}'`;

interface Tree {
  id: string;
  root: string;
  paths: string[];
}

export default class WorkspaceTree extends MirageCommand {
  static override description = "Print a workspace's files as a tree (runs `find` in the workspace).";
  static override examples = ['<%= config.bin %> workspace tree demo', '<%= config.bin %> workspace tree demo --path /data'];
  static override args = { id: Args.string({ description: 'Workspace id.', required: true }) };
  static override flags = { path: Flags.string({ description: 'Directory to start from.', default: '/' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(WorkspaceTree);
    const { result } = await this.client.execute(args.id, { command: `find ${quote(flags.path)}` });
    if (!isIoResult(result)) throw new DaemonError(500, 'find returned no output');
    const code = result.exit_code ?? (result as { exitCode?: number }).exitCode;
    if (code !== 0) {
      process.stderr.write(result.stderr);
      process.exitCode = typeof code === 'number' ? Math.min(255, Math.max(0, code)) : 1;
      return;
    }
    const paths = result.stdout.split('\n').filter((line) => line !== '');
    this.emit<Tree>({ id: args.id, root: flags.path, paths }, (tree) => renderTree(tree.root, tree.paths));
  }
}
