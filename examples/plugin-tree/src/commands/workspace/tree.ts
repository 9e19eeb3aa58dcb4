import { Args, Flags } from '@oclif/core';
import { CliError, MirageCommand } from '@mirage-ts/cli/base';
import { DaemonError, isIoResult } from '@mirage-ts/protocol/client';
import { renderTree } from '../../tree.js';

/** Single-quotes a path for the shell. */
const quote = (value: string): string => `'${value.replaceAll("'", `'\\''`)}'`;

/** What the command prints: JSON when piped or with --json, the tree on a terminal. */
export interface Tree {
  id: string;
  root: string;
  paths: string[];
}

export default class WorkspaceTree extends MirageCommand<Tree> {
  static override description = "Print a workspace's files as a tree (runs `find` in the workspace).";
  static override examples = ['<%= config.bin %> workspace tree demo', '<%= config.bin %> workspace tree demo --path /data'];
  static override args = { id: Args.string({ description: 'Workspace id.', required: true }) };
  static override flags = { path: Flags.string({ description: 'Directory to start from.', default: '/' }) };

  // Errors are thrown, not printed: the base command maps them once to a stderr line and an exit
  // code (a daemon error exits 2, an unreachable daemon 1, a CliError its own code).
  async run(): Promise<Tree> {
    const { args, flags } = await this.parse(WorkspaceTree);
    const { result } = await this.client.execute(args.id, { command: `find ${quote(flags.path)}` });
    if (!isIoResult(result)) throw new DaemonError(500, 'find returned no output');
    const code = result.exit_code ?? (result as { exitCode?: number }).exitCode;
    if (code !== 0)
      throw new CliError(
        result.stderr.trim() || `find exited with ${String(code)}`,
        typeof code === 'number' ? Math.min(255, Math.max(1, code)) : 1,
      );
    // Sorted: `find` lists in directory order, which differs between file systems and engines.
    return {
      id: args.id,
      root: flags.path,
      paths: result.stdout
        .split('\n')
        .filter((line) => line !== '')
        .sort(),
    };
  }

  protected override formatHuman(tree: Tree): string {
    return renderTree(tree.root, tree.paths);
  }
}
