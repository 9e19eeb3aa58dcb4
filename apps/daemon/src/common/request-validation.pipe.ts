// Normalises field names (snake_case and camelCase accepted) and validates `@Body()` and
// `@Query()` parameters typed with a DTO class of @mirage-ts/protocol. A missing body (no
// content) counts as `{}`, so routes whose fields are all optional (job wait, session create)
// accept an empty request. Done in a pipe rather than an interceptor: an interceptor puts an
// rxjs pipeline on every request, a measurable share of a small request's time.
import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { isRecord } from '@mirage-ts/protocol';
import { type DtoClass, normalizeRequestFields, validateRequestFields } from './request-fields.js';

const PLAIN_TYPES: readonly unknown[] = [String, Number, Boolean, Object, Array];

@Injectable()
export class RequestValidationPipe implements PipeTransform {
  /** DTO classes for which `{}` is valid: an empty query string needs no validation run. */
  private readonly emptyAccepted = new WeakSet<DtoClass<object>>();

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const { metatype, type } = metadata;
    if ((type !== 'body' && type !== 'query') || metatype === undefined || PLAIN_TYPES.includes(metatype)) return value;
    const dto = metatype as DtoClass<object>;
    const fields = value === undefined || value === null ? {} : isRecord(value) ? normalizeRequestFields(value) : value;
    const empty = isRecord(fields) && Object.keys(fields).length === 0;
    if (empty && this.emptyAccepted.has(dto)) return new dto();
    const instance = validateRequestFields(dto, fields, type === 'body' ? 'request body' : 'query');
    if (empty) this.emptyAccepted.add(dto);
    return instance;
  }
}
