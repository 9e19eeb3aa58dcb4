// A JSON-RPC client must get a JSON-RPC error for a body that is not JSON (MCP Streamable HTTP,
// docs/mcp.md), but Fastify parses the body before any handler runs and mirage's routes answer
// its refusals as {detail}. This gives the MCP route an error handler that answers a parse error
// as JSON-RPC -32700 and leaves every other refusal (too large, wrong type) to the one it had.
import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants.js';
import type { FastifyError, RouteOptions } from 'fastify';
import { fastifyOf } from '../common/mirage-edge.js';

const MCP_ROUTE_MARK = 'mirageMcp';
const JSON_PARSE_ERRORS = new Set(['FST_ERR_CTP_INVALID_JSON_BODY', 'FST_ERR_CTP_EMPTY_JSON_BODY']);

/** Marks the MCP handler's Fastify route config (kept when the controller marks its routes guarded). */
export function McpJsonRpcRoute(): MethodDecorator {
  return (_target, _key, descriptor) => {
    const handler: unknown = descriptor.value;
    if (typeof handler !== 'function') return;
    const existing: unknown = Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler);
    Reflect.defineMetadata(
      FASTIFY_ROUTE_CONFIG_METADATA,
      { ...(typeof existing === 'object' ? existing : {}), [MCP_ROUTE_MARK]: true },
      handler,
    );
  };
}

function isMcpRoute(config: unknown): boolean {
  return config !== null && typeof config === 'object' && (config as Record<string, unknown>)[MCP_ROUTE_MARK] === true;
}

@Injectable()
export class McpRoute {
  constructor(adapterHost: HttpAdapterHost) {
    const fastify = fastifyOf(adapterHost);
    // Providers are built before Nest registers the routes, so the hook sees the MCP route.
    fastify.addHook('onRoute', (route: RouteOptions) => {
      if (!isMcpRoute(route.config)) return;
      const previous = route.errorHandler;
      route.errorHandler = function (this: unknown, error: FastifyError, request, reply) {
        if (JSON_PARSE_ERRORS.has(error.code)) {
          void reply
            .code(400)
            .header('content-type', 'application/json')
            .send({ jsonrpc: '2.0', id: null, error: { code: -32700, message: `Parse error: ${error.message}` } });
          return;
        }
        if (previous !== undefined) return previous.call(this as never, error, request, reply);
        throw error;
      };
    });
  }
}
