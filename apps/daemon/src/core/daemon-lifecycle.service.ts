// The daemon's life: uptime, the idle-exit timer (docs/protocol.md §12.3: armed only when the registry
// becomes empty after a delete/close, never at start-up, cancelled by a create), the exit request
// (shutdown route, idle), and closing every workspace when the Nest application closes. Embedded
// in a host application without an exit callback, mirage does not own the process: no idle exit,
// and the shutdown route is refused.
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { WorkspaceRegistry } from '@mirage-ts/workspace-core';
import { DaemonError } from '../common/coded-error.js';
import type { DaemonSettings, ExitReason } from '../config/daemon-settings.js';
import { MIRAGE_EXIT, MIRAGE_REGISTRY, MIRAGE_SETTINGS } from '../config/tokens.js';

@Injectable()
export class DaemonLifecycleService implements OnModuleDestroy {
  private readonly logger = new Logger('mirage');
  private readonly startedAt = performance.now();
  private idleTimer: NodeJS.Timeout | undefined;
  private exitRequested = false;
  /** Workspace-adding operations in flight (holdIdle). */
  private adding = 0;
  /** The registry emptied while an add was in flight: count down once it ends empty-handed. */
  private idleDeferred = false;
  /** Tasks run on close before the workspaces are closed (state/: saves each workspace). */
  private readonly beforeClose: (() => Promise<void>)[] = [];

  constructor(
    @Inject(MIRAGE_REGISTRY) private readonly registry: WorkspaceRegistry,
    @Inject(MIRAGE_SETTINGS) private readonly settings: DaemonSettings,
    @Inject(MIRAGE_EXIT) private readonly onExit: ((reason: ExitReason) => void | Promise<void>) | null,
  ) {
    registry.onEmpty(() => this.armIdleTimer());
  }

  /** Seconds since the daemon module started, rounded to milliseconds. */
  uptimeSeconds(): number {
    return Math.round(performance.now() - this.startedAt) / 1000;
  }

  /** A workspace was added: the daemon is no longer idle. */
  cancelIdleTimer(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /**
   * Runs a workspace-adding operation (create, clone, load). While it runs the idle exit waits; if
   * it fails and the registry is still empty, an idle countdown that was running starts again, so
   * a failed create neither kills the daemon mid-build nor keeps an idle daemon alive forever.
   */
  async holdIdle<T>(work: () => Promise<T>): Promise<T> {
    const wasCounting = this.idleTimer !== undefined || this.idleDeferred;
    this.cancelIdleTimer();
    this.adding += 1;
    try {
      return await work();
    } finally {
      this.adding -= 1;
      if (this.adding === 0) {
        const resume = (wasCounting || this.idleDeferred) && this.registry.size === 0;
        this.idleDeferred = false;
        if (resume) this.armIdleTimer();
      }
    }
  }

  private armIdleTimer(): void {
    if (this.onExit === null) return; // embedded: the host application decides when to stop
    this.cancelIdleTimer();
    if (this.adding > 0) {
      this.idleDeferred = true;
      return;
    }
    const grace = this.settings.idleGraceSeconds;
    if (grace <= 0) {
      this.requestExit('idle');
      return;
    }
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.registry.size === 0) this.requestExit('idle');
    }, grace * 1000);
    this.idleTimer.unref();
  }

  /**
   * Asks the owner to exit, once; runs after the current reply has been handed to the socket.
   * Embedded without an owner to ask, throws DaemonError `not_available` (409).
   */
  requestExit(reason: ExitReason): void {
    const onExit = this.onExit;
    if (onExit === null) throw new DaemonError('not_available', 'shutdown is not available when mirage is embedded in a host application');
    if (this.exitRequested) return;
    this.exitRequested = true;
    this.cancelIdleTimer();
    this.logger.log(reason === 'idle' ? `no workspaces for ${this.settings.idleGraceSeconds}s; exiting` : 'shutdown requested');
    setImmediate(() => {
      Promise.resolve()
        .then(() => onExit(reason))
        .catch((error: unknown) => this.logger.error(`daemon close error: ${error instanceof Error ? error.message : String(error)}`));
    });
  }

  /** Registers a task to run on close while the workspaces are still open (state persistence). */
  onBeforeClose(task: () => Promise<void>): void {
    this.beforeClose.push(task);
  }

  async onModuleDestroy(): Promise<void> {
    this.cancelIdleTimer();
    for (const task of this.beforeClose) {
      await task().catch((error: unknown) =>
        this.logger.error(`daemon close error: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
    await this.registry.closeAll();
  }
}
