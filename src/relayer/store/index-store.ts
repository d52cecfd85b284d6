/**
 * The index: the projection (write side, projection/: event handlers by domain with a journaled
 * undo) and the query side (index-queries.ts) over the same tables. `store.index` is an IndexStore:
 * the reads of IndexReader and the projection's writes under their long-standing names.
 */
import type { DecodedEvent, IndexPort, TxOptions } from "../ports";
import type { Db } from "./db";
import { IndexQueries } from "./index-queries";
import { Projection, type ApplyOptions } from "./projection";

export class IndexStore extends IndexQueries implements IndexPort {
  /** The write side (applyBlock with parent-hash checks, undoTo, prune, reset). */
  readonly projection: Projection;

  constructor(db: Db) {
    super(db);
    this.projection = new Projection(db);
  }

  /**
   * Applies the events of `block` and moves the cursor to it, atomically, without the parent-hash
   * check (see projection.applyBlock for that). Returns false (and applies nothing) when the
   * cursor is already at or past `block`.
   */
  async applyBlock(
    block: number,
    blockHash: string | null,
    events: readonly DecodedEvent[],
    options?: ApplyOptions,
  ): Promise<boolean> {
    return (await this.projection.applyBlock(block, blockHash, null, events, options)) === "applied";
  }

  /** Moves the cursor forward to `block` (blocks without events). */
  advanceCursor(block: number, blockHash: string | null = null, options?: TxOptions): Promise<boolean> {
    return this.projection.advanceCursor(block, blockHash, options);
  }

  /** Creates the cursor at `block` (the block before the first one to index) if there is none. */
  initCursor(block: number): Promise<void> {
    return this.projection.initCursor(block);
  }
}

export * from "./index-queries";
export { ZERO32, toAddress, toUint } from "./projection/values";
export {
  IndexUndoError,
  Projection,
  type ApplyOptions,
  type ApplyOutcome,
  type IndexCursor,
  type KeptBlock,
} from "./projection";
export { EVENT_HANDLERS, NO_STATE_EVENTS, INDEX_TABLES, indexRowCounts, type IndexTable } from "./projection";
