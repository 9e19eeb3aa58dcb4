export { isOutputEnd, OutputLog } from './output-log.js';
export type { OutputChunk, OutputEnd, OutputLogOptions, OutputSink, OutputStream } from './output-log.js';
export { chunkRecord, outputRecords } from './records.js';
export type { ReadOutputOptions } from './records.js';
