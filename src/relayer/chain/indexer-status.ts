/**
 * What the indexer (indexer.ts) takes and reports: its options, its status, and the error of an
 * index stopped by a reorg deeper than its window (docs/finality.md).
 */
import { ChainUnavailableError } from "../ports";
import type { ChainLogger } from "./log";

export interface IndexerOptions {
  diamondAddress: string;
  /** First block to index (the diamond's deployment block); default 0. */
  startBlock?: number;
  /** Pause between rounds when caught up (ms); default 1000. */
  pollIntervalMs?: number;
  /** Upper bound of the retry backoff (ms); default 30 000. */
  maxBackoffMs?: number;
  /** Blocks per eth_getLogs request; default 2000. */
  batchSize?: number;
  /**
   * Recent blocks whose hashes (and row changes) the index keeps to follow a reorg; default the
   * chain's (finality.ts, by eth_chainId).
   */
  reorgWindow?: number;
  /**
   * false: blocks are applied with non-durable commits (TxOptions.durable; the index is rebuilt
   * from the chain should a power loss undo them). Default true.
   */
  durableCommits?: boolean;
  /**
   * While own blocks come from their receipts, how long a background round leaves a block that
   * just appeared to them (fresh-block-hold.ts); default 200 ms.
   */
  freshBlockGraceMs?: number;
  logger?: ChainLogger;
}

export interface IndexerStatus {
  running: boolean;
  indexedBlock: number;
  headBlock: number | null;
  lastError: string | null;
  consecutiveFailures: number;
  lastSuccessAt: number | null;
  /** Reorgs followed since start. */
  reorgs: number;
  /**
   * Reorgs of blocks the index had not applied yet, seen because the writer had recorded a receipt
   * in a block of that height with another hash (expectBlock); reported to the writer, nothing to undo.
   */
  unappliedReorgs: number;
  /** The latest reorg followed: its fork point (last block both chains share) and depth. */
  lastReorg: { forkBlock: number; depth: number; at: number } | null;
  /** Set when a reorg deeper than the window stopped the indexer (the index refuses reads). */
  halted: string | null;
  /** The reorg window in use (null until known). */
  reorgWindow: number | null;
}

/** The indexer stopped on a reorg deeper than its window; only a rebuild (relayer:reindex) resumes it. */
export class IndexHaltedError extends ChainUnavailableError {
  constructor(readonly reason: string) {
    super(`the index stopped: ${reason}`, true);
    this.name = "IndexHaltedError";
  }
}
