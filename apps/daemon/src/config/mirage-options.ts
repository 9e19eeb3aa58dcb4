// The options of MirageModule.forRoot / forRootAsync, built with Nest's ConfigurableModuleBuilder.
// Only the options object is held by the module; settings are resolved from it (config.toml read,
// token file written) by the MIRAGE_SETTINGS factory when the application initialises, never when
// the module object is built or imported.
import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { MirageModuleOptions } from './daemon-settings.js';

export const {
  ConfigurableModuleClass: MirageOptionsModuleClass,
  MODULE_OPTIONS_TOKEN: MIRAGE_MODULE_OPTIONS,
  ASYNC_OPTIONS_TYPE: MIRAGE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<MirageModuleOptions>({ moduleName: 'Mirage' }).setClassMethodName('forRoot').build();

/** What `MirageModule.forRootAsync` takes: `useFactory` + `inject` + `imports`, or `useClass`/`useExisting`. */
export type MirageModuleAsyncOptions = typeof MIRAGE_ASYNC_OPTIONS_TYPE;
