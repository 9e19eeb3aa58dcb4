// File tools for agents (docs/file-tools.md): read, write, edit, ls, grep, glob and tar copy, as
// plain functions over a session's FileView (Workspace.fileView). The daemon's files controller
// and any other adapter (an MCP server) call these and nothing below them.
export { assertWritable, mountOf, parseCount, resolveToolPath, toolError, type FileView, type FileViewMount } from './view.js';
export { openFileRange, readFileRange, type FileRange, type ReadRangeRequest } from './read.js';
export { editFile, writeFileBytes, writeFileStream } from './write.js';
export { globFiles, globRegex, grepFiles, listFiles, MAX_GLOB_PATHS, MAX_GREP_FILES, MAX_GREP_LINES } from './search.js';
export { extractTree, packTree } from './tar.js';
