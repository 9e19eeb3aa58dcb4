import { Module } from '@nestjs/common';
import { MirageCoreModule } from '../core/mirage-core.module.js';
import { ExecuteModule } from '../execute/execute.module.js';
import { FilesModule } from '../files/files.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { McpController } from './mcp.controller.js';
import { McpRoute } from './mcp-route.js';
import { McpService } from './mcp.service.js';

@Module({
  imports: [MirageCoreModule, ExecuteModule, FilesModule, JobsModule],
  controllers: [McpController],
  providers: [McpService, McpRoute],
})
export class McpModule {}
