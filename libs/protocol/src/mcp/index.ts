// The MCP tool table (docs/mcp.md), loaded only by `mirage mcp` and the daemon's MCP endpoint.
export * from './tools.js';
