// The one adapter over the shell interpreter (just-bash 3.4.2). Nothing else in the project
// imports just-bash: every other module goes through what this file exports.
export type { IFileSystem, FsStat, BufferEncoding, FileContent, MkdirOptions, RmOptions, CpOptions } from 'just-bash';
