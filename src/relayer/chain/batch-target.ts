/**
 * What the batching front (batcher.ts) needs of the ChainWriter, what it tells the writer while a
 * write is under way, its options and its counters.
 */
import type { WriteReceipt, WriteRequest } from "../ports";
import type { ChainLogger } from "./log";

/** Told while a write is under way (ChainWriter.write). */
export interface WriteProgress {
  /**
   * The transaction is on chain (mined at once) or handed to the node (sent): its payer may take
   * the next one. Called at most once; not called when the write fails before.
   */
  onChain?(): void;
  /** The write's outbox row is stored (signed, or unsigned when the fees could not be looked up): its id, for BatchTarget.finalOutcome. Called at most once. */
  onRow?(id: number): void;
}

/** What the batcher needs of the ChainWriter. */
export interface BatchTarget {
  readonly payers: readonly string[];
  write(request: WriteRequest, known?: { gasLimit: bigint; calldata: string }, progress?: WriteProgress): Promise<WriteReceipt>;
  /** Rejects (PayersUnavailableError) while the writer refuses writes: asked before a call is queued. */
  admitWrites?(): Promise<void>;
  /** The error to answer a call's revert with (an OnlyApiPayerOrOwner revert re-runs the payer check). */
  reviewFailure?(err: unknown): Promise<unknown>;
  /**
   * Waits until outbox row `id` is final (no reorg expected to undo it) and resolves with its
   * receipt (the index holding its block), or rejects with RevertError when it is final reverted.
   * Absent: the batcher takes an outcome as final as soon as it has it.
   */
  finalOutcome?(id: number): Promise<WriteReceipt>;
}

export interface BatcherOptions {
  diamondAddress: string;
  /** Most calls in one transaction; below 2 turns batching off. Default 32. */
  maxCalls?: number;
  /** Transactions of this front under way at once (twice that for calls filling half a batch, batcher.ts). Default: the number of payers. */
  maxInFlight?: number;
  /** Most execution gas (measured in the pre-flight) in one transaction. Default 8 000 000, capped so that the batch's gas limit stays within 2^24 (batch-limits.ts gasBudgetCap). */
  gasBudget?: bigint;
  /** Most batchCalls calldata bytes in one transaction (BATCH_MAX_BYTES, batch-limits.ts). Default 96 KiB. */
  maxBytes?: number;
  /** Gas limit = measured gas * p / 100 (plus fixed overheads). Default 125. */
  gasLimitPercent?: number;
  /**
   * How long a call waits for its batch to be final (when it must, see sendBatch) before it is
   * answered as a write not confirmed in time: ChainUnavailableError, queued. The writer's
   * writeTimeoutMs; default 120 000.
   */
  writeTimeoutMs?: number;
  logger?: ChainLogger;
}

export interface BatcherStats {
  /** Calls that went alone (no batch). */
  single: number;
  /** Batch transactions sent, and the calls they carried. */
  batches: number;
  batchedCalls: number;
  /** Calls rejected by a batch pre-flight (nothing sent). */
  rejected: number;
  /** Calls sent alone after their batch could not take them. */
  retriedAlone: number;
  /** Batch transactions sent without a pre-flight (every call's gas cached). */
  cachedGas: number;
  enabled: boolean;
}
