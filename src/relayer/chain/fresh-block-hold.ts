/**
 * The indexer's background round and the writer's own blocks (docs/relayer-latency.md, "The
 * background round leaves fresh blocks to their receipts"): while the writer applies its own
 * blocks from their receipts (chain/own-blocks.ts), the blocks that just appeared above the
 * index's cursor are most likely its own, about to be applied that way. A background round (no
 * write waiting for a block) that fetched them would read each one twice over (eth_getLogs and
 * the headers), and the receipt path would then find it "known".
 *
 * So, while an own block was applied from its receipt within the last `graceMs`, a background
 * round fetches only the blocks a round first saw above the cursor at least `graceMs` ago: those the
 * receipt path did not take in that time (another relayer's transactions, a block whose receipt
 * went to the poller) are applied one grace period late, the others never read. Without own blocks
 * for `graceMs` (a chain with block times, where blocks hold other transactions too), the round
 * fetches up to the head as before. A write waiting for its block (syncTo / prefetch) is never held:
 * its round fetches up to the head.
 */

/** How long fresh blocks are left to the receipt path, and how recent an own block must be (ms). */
export const FRESH_BLOCK_GRACE_MS = 200;

/** Most head observations kept. */
const MAX_SEEN = 256;

export class FreshBlockHold {
  /** When an own block was last applied from its receipt (ms). */
  private lastOwn = Number.NEGATIVE_INFINITY;
  /** Heads rounds saw above the cursor (ascending), each with when it was first seen. */
  private seen: { head: number; at: number }[] = [];

  constructor(
    private readonly graceMs = FRESH_BLOCK_GRACE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** An own block was applied from its receipt (or found already applied). */
  ownApplied(): void {
    this.lastOwn = this.now();
  }

  /**
   * How often the background round need run at most (ms): the poll interval, or the grace period
   * while own blocks come from receipts (they keep the index at the head; the round then only
   * looks for reorgs and other relayers' blocks, which it leaves a grace period anyway).
   */
  pollEvery(pollIntervalMs: number): number {
    return this.now() - this.lastOwn < this.graceMs ? Math.max(pollIntervalMs, this.graceMs) : pollIntervalMs;
  }

  /**
   * The highest block a background round fetches, given the node's head and the index's cursor:
   * never above `head` nor below `cursor` (see the file comment).
   */
  limit(head: number, cursor: number): number {
    const t = this.now();
    while (this.seen.length > 0 && this.seen[0].head <= cursor) this.seen.shift();
    if (head <= cursor) return cursor;
    const last = this.seen.at(-1);
    if (last === undefined || head > last.head) {
      this.seen.push({ head, at: t });
      // (bounded: the oldest observation goes, its blocks then count as first seen at the next one)
      if (this.seen.length > MAX_SEEN) this.seen.shift();
    }
    if (t - this.lastOwn >= this.graceMs) return head;
    let limit = cursor;
    for (const o of this.seen) if (t - o.at >= this.graceMs) limit = Math.max(limit, Math.min(o.head, head));
    return limit;
  }
}
