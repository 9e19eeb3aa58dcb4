import { Controller, Get, Inject } from '@nestjs/common';
import { MIRAGE_REGISTRY } from '@mirage-ts/daemon';
import type { WorkspaceRegistry } from '@mirage-ts/workspace-core';

export interface Hello {
  hello: string;
  /** Live mirage workspaces: the host shares mirage's registry. */
  workspaces: number;
}

/** The host's own route: no mirage token, the host's own error shape. */
@Controller('hello')
export class HelloController {
  constructor(@Inject(MIRAGE_REGISTRY) private readonly registry: WorkspaceRegistry) {}

  @Get()
  hello(): Hello {
    return { hello: 'from the host service', workspaces: this.registry.size };
  }
}
