import { Args, Flags } from '@oclif/core';
import type { MirageClient } from '@mirage-ts/protocol/client';
import { MirageCommand } from '../base-command.js';
import { sessionFlag, workspaceFlag } from '../flags.js';
import { formatListing } from '../lib/file-format.js';

type Listing = Awaited<ReturnType<MirageClient['listFiles']>>;

export default class Ls extends MirageCommand<Listing> {
  private long = false;

  static override description = 'List a workspace directory (or describe one file): names on a terminal, the listing as JSON when piped.';
  static override examples = ['<%= config.bin %> ls -w demo /data', '<%= config.bin %> ls -w demo /data -l'];
  static override args = { path: Args.string({ description: 'Directory or file (default: the session cwd).' }) };
  static override flags = {
    workspace: workspaceFlag,
    session: sessionFlag,
    long: Flags.boolean({ char: 'l', description: 'Long format: type, permissions, size, mtime.' }),
  };

  async run(): Promise<Listing> {
    const { args, flags } = await this.parse(Ls);
    this.long = flags.long;
    return this.client.listFiles(flags.workspace, args.path ?? '.', flags.session);
  }

  protected override formatHuman(listing: Listing): string {
    return formatListing(listing, this.long);
  }
}
