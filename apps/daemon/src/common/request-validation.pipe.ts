// Validates `@Body()` and `@Query()` parameters typed with a DTO class of @mirage-ts/protocol.
// A missing body (no content) counts as `{}`, so routes whose fields are all optional
// (job wait, session create) accept an empty request.
import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { type DtoClass, validateRequestFields } from './request-fields.js';

const PLAIN_TYPES: readonly unknown[] = [String, Number, Boolean, Object, Array];

@Injectable()
export class RequestValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const { metatype, type } = metadata;
    if ((type !== 'body' && type !== 'query') || metatype === undefined || PLAIN_TYPES.includes(metatype)) return value;
    const fields = value === undefined || value === null ? {} : value;
    return validateRequestFields(metatype as DtoClass<object>, fields, type === 'body' ? 'request body' : 'query');
  }
}
