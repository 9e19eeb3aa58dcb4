import { Args, Flags } from '@oclif/core';
import type { MirageClient } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../base-command.js';
import { sessionFlag, workspaceFlag } from '../flags.js';
import { byteCount } from '../lib/file-args.js';
import { formatGrep } from '../lib/file-format.js';

type GrepResult = Awaited<ReturnType<MirageClient['grepFiles']>>;

export default class Grep extends MirageCommand<GrepResult> {
  private shape = { filesWithMatches: false, count: false };

  static override description =
    'Search workspace files for a pattern (a JavaScript regular expression; -F for a literal), recursively under PATH. grep-style lines on a terminal, JSON when piped.';
  static override examples = [
    '<%= config.bin %> grep -w demo TODO /src',
    '<%= config.bin %> grep -w demo -i -C 2 "connection refused" /logs --include "*.log"',
    '<%= config.bin %> grep -w demo -F -l "a.b(c)"',
  ];
  static override args = {
    pattern: Args.string({ description: 'The pattern.', required: true }),
    path: Args.string({ description: 'File or directory (default: the session cwd).' }),
  };
  static override flags = {
    workspace: workspaceFlag,
    session: sessionFlag,
    'ignore-case': Flags.boolean({ char: 'i', description: 'Case-insensitive match.' }),
    'fixed-strings': Flags.boolean({ char: 'F', description: 'PATTERN is a literal string.' }),
    'files-with-matches': Flags.boolean({ char: 'l', description: 'Only the names of files with a match.' }),
    count: Flags.boolean({ char: 'c', description: 'Only a count of matching lines per file.' }),
    'max-count': Flags.string({ char: 'm', description: 'Stop reading a file after N matching lines.' }),
    context: Flags.string({ char: 'C', description: 'N lines of context around each match.' }),
    include: Flags.string({ description: 'Only files whose name matches this glob, e.g. "*.ts".' }),
  };

  async run(): Promise<GrepResult> {
    const { args, flags } = await this.parse(Grep);
    const maxCount = byteCount('max-count', flags['max-count']);
    const context = byteCount('context', flags.context);
    this.shape = { filesWithMatches: flags['files-with-matches'], count: flags.count };
    return this.client.grepFiles(flags.workspace, {
      pattern: args.pattern,
      ...(args.path !== undefined ? { path: args.path } : {}),
      ...(flags['ignore-case'] ? { ignore_case: true } : {}),
      ...(flags['fixed-strings'] ? { fixed_strings: true } : {}),
      ...(flags['files-with-matches'] ? { files_with_matches: true } : {}),
      ...(flags.count ? { count: true } : {}),
      ...(maxCount !== undefined ? { max_count: maxCount } : {}),
      ...(context !== undefined ? { context } : {}),
      ...(flags.include !== undefined ? { include: flags.include } : {}),
      ...(flags.session !== undefined ? { session_id: flags.session } : {}),
    });
  }

  protected override formatHuman(result: GrepResult): string {
    return formatGrep(result, this.shape);
  }
}
