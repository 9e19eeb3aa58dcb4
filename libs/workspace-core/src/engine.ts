// The one adapter over the shell interpreter (just-bash 3.4.2). Nothing else in the project
// imports just-bash: every other module goes through what this file exports.
import { DefenseInDepthBox } from 'just-bash';

export type {
  IFileSystem,
  FsStat,
  BufferEncoding,
  ByteString,
  FileContent,
  MkdirOptions,
  RmOptions,
  CpOptions,
  BashExecResult,
  BashOptions,
  ExecOptions,
  NetworkConfig,
  ScriptNode,
  StatementNode,
  PipelineNode,
  CommandNode,
  SimpleCommandNode,
  WordNode,
  Command,
} from 'just-bash';
export {
  Bash,
  defineCommand,
  InMemoryFs,
  MountableFs,
  ReadWriteFs,
  OverlayFs,
  parse,
  unsafeBytesFromLatin1,
  latin1FromBytes,
} from 'just-bash';

/**
 * Runs host code (a file system that uses timers, sockets or the AWS SDK) outside just-bash's
 * process-wide defense-in-depth sandbox, which otherwise blocks timers during an exec().
 */
export function runTrusted<T>(fn: () => Promise<T>): Promise<T> {
  return DefenseInDepthBox.runTrustedAsync(fn);
}

// Used by mounts/s3 (S3Fs) and provision (keep: those modules import them from here).
import type { IFileSystem as EngineFileSystem } from 'just-bash';
export { serialize } from 'just-bash';
/** What `readdirWithFileTypes` yields (just-bash does not export the name from its index). */
export type DirentEntry = Awaited<ReturnType<NonNullable<EngineFileSystem['readdirWithFileTypes']>>>[number];
export type ReadFileOptions = Parameters<EngineFileSystem['readFile']>[1];
export type WriteFileOptions = Parameters<EngineFileSystem['writeFile']>[2];
