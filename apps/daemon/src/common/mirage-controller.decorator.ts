// Every daemon controller (ours and versioning's) is declared with this: routes come from the
// ROUTES table with full paths, errors leave as `{"detail"}`, field names are normalised and
// DTOs validated. Scoped to the controllers so an embedding app's own routes are untouched.
import { applyDecorators, Controller, UseFilters, UsePipes } from '@nestjs/common';
import { DetailExceptionFilter } from './detail-exception.filter.js';
import { RequestValidationPipe } from './request-validation.pipe.js';

export function MirageController(): ClassDecorator {
  return applyDecorators(Controller(), UseFilters(DetailExceptionFilter), UsePipes(RequestValidationPipe));
}
