// Publishes the resolved settings through @nestjs/config (namespace `mirage`, readable with
// ConfigService.get('mirage')) and under the MIRAGE_SETTINGS token our providers inject.
import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, registerAs } from '@nestjs/config';
import type { DaemonSettings, ExitReason } from './daemon-settings.js';
import { MIRAGE_EXIT, MIRAGE_SETTINGS } from './tokens.js';

export const MIRAGE_CONFIG_NAMESPACE = 'mirage';

@Module({})
export class DaemonConfigModule {
  static forRoot(settings: DaemonSettings, onExit: (reason: ExitReason) => void | Promise<void>): DynamicModule {
    const mirageConfig = registerAs(MIRAGE_CONFIG_NAMESPACE, () => settings);
    return {
      module: DaemonConfigModule,
      imports: [ConfigModule.forFeature(mirageConfig)],
      providers: [
        { provide: MIRAGE_SETTINGS, useFactory: (resolved: DaemonSettings) => resolved, inject: [mirageConfig.KEY] },
        { provide: MIRAGE_EXIT, useValue: onExit },
      ],
      exports: [MIRAGE_SETTINGS, MIRAGE_EXIT],
    };
  }
}
