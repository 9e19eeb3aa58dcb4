// A workspace's command history, bounded: a long-lived daemon runs commands for days, so only
// the newest entries are kept (a ring) while the total count keeps growing.

export interface HistoryEntry {
  session_id: string;
  command: string;
  at: number;
}

/** How many of the newest history entries a workspace keeps. */
export const HISTORY_LIMIT = 1000;

export class CommandHistory {
  private readonly ring: HistoryEntry[] = [];
  /** Index in `ring` of the oldest entry once the ring is full. */
  private start = 0;
  private recorded = 0;

  constructor(readonly limit: number = HISTORY_LIMIT) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`history limit must be a positive integer: ${limit}`);
  }

  /** Every entry ever recorded, including those the ring no longer holds. */
  get total(): number {
    return this.recorded;
  }

  record(entry: HistoryEntry): void {
    this.recorded += 1;
    if (this.ring.length < this.limit) {
      this.ring.push(entry);
      return;
    }
    this.ring[this.start] = entry;
    this.start = (this.start + 1) % this.limit;
  }

  /** The kept entries, oldest first (at most `limit`). */
  entries(): HistoryEntry[] {
    return [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)];
  }
}
