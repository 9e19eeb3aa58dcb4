// In-process floors: the shell engine itself (just-bash, set up as a workspace sets it up) and
// workspace-core's Workspace without HTTP in front of it.
import { Bash, InMemoryFs, MountableFs } from 'just-bash';

/** A just-bash shell over one in-memory mount at `/`, as a ram workspace's namespace is. */
export function engineShell() {
  const fs = new MountableFs({ base: new InMemoryFs() });
  const shell = new Bash({ fs, cwd: '/', env: { HOME: '/' } });
  const env = { ...shell.getEnv(), PWD: '/' };
  return {
    /** One exec with the session's cwd and env fed in, as a workspace call does. */
    exec: (command) => shell.exec(command, { cwd: '/', env: { ...env }, replaceEnv: true }),
  };
}

/** A real workspace-core Workspace (ram at `/`), in this process. */
export async function inProcessWorkspace(id = 'inproc') {
  const { WorkspaceRegistry } = await import('@mirage-ts/workspace-core');
  const registry = new WorkspaceRegistry({ env: {} });
  const workspace = await registry.create({ id, config: { mounts: { '/': { resource: 'ram', mode: 'write' } } } });
  return { registry, workspace };
}
