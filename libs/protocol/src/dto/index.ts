export * from './workspaces.dto.js';
export * from './sessions.dto.js';
export * from './execute.dto.js';
export * from './jobs.dto.js';
export * from './versions.dto.js';
export * from './files.dto.js';
