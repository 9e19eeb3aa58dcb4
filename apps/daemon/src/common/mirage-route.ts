// Which Fastify routes are mirage's: every handler of a MirageController carries the Fastify route
// config `{mirage: kind}` (Nest passes a handler's FASTIFY_ROUTE_CONFIG_METADATA to Fastify as the
// route's `config`). The edge guards routes by this mark, never by URL, so the routes stay guarded
// under any global prefix a host application sets.
import { PATH_METADATA } from '@nestjs/common/constants.js';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants.js';

/** `guarded`: Host check and bearer auth. `health`: Host check only, answered by HealthRoute. */
export type MirageRouteKind = 'guarded' | 'health';

export interface MirageRouteConfig {
  mirage: MirageRouteKind;
}

/** The mirage kind of a Fastify route config, or undefined for a route that is not mirage's. */
export function mirageRouteKind(config: unknown): MirageRouteKind | undefined {
  if (config === null || typeof config !== 'object') return undefined;
  const kind = (config as Partial<MirageRouteConfig>).mirage;
  return kind === 'guarded' || kind === 'health' ? kind : undefined;
}

/** Marks one handler (method decorator); a mark already set by a method decorator is kept. */
export function MirageRoute(kind: MirageRouteKind): MethodDecorator {
  return (_target, _key, descriptor) => {
    const handler: unknown = descriptor.value;
    if (typeof handler !== 'function') return;
    const existing: unknown = Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler);
    if (mirageRouteKind(existing) !== undefined) return;
    const config: MirageRouteConfig = { ...(typeof existing === 'object' ? existing : {}), mirage: kind };
    Reflect.defineMetadata(FASTIFY_ROUTE_CONFIG_METADATA, config, handler);
  };
}

/** Marks every route handler of a controller class `guarded` unless a handler is marked already. */
export function markMirageRoutes(target: abstract new (...args: never[]) => unknown): void {
  const prototype = target.prototype as Record<string, unknown>;
  for (const key of Object.getOwnPropertyNames(prototype)) {
    const descriptor = Object.getOwnPropertyDescriptor(prototype, key);
    if (key === 'constructor' || descriptor === undefined || typeof descriptor.value !== 'function') continue;
    if (Reflect.getMetadata(PATH_METADATA, descriptor.value) === undefined) continue;
    MirageRoute('guarded')(prototype, key, descriptor);
  }
}
