/**
 * The projection: the write side of the index. `applyBlock` applies one block's decoded diamond
 * events (each through its domain's handler, handlers.ts) together with the cursor move, in one
 * database transaction; inside the reorg window every row change is journaled (journal.ts) and the
 * block's hash is kept, so `undoTo(block)` can take the index back to any block still in the window
 * (docs/finality.md, "The index on a reorg").
 *
 * `applyBlock` is idempotent and can be called by the indexer or by whoever holds a block's logs
 * (a receipt): a block at or below the cursor is "known" (nothing applied), a block whose parent is
 * not the cursor's block is refused ("gap" / "fork"), so no block is ever applied twice or skipped.
 * Two indexers sharing a Postgres database serialise on the cursor row.
 */
import type {
  ApplyOptions,
  ApplyOutcome,
  DecodedEvent,
  IndexCursor,
  IndexProjection,
  KeptBlock,
  OldBlock,
  OldRunOptions,
  RecentBlock,
  TxOptions,
} from "../../ports";
import type { Db, Queryable } from "../db";
import { EVENT_HANDLERS } from "./handlers";
import { RowWriter, undoAfter } from "./journal";
import { INDEX_TABLES } from "./tables";

export type { ApplyOptions, ApplyOutcome, IndexCursor, KeptBlock } from "../../ports";

/** The undo journal does not reach back to the block asked for (a reorg deeper than the window). */
export class IndexUndoError extends Error {
  constructor(
    readonly block: number,
    readonly cursor: number,
  ) {
    super(`the index cannot be undone to block ${block} (at ${cursor}): the journal does not reach back that far`);
    this.name = "IndexUndoError";
  }
}

interface CursorDb {
  block: number;
  block_hash: string | null;
}

async function readCursor(q: Queryable): Promise<IndexCursor | null> {
  const row = await q.one<CursorDb>("SELECT block, block_hash FROM index_cursor WHERE id = 1");
  return row ? { block: Number(row.block), hash: row.block_hash ?? null } : null;
}

async function keptHash(q: Queryable, block: number): Promise<string | null> {
  const row = await q.one<{ hash: string }>("SELECT hash FROM index_blocks WHERE block = $1", [block]);
  return row?.hash ?? null;
}

/**
 * applyBlock inside the caller's transaction: judges the block against the cursor (known, gap,
 * fork), else moves the cursor to it and writes its events (journaled inside the reorg window).
 */
async function applyIn(
  tx: Queryable,
  blockNumber: number,
  blockHash: string | null,
  parentHash: string | null,
  events: readonly DecodedEvent[],
  journal: boolean,
): Promise<ApplyOutcome> {
  const hash = blockHash?.toLowerCase() ?? null;
  for (;;) {
    const cur = await readCursor(tx);
    if (cur && cur.block >= blockNumber) {
      const kept = cur.block === blockNumber ? cur.hash : await keptHash(tx, blockNumber);
      return kept !== null && hash !== null && kept !== hash ? "fork" : "known";
    }
    if (cur && parentHash !== null) {
      if (cur.block < blockNumber - 1) return "gap";
      if (cur.hash !== null && cur.hash !== parentHash.toLowerCase()) return "fork";
    }
    if (!cur) {
      await tx.run("INSERT INTO index_cursor (id, block, block_hash) VALUES (1, $1, $2)", [blockNumber, hash]);
      break;
    }
    // Takes the cursor row's lock (Postgres): a concurrent indexer waits, then finds it moved
    // (forward, or back by an undo) and judges the block again against where it stands now.
    const moved = await tx.run("UPDATE index_cursor SET block = $1, block_hash = $2 WHERE id = 1 AND block = $3", [
      blockNumber,
      hash,
      cur.block,
    ]);
    if (moved > 0) break;
  }
  const w = new RowWriter(tx, blockNumber, journal);
  for (const e of events) {
    const handler = EVENT_HANDLERS[e.name];
    // An event the index does not know (a newer facet) carries nothing it keeps.
    if (handler) await handler(w, e.args);
  }
  if (journal && hash !== null) {
    await w.enqueueStatement({
      sql: `INSERT INTO index_blocks (block, hash, parent_hash) VALUES ($1, $2, $3)
       ON CONFLICT (block) DO UPDATE SET hash = excluded.hash, parent_hash = excluded.parent_hash`,
      params: [blockNumber, hash, parentHash?.toLowerCase() ?? null],
    });
  }
  await w.flush();
  return "applied";
}

export class Projection implements IndexProjection {
  constructor(private readonly db: Db) {}

  /**
   * Applies block `blockNumber`'s decoded events (in log order) and moves the cursor to it, in one
   * transaction. `parentHash` null skips the continuity checks (blocks older than the reorg
   * window, applied from logs alone, may leave out blocks without events).
   */
  async applyBlock(
    blockNumber: number,
    blockHash: string | null,
    parentHash: string | null,
    events: readonly DecodedEvent[],
    options: ApplyOptions = {},
  ): Promise<ApplyOutcome> {
    const journal = options.journal ?? true;
    return this.db.tx((tx) => applyIn(tx, blockNumber, blockHash, parentHash, events, journal), options);
  }

  /**
   * Applies `blocks` in order, each exactly as applyBlock would (against the cursor the blocks
   * before it left: a run of consecutive blocks applies in full), in one transaction. The outcome of
   * each block, in order. For the blocks of the writer's own receipts that arrived while the last
   * ones were being applied (chain/own-blocks.ts): one commit for all of them.
   */
  async applyBlocks(blocks: readonly RecentBlock[], options: ApplyOptions = {}): Promise<ApplyOutcome[]> {
    if (blocks.length === 0) return [];
    const journal = options.journal ?? true;
    return this.db.tx(async (tx) => {
      const outcomes: ApplyOutcome[] = [];
      for (const b of blocks) outcomes.push(await applyIn(tx, b.number, b.hash, b.parentHash, b.events, journal));
      return outcomes;
    }, options);
  }

  /**
   * Applies consecutive blocks older than the reorg window in one transaction (as applyBlock with
   * parentHash null and journal false, each block's rows stamped with its number) and moves the
   * cursor to the last one; blocks at or below the cursor are skipped, also when another indexer
   * sharing the database moved it meanwhile. One commit and, on Postgres, one merged statement per
   * table and kind for all of them (write-queue.ts): a catch-up spends its time on the events, not
   * on a transaction per block. Returns the number of blocks applied (0:
   * none above the cursor), or "gap" when the cursor is below `options.after` (OldRunOptions: an
   * indexer with a deeper reorg window undid the index below the run), nothing applied.
   */
  async applyOldBlocks(blocks: readonly OldBlock[], options: OldRunOptions = {}): Promise<number | "gap"> {
    for (let i = 1; i < blocks.length; i++) {
      if (blocks[i].number <= blocks[i - 1].number) throw new Error("applyOldBlocks: blocks out of order");
    }
    return this.db.tx(async (tx) => {
      let todo: readonly OldBlock[];
      for (;;) {
        const cur = await readCursor(tx);
        // Judged again after waiting for the cursor row, as applyBlock does.
        if (cur && options.after !== undefined && cur.block < options.after) return "gap";
        todo = cur ? blocks.filter((b) => b.number > cur.block) : blocks;
        if (todo.length === 0) return 0;
        const last = todo[todo.length - 1];
        const hash = last.hash?.toLowerCase() ?? null;
        if (!cur) {
          await tx.run("INSERT INTO index_cursor (id, block, block_hash) VALUES (1, $1, $2)", [last.number, hash]);
          break;
        }
        // The cursor row's lock first (Postgres), as in applyBlock.
        const moved = await tx.run("UPDATE index_cursor SET block = $1, block_hash = $2 WHERE id = 1 AND block = $3", [
          last.number,
          hash,
          cur.block,
        ]);
        if (moved > 0) break;
        // Another indexer sharing the database moved the cursor while this one waited for the row:
        // its blocks are skipped, the ones above its cursor are still this run's to apply (the
        // indexer moves the cursor past them next). Nothing was written yet: read it again.
      }
      const w = new RowWriter(tx, todo[0].number, false);
      for (const b of todo) {
        w.moveTo(b.number);
        for (const e of b.events) {
          const handler = EVENT_HANDLERS[e.name];
          if (handler) await handler(w, e.args);
        }
      }
      await w.flush();
      return todo.length;
    }, options);
  }

  /**
   * Moves the cursor forward to `block` over blocks without events that are not kept (older than
   * the reorg window). Returns false when the cursor is already at or past it, or below
   * `options.after` (a gap: see OldRunOptions).
   */
  async advanceCursor(block: number, blockHash: string | null = null, options: OldRunOptions = {}): Promise<boolean> {
    return this.db.tx(async (tx) => {
      const changed = await tx.run(
        "UPDATE index_cursor SET block = $1, block_hash = $2 WHERE id = 1 AND block < $1 AND block >= $3",
        [block, blockHash?.toLowerCase() ?? null, options.after ?? -1],
      );
      if (changed > 0) return true;
      if (await readCursor(tx)) return false;
      await tx.run("INSERT INTO index_cursor (id, block, block_hash) VALUES (1, $1, $2)", [block, blockHash]);
      return true;
    }, options);
  }

  /** Creates the cursor at `block` (the block before the first one to index) if there is none. */
  async initCursor(block: number): Promise<void> {
    await this.db.run("INSERT INTO index_cursor (id, block, block_hash) VALUES (1, $1, NULL) ON CONFLICT (id) DO NOTHING", [
      block,
    ]);
  }

  /** The cursor, or null before initCursor / the first block. */
  cursor(): Promise<IndexCursor | null> {
    return readCursor(this.db);
  }

  /** The hashes kept of blocks in [from, to], highest first. */
  async keptBlocks(from: number, to: number): Promise<KeptBlock[]> {
    const rows = await this.db.query<{ block: number; hash: string }>(
      "SELECT block, hash FROM index_blocks WHERE block >= $1 AND block <= $2 ORDER BY block DESC",
      [from, to],
    );
    return rows.map((r) => ({ block: Number(r.block), hash: r.hash }));
  }

  /** Whether every block above `block` up to the cursor is journaled (so undoTo(block) can work). */
  async canUndoTo(block: number): Promise<boolean> {
    return this.db.tx(async (tx) => (await this.coverage(tx, block)) !== false);
  }

  /**
   * Takes the index back to what it was right after `block`: every row change of the blocks above
   * it is undone, their hashes are dropped and the cursor moves to `block`, in one transaction.
   * Throws IndexUndoError when a block above `block` was applied without a journal. Returns the
   * number of row changes undone.
   */
  async undoTo(block: number, options?: TxOptions): Promise<number> {
    return this.db.tx(async (tx) => {
      const cur = await this.coverage(tx, block);
      if (cur === false) throw new IndexUndoError(block, (await readCursor(tx))?.block ?? -1);
      if (cur === null) return 0;
      const undone = await undoAfter(tx, block);
      await tx.run("DELETE FROM index_blocks WHERE block > $1", [block]);
      await tx.run("UPDATE index_cursor SET block = $1, block_hash = $2 WHERE id = 1", [block, await keptHash(tx, block)]);
      return undone;
    }, options);
  }

  /** Drops the journal and kept hashes of blocks below `block` (they left the reorg window). */
  async prune(block: number, options?: TxOptions): Promise<void> {
    await this.db.tx(async (tx) => {
      await tx.run("DELETE FROM index_journal WHERE block < $1", [block]);
      await tx.run("DELETE FROM index_blocks WHERE block < $1", [block]);
    }, options);
  }

  /** Empties the index (every table, the journal, the kept hashes) and puts the cursor at `startBlock - 1`. */
  async reset(startBlock: number): Promise<void> {
    await this.db.tx(async (tx) => {
      for (const table of Object.keys(INDEX_TABLES)) await tx.run(`DELETE FROM ${table}`);
      await tx.run("DELETE FROM index_journal");
      await tx.run("DELETE FROM index_blocks");
      await tx.run("DELETE FROM index_cursor");
      await tx.run("INSERT INTO index_cursor (id, block, block_hash) VALUES (1, $1, NULL)", [startBlock - 1]);
    });
  }

  /** null: nothing to undo (cursor at or below `block`); false: not undoable; else the cursor. */
  private async coverage(tx: Queryable, block: number): Promise<IndexCursor | null | false> {
    const cur = await readCursor(tx);
    if (!cur || cur.block <= block) return null;
    const row = await tx.one<{ n: number }>("SELECT COUNT(*) AS n FROM index_blocks WHERE block > $1 AND block <= $2", [
      block,
      cur.block,
    ]);
    return Number(row?.n ?? 0) === cur.block - block ? cur : false;
  }
}

export { EVENT_HANDLERS, NO_STATE_EVENTS } from "./handlers";
export { INDEX_TABLES, indexRowCounts, type IndexTable } from "./tables";
export { undoAfter, RowWriter } from "./journal";
