/**
 * What the chain layer keeps in the store (chain -> store): the index projection the indexer drives,
 * its cursor and commits, and the outbox beside it (ChainStorage).
 */
import type { OutboxPort } from "./outbox";
import type { DecodedEvent } from "./writer";

/** How a database commit is made (store/db.ts). */
export interface TxOptions {
  /**
   * false: the commit does not wait for the disk (SQLite synchronous=NORMAL for that commit,
   * Postgres synchronous_commit=off). For state that can be rebuilt (the index, receipts already
   * on chain): a power loss may undo such a commit, never corrupt the database, and a later
   * durable commit makes every earlier one durable too. Default true.
   */
  durable?: boolean;
}

export interface IndexCursor {
  /** Highest block whose events are fully applied (the block before the first to index when none is). */
  block: number;
  /** Its hash, when known (blocks applied inside the reorg window, or with a hash). */
  hash: string | null;
}

export interface ApplyOptions extends TxOptions {
  /**
   * Journal the block's row changes and keep its hash so it can be undone (default true). The
   * indexer turns it off for blocks older than the reorg window.
   */
  journal?: boolean;
}

/**
 * What applyBlock did:
 * - applied: the block's events are in the index and the cursor is at the block;
 * - known: the block is at or below the cursor with the same (or an unknown) hash; nothing done;
 * - gap: the cursor is below the block's parent; nothing done (apply the blocks in between first);
 * - fork: the block's parent (or the block itself) differs from what the index applied: a reorg.
 */
export type ApplyOutcome = "applied" | "known" | "gap" | "fork";

/** A block inside the reorg window with its parent and decoded diamond events, as applyBlocks takes it. */
export interface RecentBlock {
  number: number;
  hash: string;
  parentHash: string;
  events: readonly DecodedEvent[];
}

/** A block the index keeps the hash of (inside the reorg window). */
export interface KeptBlock {
  block: number;
  hash: string;
}

/**
 * Options of a run of blocks older than the reorg window (applyOldBlocks, advanceCursor). `after`:
 * the run holds every block with events in (after, its last block], so the cursor must stand at
 * `after` or above: one below means another indexer sharing the database undid the index below the
 * run (a deeper reorg window than this one's), and applying it would leave a hole. Such a run is
 * refused as a "gap", nothing applied, as applyBlock refuses a block whose parent is missing.
 */
export interface OldRunOptions extends TxOptions {
  after?: number;
}

/** A block older than the reorg window, as applyOldBlocks takes it. */
export interface OldBlock {
  number: number;
  hash: string | null;
  events: readonly DecodedEvent[];
}

/** The write side of the index (store/projection/), as the indexer drives it (docs/finality.md). */
export interface IndexProjection {
  /** Applies one block's decoded events and moves the cursor to it, in one transaction; idempotent. */
  applyBlock(
    blockNumber: number,
    blockHash: string | null,
    parentHash: string | null,
    events: readonly DecodedEvent[],
    options?: ApplyOptions,
  ): Promise<ApplyOutcome>;
  /**
   * Applies blocks in order, each as applyBlock would (judged against the cursor the blocks before
   * it left), all in one transaction; the outcome of each, in order. A run of consecutive blocks
   * costs one commit instead of one per block.
   */
  applyBlocks(blocks: readonly RecentBlock[], options?: ApplyOptions): Promise<ApplyOutcome[]>;
  /**
   * Applies consecutive blocks older than the reorg window (as applyBlock without parent hash and
   * journal) in one transaction and moves the cursor to the last; blocks at or below the cursor are
   * skipped. Returns the number of blocks applied, or "gap" (nothing applied) when the cursor is
   * below `options.after`.
   */
  applyOldBlocks(blocks: readonly OldBlock[], options?: OldRunOptions): Promise<number | "gap">;
  /** Moves the cursor forward to `block` (blocks without events); never from below `options.after` (false then). */
  advanceCursor(block: number, blockHash?: string | null, options?: OldRunOptions): Promise<boolean>;
  /** The cursor, or null before the first block. */
  cursor(): Promise<IndexCursor | null>;
  /** The hashes kept of blocks in [from, to], highest first. */
  keptBlocks(from: number, to: number): Promise<KeptBlock[]>;
  /** Whether every block above `block` up to the cursor is journaled. */
  canUndoTo(block: number): Promise<boolean>;
  /** Takes the index back to right after `block`; the number of row changes undone. */
  undoTo(block: number, options?: TxOptions): Promise<number>;
  /** Drops the journal and kept hashes of blocks below `block`. */
  prune(block: number, options?: TxOptions): Promise<void>;
}

/** The index as the indexer sees it (store/index-store.ts). */
export interface IndexPort {
  readonly projection: IndexProjection;
  /** The highest block whose events are applied. */
  indexedBlock(): Promise<number>;
  /** Creates the cursor at `block` (the block before the first to index) if there is none. */
  initCursor(block: number): Promise<void>;
  /** Every read refuses with IndexUnavailableError while a reason is set (null clears it). */
  markUnavailable(reason: string | null): void;
}

/** What the chain layer keeps in the store: the index it maintains and the outbox it sends from. */
export interface ChainStorage {
  readonly index: IndexPort;
  readonly outbox: OutboxPort;
}
