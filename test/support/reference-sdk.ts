// The reference project's published SDK (@struktoai/mirage-node, a dev dependency) run in a
// child `node` process: it is ESM with optional native parts jest's module runner does not load.
// `writeReferenceSnapshot` has it build a workspace and snapshot it; `loadReferenceSnapshot`
// has its Workspace.load read a tar and report what it holds.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SDK = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', '@struktoai', 'mirage-node', 'dist', 'index.js');

async function node(script: string, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, '--', ...args], {
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/**
 * Snapshots, with the SDK, a workspace of a ram mount `/data` and a disk mount `/disk` (host dir
 * `diskRoot`) after running `commands` in order, each in the default session; writes `tar`.
 */
export async function writeReferenceSnapshot(tar: string, diskRoot: string, commands: string[]): Promise<void> {
  const script = `
    const { Workspace, RAMResource, DiskResource } = await import(${JSON.stringify(SDK)});
    const [tar, root, commands] = [process.argv[1], process.argv[2], JSON.parse(process.argv[3])];
    const ws = new Workspace({ '/data': new RAMResource(), '/disk': new DiskResource({ root }) }, { mode: 'write' });
    for (const command of commands) {
      const result = await ws.execute(command);
      if (result.exitCode !== 0) throw new Error(command + ': ' + result.stderrText);
    }
    await ws.createSession('second');
    await ws.snapshot(tar);
    await ws.close();`;
  await node(script, [tar, diskRoot, JSON.stringify(commands)]);
}

export interface ReferenceView {
  /** Each mount's prefix and mode. */
  mounts: Array<{ prefix: string; mode: string }>;
  /** Absolute path → content, for every file the SDK lists under `roots`. */
  files: Record<string, string>;
  sessions: Array<{ session_id: string; cwd: string; env: Record<string, string> }>;
}

/**
 * What the SDK's Workspace.load finds in `tar`: mounts, the files under `roots`, sessions. Disk
 * mounts need a host directory from the caller (the format keeps none): `disks` maps their
 * prefix (`/disk/`) to one.
 */
export async function loadReferenceSnapshot(tar: string, roots: string[], disks: Record<string, string> = {}): Promise<ReferenceView> {
  const script = `
    const { Workspace, DiskResource } = await import(${JSON.stringify(SDK)});
    const [tar, roots, disks] = [process.argv[1], JSON.parse(process.argv[2]), JSON.parse(process.argv[3])];
    const overrides = Object.fromEntries(Object.entries(disks).map(([prefix, root]) => [prefix, new DiskResource({ root })]));
    const ws = await Workspace.load(tar, {}, overrides);
    const files = {};
    for (const root of roots) {
      const listed = await ws.execute('find ' + root + ' -type f');
      for (const path of listed.stdoutText.split('\\n').filter(Boolean)) {
        files[path] = (await ws.execute('cat ' + path)).stdoutText;
      }
    }
    const mounts = ws.mounts().filter((m) => !['/.sessions/', '/dev/'].includes(m.prefix)).map((m) => ({ prefix: m.prefix, mode: m.mode }));
    const sessions = ws.listSessions().map((s) => ({ session_id: s.sessionId, cwd: s.cwd, env: s.env }));
    process.stdout.write(JSON.stringify({ mounts, files, sessions }));
    await ws.close();`;
  return JSON.parse(await node(script, [tar, JSON.stringify(roots), JSON.stringify(disks)])) as ReferenceView;
}
