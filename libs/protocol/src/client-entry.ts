// The CLI's entry into the protocol library: the client, types, routes and guards, but not the
// class-validator DTOs (the daemon's concern), so the CLI loads as little as possible.
export * from './types.js';
export * from './file-types.js';
export * from './routes.js';
export * from './guards.js';
export * from './errors.js';
export * from './casing.js';
export * from './interpolate.js';
export * from './client.js';
export * from './settings.js';
export * from './loopback.js';
export * from './labels.js';
