// Every daemon controller (every feature module's) is declared with this: routes come from the
// ROUTES table with full paths, errors leave as `{"detail"}`, field names are normalised and
// DTOs validated, and each route is marked as mirage's so the edge (common/mirage-edge.ts) guards
// it. Scoped to the controllers so an embedding app's own routes are untouched.
import { applyDecorators, Controller, UseFilters, UsePipes } from '@nestjs/common';
import { DetailExceptionFilter } from './detail-exception.filter.js';
import { markMirageRoutes } from './mirage-route.js';
import { RequestValidationPipe } from './request-validation.pipe.js';

export function MirageController(): ClassDecorator {
  const markRoutes: ClassDecorator = (target) => markMirageRoutes(target as unknown as abstract new (...args: never[]) => unknown);
  return applyDecorators(Controller(), UseFilters(DetailExceptionFilter), UsePipes(RequestValidationPipe), markRoutes);
}
