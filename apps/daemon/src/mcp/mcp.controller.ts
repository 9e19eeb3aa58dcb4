// MCP Streamable HTTP at /v1/workspaces/{id}/mcp (docs/mcp.md). A MirageController route, so the
// edge's Host check and bearer token apply as to every other route. Stateless: each POST gets its
// own server and transport (no Mcp-Session-Id to keep, nothing to leak when a client vanishes), and
// answers JSON rather than an SSE stream since no tool sends progress; GET and DELETE are 405.
import { Delete, Get, HttpCode, Param, Post, Req, Res, SetMetadata } from '@nestjs/common';
import { ROUTES } from '@mirage-ts/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { clientGone } from '../common/http-input.js';
import { MirageController } from '../common/mirage-controller.decorator.js';
import { McpJsonRpcRoute } from './mcp-route.js';
import { McpService } from './mcp.service.js';

/** @nestjs/swagger's ApiExcludeEndpoint metadata key. */
const SWAGGER_EXCLUDE = 'swagger/apiExcludeEndpoint';

@MirageController()
export class McpController {
  constructor(private readonly mcp: McpService) {}

  /**
   * GET (a server-sent stream) and DELETE (end a session) of Streamable HTTP: no session and no
   * notifications here, and a GET stream would only hold a connection open. Left out of
   * GET /v1/openapi.json, which lists the route table (the key is @nestjs/swagger's
   * ApiExcludeEndpoint, set without importing swagger at start-up: docs/protocol.md §15).
   */
  @Get(ROUTES.mcp.path)
  @SetMetadata(SWAGGER_EXCLUDE, { disable: true })
  refuseStream(@Param('id') id: string, @Res() reply: FastifyReply): void {
    this.refuse(id, reply);
  }

  @Delete(ROUTES.mcp.path)
  @SetMetadata(SWAGGER_EXCLUDE, { disable: true })
  refuseEnd(@Param('id') id: string, @Res() reply: FastifyReply): void {
    this.refuse(id, reply);
  }

  private refuse(id: string, reply: FastifyReply): void {
    this.mcp.requireWorkspace(id);
    void reply
      .code(405)
      .header('allow', 'POST')
      .send({ detail: 'method not allowed: this MCP endpoint is stateless; POST JSON-RPC messages to it' });
  }

  @Post(ROUTES.mcp.path)
  @HttpCode(ROUTES.mcp.status)
  @McpJsonRpcRoute()
  async handle(@Param('id') id: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    this.mcp.requireWorkspace(id);
    const [{ createMirageMcpServer }, { StreamableHTTPServerTransport }] = await Promise.all([
      import('@mirage-ts/protocol/mcp'),
      import('@modelcontextprotocol/sdk/server/streamableHttp.js'),
    ]);
    const server = createMirageMcpServer(this.mcp.operations(clientGone(reply)), id);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    reply.hijack();
    reply.raw.once('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(request.raw, reply.raw, request.body);
  }
}
