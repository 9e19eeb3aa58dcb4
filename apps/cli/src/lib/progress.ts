// Transfer progress on stderr for snapshot download and load upload. stdout stays data only.
// On a terminal: one line redrawn in place for transfers of at least 1 MiB. Elsewhere (logs, CI):
// a plain line at each quarter, only for transfers of at least 64 MiB.
export const TTY_MIN_BYTES = 1024 * 1024;
export const LOG_MIN_BYTES = 64 * 1024 * 1024;

export interface ProgressSink {
  isTTY?: boolean;
  write(text: string): unknown;
}

const mib = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;

export class ProgressReporter {
  private lastDraw = 0;
  private lastQuarter = 0;
  private drawn = false;

  constructor(
    private readonly label: string,
    private readonly sink: ProgressSink = process.stderr,
    private readonly now: () => number = Date.now,
  ) {}

  update(transferred: number, total: number | undefined): void {
    const size = total ?? transferred;
    if (this.sink.isTTY) {
      if (size < TTY_MIN_BYTES) return;
      const t = this.now();
      if (t - this.lastDraw < 100 && transferred !== total) return;
      this.lastDraw = t;
      const percent = total ? ` (${Math.floor((transferred / total) * 100)}%)` : '';
      this.sink.write(`\r${this.label} ${mib(transferred)}${total ? ` / ${mib(total)}` : ''}${percent}\x1b[K`);
      this.drawn = true;
      return;
    }
    if (!total || total < LOG_MIN_BYTES) return;
    const quarter = Math.floor((transferred / total) * 4);
    if (quarter > this.lastQuarter) {
      this.lastQuarter = quarter;
      this.sink.write(`${this.label} ${mib(transferred)} / ${mib(total)} (${quarter * 25}%)\n`);
    }
  }

  done(): void {
    if (this.drawn) this.sink.write('\n');
    this.drawn = false;
  }
}
