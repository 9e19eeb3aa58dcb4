// The one adapter over the shell interpreter (just-bash 3.4.2). Nothing else in the project
// imports just-bash: every other module goes through what this file exports.
export type { IFileSystem, FsStat, BufferEncoding, FileContent, MkdirOptions, RmOptions, CpOptions } from 'just-bash';

// --- added by the S3/provision helper (mounts/s3, provision) ---
import { DefenseInDepthBox } from 'just-bash';
import type { IFileSystem as EngineFileSystem } from 'just-bash';
export { Bash, InMemoryFs, MountableFs, parse, serialize, unsafeBytesFromLatin1 } from 'just-bash';
export type { ByteString, ScriptNode, StatementNode, PipelineNode, CommandNode, SimpleCommandNode, WordNode } from 'just-bash';
/** What `readdirWithFileTypes` yields (just-bash does not export the name from its index). */
export type DirentEntry = Awaited<ReturnType<NonNullable<EngineFileSystem['readdirWithFileTypes']>>>[number];
export type ReadFileOptions = Parameters<EngineFileSystem['readFile']>[1];
export type WriteFileOptions = Parameters<EngineFileSystem['writeFile']>[2];

/**
 * Runs host code (timers, sockets: the AWS SDK, tar streams) outside just-bash's process-wide
 * defense-in-depth sandbox, which otherwise blocks it while a command is executing.
 */
export function runTrusted<T>(fn: () => Promise<T>): Promise<T> {
  return DefenseInDepthBox.runTrustedAsync(fn);
}
