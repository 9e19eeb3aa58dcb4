// The files routes' DTOs live in @mirage-ts/protocol (libs/protocol/src/dto/files.dto.ts), shared
// with the client; re-exported here so the module folder has the usual shape.
export { EditFileDto, FilePathQueryDto, GlobDto, GrepDto, ReadFileQueryDto } from '@mirage-ts/protocol';
