import { Flags } from '@oclif/core';
import { MirageCommand } from '../base-command.js';
import { loadCreateConfig } from '../lib/config-loader.js';
import { usageError } from '../lib/errors.js';

export default class Mcp extends MirageCommand<void> {
  static override description =
    'Serve one workspace as an MCP server over stdio (tools execute, read, write, edit, ls, grep, glob, job_start, job_output, job_cancel). ' +
    'With --config, a temporary workspace is created from the file and deleted when the client disconnects (unless --keep). See docs/mcp.md.';
  static override examples = [
    '<%= config.bin %> mcp -w demo',
    '<%= config.bin %> mcp --config workspace.yaml',
    '<%= config.bin %> mcp --config workspace.yaml --keep',
  ];
  static override flags = {
    workspace: Flags.string({
      char: 'w',
      aliases: ['workspace_id'],
      description: 'Workspace id to serve.',
      exactlyOne: ['workspace', 'config'],
    }),
    config: Flags.string({
      description: 'Create a temporary workspace from this YAML (or JSON) config and serve it.',
      exactlyOne: ['workspace', 'config'],
    }),
    keep: Flags.boolean({ description: 'With --config: keep the workspace when the client disconnects.', dependsOn: ['config'] }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Mcp);
    let workspaceId: string;
    let temporary = false;
    if (flags.config !== undefined) {
      const config = await loadCreateConfig(flags.config, process.env);
      await this.ensureDaemon(true);
      workspaceId = (await this.client.createWorkspace(config)).id;
      temporary = !flags.keep;
    } else if (flags.workspace !== undefined) {
      workspaceId = flags.workspace;
      await this.client.getWorkspace(workspaceId); // an unknown id fails here, not at the first tool call
    } else {
      throw usageError('give -w ID or --config FILE');
    }
    try {
      // The SDK loads only here, so other commands do not pay for it.
      const [{ answerMalformedMessages, createMirageMcpServer }, { StdioServerTransport }] = await Promise.all([
        import('@mirage-ts/protocol/mcp'),
        import('@modelcontextprotocol/sdk/server/stdio.js'),
      ]);
      const server = createMirageMcpServer(this.client, workspaceId, this.config.version);
      const transport = new StdioServerTransport();
      const disconnected = new Promise<void>((resolve) => {
        process.stdin.once('end', resolve);
        process.stdin.once('close', resolve);
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
        transport.onclose = resolve;
      });
      await server.connect(transport);
      answerMalformedMessages(server, transport, (line) => process.stderr.write(`${line}\n`));
      if (temporary) process.stderr.write(`mirage mcp: serving temporary workspace ${workspaceId}\n`);
      await disconnected;
      await server.close().catch(() => undefined);
    } finally {
      // A temporary workspace goes with its client, also when serving failed part way.
      if (temporary) await this.client.deleteWorkspace(workspaceId);
    }
  }
}
