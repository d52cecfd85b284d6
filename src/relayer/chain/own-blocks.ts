/**
 * Read-your-writes from the receipt (docs/relayer-latency.md): a block that holds nothing but one
 * of our own transactions is applied to the index from that transaction's receipt, so the write is
 * answered without waiting for an indexer round (eth_blockNumber + eth_getLogs).
 *
 * When it may: the writer asks for the receipt and the latest block header in the broadcast's own
 * JSON-RPC batch; only when that header is the receipt's block and lists exactly this one
 * transaction are the receipt's logs all of the block's diamond logs (the index is block-granular:
 * applying part of a block would lose the rest). Anything else (another transaction in the block,
 * a header of another block) leaves the block to the indexer, as before.
 *
 * How: through the projection's applyBlocks (applyBlock(number, hash, parentHash, events) for each
 * block of a run, in one transaction), which is idempotent
 * and keeps the block's hash and undo journal like any indexed block, so a reorg undoes it like
 * any other (docs/finality.md): "applied" or "known" (the indexer was first) -> the index holds
 * the block; "gap" (an earlier block is not applied yet) -> the block is parked, and applied as
 * soon as the block before it is (our own writes' blocks often finish out of order across payers);
 * "fork" (the index's cursor is not this block's parent: a reorg the indexer has not followed yet)
 * -> nothing is applied, the indexer decides. The indexer keeps confirming and reconciling: it
 * re-reads every block it has not applied itself ("known" for ours) and follows reorgs over them.
 */
import { Mutex } from "../../core/mutex";
import type { DecodedEvent } from "../ports";
import type { ChainLogger } from "./log";

/** A block header as the writer saw it beside a receipt. */
export interface OwnBlock {
  number: number;
  hash: string;
  parentHash: string;
}

/** What the projection's applyBlock did (store/projection: ApplyOutcome). */
export type ApplyOutcome = "applied" | "known" | "gap" | "fork";

/** Commit options of the index's transactions (store/db: TxOptions). */
export interface CommitOptions {
  durable?: boolean;
}

/** What this needs of the projection (store/projection; reached structurally, the chain layer imports no store module). */
export interface BlockProjection {
  /** applyBlock for each block in order, in one transaction (one commit for a run). */
  applyBlocks(
    blocks: readonly { number: number; hash: string; parentHash: string; events: readonly DecodedEvent[] }[],
    options?: CommitOptions,
  ): Promise<ApplyOutcome[]>;
  cursor(): Promise<{ block: number; hash: string | null } | null>;
}

/** Most blocks parked waiting for an earlier one (older ones are dropped: the indexer takes them). */
const MAX_PARKED = 256;

/** Most blocks applied in one transaction. */
const MAX_RUN = 64;

interface Parked extends OwnBlock {
  events: readonly DecodedEvent[];
  waiters: ((applied: boolean) => void)[];
}

export interface OwnBlockStats {
  /** Blocks applied from receipts. */
  applied: number;
  /** Receipts whose block the indexer had applied first. */
  known: number;
  /** Blocks given up (a fork, the wait for an earlier block timed out, or parked too long). */
  leftToIndexer: number;
}

export class OwnBlocks {
  private readonly parked = new Map<number, Parked>();
  private readonly lock = new Mutex();
  private readonly counts: OwnBlockStats = { applied: 0, known: 0, leftToIndexer: 0 };
  /** The index's cursor as the last drain left it (read, or the block it applied); may be stale (see drain). */
  private hint: { block: number; hash: string | null } | null = null;

  constructor(
    private readonly projection: BlockProjection,
    private readonly opts: {
      /** Commit options of the index's transactions (the indexer's: not durable, rebuilt from the chain). */
      commit?: CommitOptions;
      /** How long a block whose predecessor is not applied yet waits for it (ms). Default 50. */
      gapWaitMs?: number;
      logger?: ChainLogger;
    } = {},
  ) {}

  stats(): OwnBlockStats {
    return { ...this.counts };
  }

  /**
   * Applies `block` (holding only our transaction, whose decoded diamond events are `events`, in
   * log order). Resolves true once the index holds the block (from here or from the indexer),
   * false when it is left to the indexer. Never rejects.
   */
  async apply(block: OwnBlock, events: readonly DecodedEvent[]): Promise<boolean> {
    const done = new Promise<boolean>((resolve) => {
      const existing = this.parked.get(block.number);
      if (existing && existing.hash === block.hash.toLowerCase()) {
        existing.waiters.push(resolve);
        return;
      }
      if (existing) for (const w of existing.waiters.splice(0)) w(false);
      this.parked.set(block.number, {
        number: block.number,
        hash: block.hash.toLowerCase(),
        parentHash: block.parentHash.toLowerCase(),
        events,
        waiters: [resolve],
      });
      if (this.parked.size > MAX_PARKED) {
        const oldest = Math.min(...this.parked.keys());
        this.drop(oldest);
      }
    });
    await this.drain().catch((err: unknown) => {
      this.opts.logger?.warn({ block: block.number, err: err instanceof Error ? err.message : String(err) }, "own block not applied");
    });
    // Still parked: an earlier block is missing; wait for it a little (it is usually our own, in flight).
    const timer = setTimeout(() => {
      if (this.parked.get(block.number)?.hash === block.hash.toLowerCase()) this.drop(block.number);
    }, this.opts.gapWaitMs ?? 50);
    const applied = await done;
    clearTimeout(timer);
    return applied;
  }

  /**
   * The index moved (the indexer applied blocks): a parked block whose predecessor it applied
   * goes in now, instead of waiting out the gap wait. Never rejects.
   */
  indexAdvanced(): void {
    if (this.parked.size === 0) return;
    this.drain().catch((err: unknown) => {
      this.opts.logger?.warn({ err: err instanceof Error ? err.message : String(err) }, "own blocks not applied");
    });
  }

  private drop(n: number): void {
    const p = this.parked.get(n);
    if (!p) return;
    this.parked.delete(n);
    this.counts.leftToIndexer++;
    for (const w of p.waiters) w(false);
  }

  /**
   * Applies every parked block that continues the index's cursor, in order: the run of consecutive
   * blocks parked at that moment in one transaction (applyBlocks), so the blocks of writes that
   * arrived while the last run was being applied cost one commit together, not one each
   * (docs/relayer-latency.md, ninth pass). The cursor is not read back after "applied": it is the
   * last applied block (applyBlocks moved it there in its transaction). A drain ends remembering
   * the cursor as it last knew it (`hint`: read, or the block it applied), and the next drain
   * starts from there, so a write whose block continues the previous one reads no cursor at all
   * (docs/relayer-latency.md, seventh pass). The hint may be stale (the indexer moves the index
   * too): when no parked block follows it, the cursor is read and looked at again; after "known" it
   * is read; after "gap" or "fork" it is forgotten. No decision rests on it: applyBlocks judges
   * every block against the cursor it reads in its own transaction ("known" for a block the index
   * holds already, "gap" / "fork" otherwise, nothing applied).
   */
  private drain(): Promise<void> {
    return this.lock.run(async () => {
      let cursor: { block: number; hash: string | null } | null = this.hint;
      let read = false;
      this.hint = null;
      for (;;) {
        if (cursor === null) {
          cursor = await this.projection.cursor();
          read = true;
        }
        if (cursor === null) return;
        // Parked blocks the index already holds ("known", or "fork" for a block a reorg replaced).
        const at = cursor.block;
        const held = [...this.parked.values()].filter((p) => p.number <= at);
        if (held.length > 0) await this.applyRun(held);
        const run: Parked[] = [];
        for (let n = cursor.block + 1; run.length < MAX_RUN; n++) {
          const p = this.parked.get(n);
          if (!p) break;
          run.push(p);
        }
        if (run.length === 0) {
          if (read) {
            this.hint = cursor;
            return;
          }
          // The hint of the last drain: the index may have moved since; read it.
          cursor = null;
          continue;
        }
        const outcomes = await this.applyRun(run);
        // In order: the cursor is the last block applied; after a "known" it is read again (the
        // indexer moved it); a "gap" or "fork" ends the drain (the blocks after it were judged
        // against the same cursor: parked still, or left to the indexer).
        for (let i = 0; i < run.length; i++) {
          if (outcomes[i] === "gap" || outcomes[i] === "fork") return;
          cursor = outcomes[i] === "applied" ? { block: run[i].number, hash: run[i].hash } : null;
          read ||= outcomes[i] === "applied";
        }
      }
    });
  }

  /** Applies `run` in one transaction and answers each block's waiters with its outcome. */
  private async applyRun(run: readonly Parked[]): Promise<ApplyOutcome[]> {
    const outcomes = await this.projection.applyBlocks(run, this.opts.commit);
    // (A block may have left the map during the await: its gap wait ran out; settle checks.)
    run.forEach((p, i) => this.settle(p, outcomes[i]));
    return outcomes;
  }

  /** Answers the waiters of `p` (unless still a gap), if it is still the parked block at its height. */
  private settle(p: Parked, outcome: ApplyOutcome): void {
    if (outcome === "gap" || this.parked.get(p.number) !== p) {
      // Dropped (or replaced) meanwhile: its waiters were answered then; an applied block is counted.
      if (outcome === "applied") this.counts.applied++;
      return;
    }
    this.parked.delete(p.number);
    const held = outcome === "applied" || outcome === "known";
    if (outcome === "applied") this.counts.applied++;
    else if (outcome === "known") this.counts.known++;
    else this.counts.leftToIndexer++;
    for (const w of p.waiters) w(held);
  }
}
