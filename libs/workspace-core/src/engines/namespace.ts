// The workspace's mounts as one file system (paths as the shell sees them), each mount behind its
// mode guard. The builtin engine runs just-bash over it; provision dry runs read sizes through it.
import type { MountMode } from '@mirage-ts/protocol';
import { MountableFs } from '../engine.js';
import type { IFileSystem } from '../engine.js';
import { ModeGuardFs } from '../mounts/index.js';

export interface NamespaceMount {
  prefix: string;
  backend: IFileSystem;
}

/** `modes[i]` is the effective mode of `mounts[i]`; one mount must be `/`. */
export function buildNamespace(mounts: readonly NamespaceMount[], modes: readonly MountMode[]): MountableFs {
  const root = mounts.findIndex((mount) => mount.prefix === '/');
  const namespace = new MountableFs({ base: new ModeGuardFs(mounts[root].backend, modes[root], '/') });
  mounts.forEach((mount, index) => {
    if (index !== root) namespace.mount(mount.prefix, new ModeGuardFs(mount.backend, modes[index], `${mount.prefix}/`));
  });
  return namespace;
}
