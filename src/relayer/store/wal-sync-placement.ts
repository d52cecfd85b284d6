/**
 * Where the WAL sync of a durable SQLite commit runs: inline on the event loop (fs.fdatasyncSync)
 * or on libuv's thread pool, whichever answers its caller sooner, and inline only while that
 * blocks the loop briefly (docs/relayer-latency.md, "Ninth pass: the WAL sync inline while it is
 * fast"). Both are measured as the committer sees them: an inline sync from call to return (the
 * loop is blocked that long), a pool sync from call until its completion runs on the loop (the
 * connection's lock is held that long, so every statement waits as long as the loop would).
 * - inline while the EWMA of inline syncs stays at or below the limit (default 2 ms) and at or
 *   below the EWMA of pool syncs (once one was measured); one inline sync over SPIKE_FACTOR x the
 *   limit moves the syncs to the pool at once (a disk that stalls blocks the loop once);
 * - every PROBE_EVERY-th sync runs in the other place as a probe, so both times stay current: in
 *   pool mode an inline probe at or below the limit and the pool's EWMA brings the syncs back inline.
 * Pure bookkeeping (no I/O, no clock): WalSync (wal-sync.ts) times the syncs and reports them.
 */

/** Weight of the newest sync in each EWMA: about the last eight syncs count. */
export const EWMA_WEIGHT = 1 / 8;
/** One inline sync this many times over the limit moves to the pool without waiting for the EWMA. */
export const SPIKE_FACTOR = 4;
/** One sync in this many runs in the other place, to keep its time current. */
export const PROBE_EVERY = 32;
/**
 * The default limit (ms) of the inline syncs' EWMA: the longest the loop is blocked per durable
 * commit on average. A local SSD syncs a WAL append in 0.1-0.3 ms; a network disk takes 1-10 ms
 * and goes to the pool.
 */
export const DEFAULT_INLINE_SYNC_BELOW_MS = 2;

export type SyncPlace = "inline" | "pool";

const ewmaOf = (prev: number | null, ms: number): number => (prev === null ? ms : prev + EWMA_WEIGHT * (ms - prev));

export class WalSyncPlacement {
  private mode: SyncPlace;
  /** EWMA of inline sync durations (ms); null until the first inline sync of the current run. */
  private inlineEwma: number | null = null;
  /** EWMA of pool sync durations, until the completion ran (ms); null before the first. */
  private poolEwma: number | null = null;
  /** Syncs since the last probe (or since the mode changed). */
  private sinceProbe = 0;
  /** Counts, for tests and diagnostics. */
  readonly counts = { inline: 0, pool: 0, probes: 0, toPool: 0, toInline: 0 };

  /**
   * @param limitMs the inline EWMA's limit in ms; 0 (or less) = never inline (every sync on the pool).
   */
  constructor(readonly limitMs: number = DEFAULT_INLINE_SYNC_BELOW_MS) {
    this.mode = limitMs > 0 ? "inline" : "pool";
  }

  /** The current mode (a probe runs in the other place: see next()). */
  get place(): SyncPlace {
    return this.mode;
  }

  /** The EWMA of inline sync durations in ms (null before the first); for tests and diagnostics. */
  get inlineEwmaMs(): number | null {
    return this.inlineEwma;
  }

  /** The EWMA of pool sync durations in ms (null before the first); for tests and diagnostics. */
  get poolEwmaMs(): number | null {
    return this.poolEwma;
  }

  /** Where the next sync runs; call once per sync, then report it with inlineDone() or poolDone(). */
  next(): SyncPlace {
    if (this.limitMs <= 0) {
      this.counts.pool++;
      return "pool";
    }
    let place = this.mode;
    if (++this.sinceProbe >= PROBE_EVERY) {
      this.sinceProbe = 0;
      this.counts.probes++;
      place = place === "inline" ? "pool" : "inline";
    }
    this.counts[place]++;
    return place;
  }

  /** Records how long an inline sync (a probe included) took, in ms, and decides the next mode. */
  inlineDone(ms: number): void {
    if (this.limitMs <= 0) return;
    if (this.mode === "pool") {
      // A probe: one fast one is enough to try inline again; a slow disk moves back at its next
      // slow sync, so a flapping disk costs at most one slow inline sync per PROBE_EVERY syncs more.
      if (ms <= this.limitMs && (this.poolEwma === null || ms <= this.poolEwma)) this.moveTo("inline", ms);
      return;
    }
    this.inlineEwma = ewmaOf(this.inlineEwma, ms);
    const poolFaster = this.poolEwma !== null && this.inlineEwma > this.poolEwma;
    if (ms > SPIKE_FACTOR * this.limitMs || this.inlineEwma > this.limitMs || poolFaster) this.moveTo("pool", null);
  }

  /** Records how long a pool sync took until its completion ran, in ms (a probe included). */
  poolDone(ms: number): void {
    if (this.limitMs <= 0) return;
    this.poolEwma = ewmaOf(this.poolEwma, ms);
    // A pool probe in inline mode that beats the inline syncs moves them to the pool.
    if (this.mode === "inline" && this.inlineEwma !== null && this.inlineEwma > this.poolEwma) this.moveTo("pool", null);
  }

  private moveTo(place: SyncPlace, inlineEwma: number | null): void {
    this.mode = place;
    this.inlineEwma = inlineEwma;
    this.sinceProbe = 0;
    this.counts[place === "pool" ? "toPool" : "toInline"]++;
  }
}
