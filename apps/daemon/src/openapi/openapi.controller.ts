import { Get } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { ROUTES } from '@mirage-ts/protocol';
import { MirageController } from '../common/mirage-controller.decorator.js';
import { OpenApiService } from './openapi.service.js';

@MirageController()
export class OpenApiController {
  constructor(private readonly openapi: OpenApiService) {}

  /** The OpenAPI 3 document of every /v1 route, this one included (docs/protocol.md §15). */
  @Get(ROUTES.openapi.path)
  get(): Promise<OpenAPIObject> {
    return this.openapi.get();
  }
}
