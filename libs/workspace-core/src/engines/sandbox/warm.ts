// A sandbox started before its call: joining a cgroup costs 10–20 ms (the move waits for an RCU
// grace period, docs/engines.md), so a workspace with a cgroup keeps one bwrap ready, already in
// its cgroup and under its RLIMIT_CPU, blocked reading its arguments (`bwrap --args 7`). A call
// without stdin takes it and writes the arguments (the environment as `--setenv`); the next one is
// started in the background. Its stdout/stderr are FIFOs of its own, unlinked once open (a real
// pipe, so `/dev/stdout` opens inside), read by the daemon like the session FIFOs of a cold start.
// If the daemon dies, fd 7 reaches EOF and bwrap exits for want of a command.
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

export interface WarmSandbox {
  child: ChildProcess;
  stdout: Socket;
  stderr: Socket;
}

export class WarmPool {
  private ready: WarmSandbox | undefined;
  private warming: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly start: () => Promise<WarmSandbox>) {}

  /** The ready sandbox, if one is there and alive; the caller owns it from now on. */
  take(): WarmSandbox | undefined {
    const warm = this.ready;
    this.ready = undefined;
    if (warm === undefined) return undefined;
    if (warm.child.pid === undefined || warm.child.exitCode !== null || warm.child.signalCode !== null) {
      discard(warm);
      return undefined;
    }
    return warm;
  }

  /** Starts the next one in the background (at most one ready or starting). */
  refill(): void {
    if (this.closed || this.ready !== undefined || this.warming !== undefined) return;
    this.warming = this.start().then(
      (warm) => {
        this.warming = undefined;
        if (this.closed) discard(warm);
        else this.ready = warm;
      },
      () => {
        // A cold start serves the next call instead.
        this.warming = undefined;
      },
    );
  }

  /** Ends the ready sandbox and one still starting (before the cgroup is removed: it would hold it). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.ready !== undefined) discard(this.ready);
    this.ready = undefined;
    await this.warming;
  }
}

function discard(warm: WarmSandbox): void {
  warm.stdout.destroy();
  warm.stderr.destroy();
  // Closing fd 7 lets bwrap exit by itself; SIGKILL in case it already read something.
  ((warm.child.stdio as unknown[])[7] as NodeJS.WritableStream | undefined)?.end();
  warm.child.kill('SIGKILL');
}
