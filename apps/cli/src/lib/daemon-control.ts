// Stopping and inspecting the daemon process for the `daemon` verbs.
import { resolveSetting, type ClientSettings, type HealthResponse } from '@mirage-ts/protocol/client';
import { isAlive, readPidFile, sleep } from './process.js';
import { POLL_PROBE_TIMEOUT_MS, probeHealth } from './spawner.js';

type Environment = Record<string, string | undefined>;

/** `daemon status` / `daemon start`: whether it answers, its PID and URL, and its health answer. */
export type DaemonStatus = { running: boolean; spawned?: boolean; pid: number | null; url: string } & Partial<HealthResponse>;

/** MIRAGE_PID_FILE → config `pid_file` → $MIRAGE_HOME/daemon.pid, made absolute as the daemon does. */
export function pidFilePath(settings: ClientSettings, env: Environment = process.env): string {
  return resolveSetting('pid_file', settings.table, env, settings.home).value;
}

export function daemonPid(settings: ClientSettings): number | undefined {
  return readPidFile(pidFilePath(settings));
}

/** Polls /v1/health (300 ms probes, 200 ms apart) until it stops answering; true if it did in time. */
export async function waitUntilDown(settings: ClientSettings, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!(await probeHealth(settings.url, settings.token, POLL_PROBE_TIMEOUT_MS))) return true;
    if (Date.now() >= deadline) return false;
    await sleep(200);
  }
}

/** Sends `signal` to the daemon's PID if it is alive; returns the PID signaled. */
export function signalDaemon(settings: ClientSettings, signal: NodeJS.Signals): number | undefined {
  const pid = daemonPid(settings);
  if (pid === undefined || !isAlive(pid)) return undefined;
  try {
    process.kill(pid, signal);
    return pid;
  } catch {
    return undefined;
  }
}
