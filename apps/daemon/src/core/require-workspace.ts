// Looks a workspace up or fails with the library's own not-found error (mapped to 404 once).
import type { Workspace, WorkspaceRegistry } from '@mirage-ts/workspace-core';

export function requireWorkspace(registry: WorkspaceRegistry, id: string): Workspace {
  return registry.get(id); // throws WorkspaceError('not_found', 'workspace not found')
}
