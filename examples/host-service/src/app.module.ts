// The host service: its own feature module (hello/), its own configuration, and mirage mounted
// with forRootAsync, its options built from the host's ConfigService when the app initialises.
// Mirage being embedded (no onExit), it never exits on idle and refuses POST /v1/shutdown.
import { Module } from '@nestjs/common';
import { ConfigModule, type ConfigType } from '@nestjs/config';
import { MirageModule, type MirageModuleOptions } from '@mirage-ts/daemon';
import { HelloModule } from './hello/hello.module.js';
import { hostConfig } from './host-config.js';

@Module({
  imports: [
    ConfigModule.forRoot({ ignoreEnvFile: true, load: [hostConfig] }),
    HelloModule,
    MirageModule.forRootAsync({
      imports: [ConfigModule.forFeature(hostConfig)],
      inject: [hostConfig.KEY],
      useFactory: (config: ConfigType<typeof hostConfig>): MirageModuleOptions => ({
        home: config.mirageHome,
        env: {},
        auth: { mode: 'token', token: config.mirageToken },
      }),
    }),
  ],
})
export class AppModule {}
