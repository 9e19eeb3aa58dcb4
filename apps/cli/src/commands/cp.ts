import { Args } from '@oclif/core';
import { MirageCommand } from '../base-command.js';
import { sessionFlag } from '../flags.js';
import { copy } from '../lib/copy.js';

type CopyResult = Awaited<ReturnType<typeof copy>>;

export default class Cp extends MirageCommand<CopyResult> {
  static override description =
    'Copy files or whole directories between the host and a workspace (WS:/path on either side, or both), like docker cp. An existing directory receives the source inside it.';
  static override examples = [
    '<%= config.bin %> cp ./src demo:/work',
    '<%= config.bin %> cp demo:/work/out ./results',
    '<%= config.bin %> cp demo:/data/report.csv .',
    '<%= config.bin %> cp demo:/data other:/data',
  ];
  static override args = {
    source: Args.string({ description: 'Host path or WS:/path.', required: true }),
    destination: Args.string({ description: 'Host path or WS:/path.', required: true }),
  };
  static override flags = { session: sessionFlag };

  async run(): Promise<CopyResult> {
    const { args, flags } = await this.parse(Cp);
    return copy(this.client, args.source, args.destination, flags.session);
  }
}
