// Errors of the protocol library: what the client raises, and the config-loading error.

/** The daemon answered with a 4xx/5xx status. `detail` is its `{"detail": ...}` message. */
export class DaemonError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(`daemon error ${status}: ${detail}`);
    this.name = 'DaemonError';
  }
}

/** No daemon answered at `url` (connection refused, reset, or timed out). */
export class DaemonUnreachable extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`daemon not reachable at ${url}; run \`mirage workspace create CONFIG.yaml\` to spawn one`);
    this.name = 'DaemonUnreachable';
  }
}

/** A workspace config file that cannot be used: bad YAML, not a mapping, missing variables. */
export class ConfigLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigLoadError';
  }
}
