// Looks a workspace up or fails with the library's own not-found error (mapped to 404 once).
import { type Workspace, WorkspaceError, type WorkspaceRegistry } from '@mirage-ts/workspace-core';

export function requireWorkspace(registry: WorkspaceRegistry, id: string): Workspace {
  const workspace = registry.get(id);
  if (workspace === undefined) throw new WorkspaceError('not_found', 'workspace not found');
  return workspace;
}
