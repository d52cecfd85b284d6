/**
 * Where the WAL sync of a durable SQLite commit runs: inline on the event loop (fs.fdatasyncSync)
 * while syncs are fast, on libuv's thread pool when they are not (docs/relayer-latency.md, "Ninth
 * pass: the WAL sync inline while it is fast"). A pool sync's measured time includes the wait for
 * the event loop to run its completion, so only inline syncs are measured and decide:
 * - inline while the EWMA of inline durations stays at or below the limit (default 0.5 ms, about
 *   what the thread-pool round trip and the loop's wake-up cost here); one inline sync over
 *   SPIKE_FACTOR x the limit, or the EWMA over the limit, moves the syncs to the pool at once;
 * - in pool mode every PROBE_EVERY-th sync runs inline as a probe; a probe at or below the limit
 *   brings the syncs back inline (the EWMA restarts from it).
 * Pure bookkeeping (no I/O, no clock): WalSync (wal-sync.ts) times the syncs and reports them.
 */

/** Weight of the newest inline sync in the EWMA: about the last eight syncs count. */
export const EWMA_WEIGHT = 1 / 8;
/** One inline sync this many times over the limit moves to the pool without waiting for the EWMA. */
export const SPIKE_FACTOR = 4;
/** In pool mode, one sync in this many runs inline to see whether the disk is fast again. */
export const PROBE_EVERY = 32;
/** The default limit (ms) of the inline syncs' EWMA. */
export const DEFAULT_INLINE_SYNC_BELOW_MS = 0.5;

export type SyncPlace = "inline" | "pool";

export class WalSyncPlacement {
  private mode: SyncPlace;
  /** EWMA of inline sync durations (ms); null until the first inline sync of the current run. */
  private ewma: number | null = null;
  /** Pool syncs since the syncs moved to the pool or since the last probe. */
  private sinceProbe = 0;
  /** Counts, for tests and diagnostics. */
  readonly counts = { inline: 0, pool: 0, probes: 0, toPool: 0, toInline: 0 };

  /**
   * @param limitMs the EWMA limit in ms; 0 (or less) = never inline (every sync on the pool).
   */
  constructor(readonly limitMs: number = DEFAULT_INLINE_SYNC_BELOW_MS) {
    this.mode = limitMs > 0 ? "inline" : "pool";
  }

  /** The current mode (a probe in pool mode still runs inline: see next()). */
  get place(): SyncPlace {
    return this.mode;
  }

  /** The EWMA of inline sync durations in ms (null before the first); for tests and diagnostics. */
  get inlineEwmaMs(): number | null {
    return this.ewma;
  }

  /** Where the next sync runs; call once per sync, then report an inline one with inlineDone(). */
  next(): SyncPlace {
    if (this.limitMs <= 0) {
      this.counts.pool++;
      return "pool";
    }
    if (this.mode === "inline") {
      this.counts.inline++;
      return "inline";
    }
    this.sinceProbe++;
    if (this.sinceProbe >= PROBE_EVERY) {
      this.sinceProbe = 0;
      this.counts.probes++;
      this.counts.inline++;
      return "inline";
    }
    this.counts.pool++;
    return "pool";
  }

  /** Records how long an inline sync (a probe included) took, in ms, and decides the next mode. */
  inlineDone(ms: number): void {
    if (this.limitMs <= 0) return;
    if (this.mode === "pool") {
      // A probe: one fast one is enough to try inline again; a slow disk moves back at its next
      // slow sync, so a flapping disk costs at most one slow inline sync per PROBE_EVERY syncs more.
      if (ms <= this.limitMs) {
        this.mode = "inline";
        this.ewma = ms;
        this.counts.toInline++;
      }
      return;
    }
    this.ewma = this.ewma === null ? ms : this.ewma + EWMA_WEIGHT * (ms - this.ewma);
    if (ms > SPIKE_FACTOR * this.limitMs || this.ewma > this.limitMs) {
      this.mode = "pool";
      this.ewma = null;
      this.sinceProbe = 0;
      this.counts.toPool++;
    }
  }
}
