// Public API of @mirage-ts/protocol: wire types, route table, DTOs, casing, guards, client.
export * from './client-entry.js';
export * from './dto/index.js';
