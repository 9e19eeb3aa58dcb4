// The host service's own configuration, read from its environment through @nestjs/config. Mirage
// gets its options from here (app.module.ts), not from its own config.toml lookup alone.
import { registerAs } from '@nestjs/config';

export interface HostConfig {
  port: number;
  /** Where mirage keeps its state (version repos, snapshots); default `$MIRAGE_HOME` or ~/.mirage. */
  mirageHome: string | undefined;
  /** The bearer token mirage's routes require. */
  mirageToken: string;
}

export const hostConfig = registerAs('host', (): HostConfig => {
  const token = process.env.HOST_SERVICE_MIRAGE_TOKEN;
  if (token === undefined || token.trim() === '')
    throw new Error('HOST_SERVICE_MIRAGE_TOKEN must be set (the token mirage routes require)');
  return {
    port: Number(process.env.HOST_SERVICE_PORT ?? '3000'),
    mirageHome: process.env.HOST_SERVICE_MIRAGE_HOME,
    mirageToken: token.trim(),
  };
});
