// The daemon's request edge in plain functions: one field-name normalisation (snake_case and
// camelCase accepted, docs/protocol.md §1.2) and one DTO validation. The validation pipe
// applies them to DTO bodies and queries; the execute route (JSON or multipart) calls them itself.
import { CasingConflictError, isRecord, normalizeFieldNames } from '@mirage-ts/protocol';
import { plainToInstance } from 'class-transformer';
import { type ValidationError, validateSync } from 'class-validator';
import { DaemonHttpError } from './coded-error.js';

/** Top-level field names in snake_case; a field given in both spellings is a 400. */
export function normalizeRequestFields(fields: Record<string, unknown>): Record<string, unknown> {
  try {
    return normalizeFieldNames(fields);
  } catch (error) {
    if (error instanceof CasingConflictError) throw new DaemonHttpError(400, error.message);
    throw error;
  }
}

function collectMessages(errors: readonly ValidationError[], unknown: string[], messages: string[], parent = ''): void {
  for (const error of errors) {
    const path = parent === '' ? error.property : `${parent}.${error.property}`;
    const constraints = error.constraints ?? {};
    if ('whitelistValidation' in constraints) unknown.push(path);
    for (const [name, message] of Object.entries(constraints)) if (name !== 'whitelistValidation') messages.push(message);
    if (error.children !== undefined && error.children.length > 0) collectMessages(error.children, unknown, messages, path);
  }
}

export type DtoClass<T> = new () => T;

/**
 * Validates `value` against a class-validator DTO: it must be an object, carry no unknown field,
 * and pass every constraint. All problems are reported in one 400.
 */
export function validateRequestFields<T extends object>(dto: DtoClass<T>, value: unknown, what = 'request body'): T {
  if (!isRecord(value)) throw new DaemonHttpError(400, `${what} must be a JSON object`);
  const instance = plainToInstance(dto, { ...value });
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: false });
  if (errors.length === 0) return instance;
  const unknown: string[] = [];
  const messages: string[] = [];
  collectMessages(errors, unknown, messages);
  if (unknown.length > 0) messages.unshift(`unknown field${unknown.length === 1 ? '' : 's'}: ${unknown.join(', ')}`);
  // Two constraints of one field may carry the same text (IsString and IsNotEmpty: 'path is required').
  throw new DaemonHttpError(400, [...new Set(messages)].join('; '));
}
