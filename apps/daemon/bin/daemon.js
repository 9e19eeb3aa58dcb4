#!/usr/bin/env node
// The standalone daemon: reads its settings from the environment and $MIRAGE_HOME/config.toml,
// listens (127.0.0.1, MIRAGE_DAEMON_PORT or 8765), then writes $MIRAGE_HOME/daemon.pid. SIGTERM,
// SIGINT, POST /v1/shutdown and the idle timer all stop it gracefully and remove the pid file.
// Logs are pino JSON lines on stdout (the CLI appends them to $MIRAGE_HOME/daemon.log).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createDaemon } from '../dist/main.js';

let pidFile;
let exiting = false;

function removePidFile() {
  if (pidFile === undefined) return;
  try {
    // Another daemon may have replaced it since: only our own pid is removed.
    if (readFileSync(pidFile, 'utf8').trim() === String(process.pid)) rmSync(pidFile, { force: true });
  } catch {
    // already gone
  }
}

function finish(code) {
  if (exiting) return;
  exiting = true;
  removePidFile();
  process.exit(code);
}

let daemon;
try {
  daemon = await createDaemon({ logger: true, onExit: () => finish(0) });
} catch (error) {
  process.stderr.write(`mirage daemon failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

for (const warning of daemon.settings.warnings) process.stderr.write(`mirage daemon: warning: ${warning}\n`);
pidFile = daemon.settings.pidFile;
try {
  // A stale pid file (crashed daemon, garbage) is simply replaced; an unwritable one (full disk,
  // a file where a folder should be) stops the start with one line instead of a stack trace.
  mkdirSync(dirname(pidFile), { recursive: true });
  writeFileSync(pidFile, String(process.pid));
} catch (error) {
  process.stderr.write(
    `mirage daemon failed to start: cannot write ${pidFile}: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  await daemon.close().catch(() => undefined);
  process.exit(1);
}
daemon.app.getHttpAdapter().getInstance().log.info(`mirage daemon listening on ${daemon.url} (pid ${process.pid})`);

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    daemon.close().then(
      () => finish(0),
      (error) => {
        process.stderr.write(`daemon close error: ${error instanceof Error ? error.message : String(error)}\n`);
        finish(1);
      },
    );
  });
}
