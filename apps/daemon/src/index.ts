// Public API of @mirage-ts/daemon.
export { MirageModule } from './app.module.js';
export { MIRAGE_MODULE_OPTIONS, type MirageModuleAsyncOptions } from './config/mirage-options.js';
export { createDaemon, isLoopbackAddress, BODY_LIMIT_BYTES, DEFAULT_LISTEN_HOST, type Daemon, type DaemonOptions } from './main.js';
export {
  resolveDaemonSettings,
  DEFAULT_ALLOWED_HOSTS,
  type AuthMode,
  type DaemonSettings,
  type Environment,
  type ExitReason,
  type MirageAuthOptions,
  type MirageModuleOptions,
} from './config/daemon-settings.js';
export { MIRAGE_EXIT, MIRAGE_REGISTRY, MIRAGE_SETTINGS } from './config/tokens.js';
export { MirageCoreModule } from './core/mirage-core.module.js';
export { DaemonLifecycleService } from './core/daemon-lifecycle.service.js';
export { requireWorkspace } from './core/require-workspace.js';
export { MirageController } from './common/mirage-controller.decorator.js';
export { MirageRoute, mirageRouteKind, type MirageRouteKind } from './common/mirage-route.js';
export { DetailExceptionFilter, toErrorAnswer } from './common/detail-exception.filter.js';
export { DaemonError, DaemonHttpError, isCodedError, STATUS_BY_CODE, type CodedError, type KnownErrorCode } from './common/coded-error.js';
export { normalizeRequestFields, validateRequestFields } from './common/request-fields.js';
export { OpenApiService } from './openapi/openapi.service.js';
