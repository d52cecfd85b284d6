/**
 * The relayer's chain layer: indexer (diamond events -> store.index) and signer pool + outbox
 * worker (implements Writer of ../ports).
 *
 *   const store = await openStore({ dataDir, databaseUrl });
 *   const chain = await startChain(store, {
 *     rpcUrl: "http://127.0.0.1:8545",        // or provider: any { send(method, params) }
 *     diamondAddress,
 *     payerKeys: [key1, key2],                 // api payers, registered on-chain beforehand
 *     adminPayerKey,                           // optional: tops up payers below the threshold
 *   });
 *   await chain.writer.write({ method: "addGroup", args: [...], idempotencyKey, idempotencyScope });
 *   store.index.listGroups(...)                // read-your-writes: write() resolved => indexed
 *   await chain.stop();                        // then store.close()
 *
 * Options (all times in ms):
 *   provider | rpcUrls | rpcUrl  RPC access. A provider is used through `send` only (no ethers
 *                          cache), and `sendBatch` when it has one; each URL gets a small node:http
 *                          JSON-RPC client with keep-alive connections and batches (per-request
 *                          timeout rpcTimeoutMs, 15 000), and the URLs are used as one through
 *                          FailoverRpc (failover.ts: failover, 429 + Retry-After, backoff).
 *   diamondAddress         the AccountConfig diamond.
 *   payerKeys              api payer private keys (at least one).
 *   adminPayerKey          admin api payer private key (top-ups); optional.
 *   startBlock             first block to index (deployment block); default 0.
 *   reorgWindow            recent blocks the index keeps hashes and undo journal of, to follow a
 *                          reorg (indexer.ts); default per chain id (finality.ts).
 *   pollIntervalMs         worker tick and indexer poll interval; default 1000.
 *   indexerPollIntervalMs  indexer poll interval when caught up; default pollIntervalMs.
 *   logBatchSize           blocks per eth_getLogs; default 2000.
 *   maxBackoffMs           indexer retry backoff ceiling; default 30 000.
 *   freshBlockGraceMs      while own blocks come from their receipts, how long the indexer's
 *                          background round leaves new blocks to them (fresh-block-hold.ts); 200.
 *   stuckAfterMs           re-sign a sent transaction not mined after this long; default 60 000.
 *   writeTimeoutMs         write() waits at most this long (then ChainUnavailableError, queued); default 120 000.
 *   gasLimitPercent        gas limit = estimate * p / 100; default 125.
 *   feeBumpPercent         fee raise per re-sign, >= 12.5; default 12.5.
 *   maxFeePerGasWei        optional fee ceiling (new transactions and fee bumps).
 *   confirmationDepth      blocks on top of a write's block before it is final (no longer watched
 *                          for reorgs); default per chain id (finality.ts).
 *   writeConfirmations     blocks on top before write() answers; default 0 (on inclusion).
 *   rebalanceAmountWei     top-up amount; default the diamond's rebalanceAmount() (0 = no top-ups).
 *   minPayerBalanceWei     top-up threshold; default half the top-up amount.
 *   balanceCheckIntervalMs background balance check; default 60 000, 0 = off.
 *   payerCheckIntervalMs   payer check (every payer registered on the diamond and funded; writes
 *                          are refused with PayersUnavailableError while it fails,
 *                          writer/payer-check.ts); default 60 000 (5 000 while failing).
 *   requiredPayerBalanceWei  least a payer must hold beyond its in-flight costs; default one write's cost.
 *   batchMaxCalls          most calls one batchCalls transaction carries (batcher.ts); default
 *                          32, below 2 = no batching.
 *   batchMaxInFlight       transactions the batching front has under way at once; default the
 *                          number of payers (calls arriving meanwhile wait and leave as one batch).
 *   batchGasBudget         most measured execution gas in one batch; default 8 000 000.
 *   batchMaxBytes          most batchCalls calldata bytes in one batch; default 96 KiB (a node
 *                          refusing a batch as too large halves it: batch-limits.ts).
 *   startIndexer / startWorker  start the background loops (default true); syncTo and write
 *                          still work without them (they catch up / send on demand).
 *   logger                 pino-style logger (fastify's works); default silent.
 *
 * startChain never fails because the RPC is down: the indexer retries with backoff, and the
 * writer answers ChainUnavailableError until its start-up recovery (nonce reconciliation,
 * rebroadcast of stored transactions) has run.
 */
import type { ChainStorage } from "../ports";
import { BatchingWriter } from "./batcher";
import type { BatcherStats } from "./batch-target";
import { Indexer, type IndexerStatus } from "./indexer";
import { silentLogger, type ChainLogger } from "./log";
import { FailoverRpc, redactUrl, type FailoverOptions, type FailoverStatus } from "./failover";
import { HttpRpc, type RpcLike } from "./rpc";
import { OwnBlocks } from "./own-blocks";
import { FRESH_BLOCK_GRACE_MS } from "./fresh-block-hold";
import { ChainWriter, type IndexFollower, type TopUp, type WriterOptions } from "./writer";

export { decodeBatchResult, encodeBatchCalls } from "./batch-encoding";
export { BatchLimits, batchBytes, DEFAULT_BATCH_MAX_BYTES, gasBudgetCap, TX_GAS_CAP } from "./batch-limits";
export { nodeLimitOf } from "./writer/node-limits";
export { BatchingWriter } from "./batcher";
export type { BatchTarget, BatcherOptions, BatcherStats } from "./batch-target";
export { splitBatchEvents, type BatchCallOutcome } from "./batch-outcomes";
export { Indexer, IndexHaltedError, type IndexerOptions, type IndexerStatus } from "./indexer";
export {
  ChainWriter,
  type IndexFollower,
  type PayerFunds,
  type PayerReport,
  type PayerStatus,
  type TopUp,
  type WriterOptions,
  type WriterStatus,
} from "./writer";
export {
  HttpRpc,
  RpcRateLimitError,
  RpcResponseError,
  RpcTransportError,
  isTransportError,
  parseRetryAfter,
  sendAll,
  type RpcCall,
  type RpcLike,
  type RpcSettled,
} from "./rpc";
export { FailoverRpc, redactUrl, type FailoverEndpoint, type FailoverOptions, type FailoverStatus } from "./failover";
export { LogFetcher, isLogRangeError } from "./logs";
export { DEFAULT_FINALITY, FINALITY_BY_CHAIN, finalityFor, type FinalitySettings } from "./finality";
export { bumpedFees, feesFromNode, maxCost, type Fees } from "./writer/fee-policy";
export { GAS_PRICE_ORACLE, L1FeeOracle } from "./writer/l1-fee";
export { signTx, type SignedTx } from "./sign";
export { decodeLog, decodeLogs, decodeRevert, diamondInterface, encodeCall, normalize } from "./abi";
export { silentLogger, type ChainLogger } from "./log";

export interface ChainOptions extends Omit<WriterOptions, "logger"> {
  provider?: RpcLike;
  rpcUrl?: string;
  /** Several endpoints of one chain, used as one (failover.ts); wins over rpcUrl. */
  rpcUrls?: readonly string[];
  rpcTimeoutMs?: number;
  /** Failover and rate-limit tuning of the rpcUrls client. */
  rpcFailover?: Omit<FailoverOptions, "logger">;
  startBlock?: number;
  /** Recent blocks the index follows reorgs in; default the chain's (finality.ts). */
  reorgWindow?: number;
  indexerPollIntervalMs?: number;
  logBatchSize?: number;
  maxBackoffMs?: number;
  /** See IndexerOptions.freshBlockGraceMs (indexer-status.ts). */
  freshBlockGraceMs?: number;
  batchMaxCalls?: number;
  batchMaxInFlight?: number;
  batchGasBudget?: bigint;
  /** Most batchCalls calldata bytes in one batch (BATCH_MAX_BYTES); default 96 KiB. */
  batchMaxBytes?: number;
  startIndexer?: boolean;
  startWorker?: boolean;
  logger?: ChainLogger;
}

export interface Chain {
  writer: ChainWriter;
  /** The Writer services use: the ChainWriter behind the batching front (batcher.ts). */
  writes: BatchingWriter;
  indexer: Indexer;
  rpc: RpcLike;
  /** Api payer addresses (lowercase). */
  payers: string[];
  adminPayer: string | null;
  /** Tops up payers below the threshold now and waits for the transfers. */
  checkBalances(): Promise<TopUp[]>;
  status(): { indexer: IndexerStatus; writer: ReturnType<ChainWriter["status"]>; batches: BatcherStats; rpc: FailoverStatus | null };
  /** Stops the worker and the indexer (the store stays open). */
  stop(): Promise<void>;
}

export async function startChain(store: ChainStorage, opts: ChainOptions): Promise<Chain> {
  const logger = opts.logger ?? silentLogger;
  const urls = opts.rpcUrls && opts.rpcUrls.length > 0 ? opts.rpcUrls : opts.rpcUrl ? [opts.rpcUrl] : [];
  const clients = opts.provider ? [] : urls.map((url) => new HttpRpc(url, opts.rpcTimeoutMs));
  const own =
    clients.length > 0
      ? new FailoverRpc(
          clients.map((rpc) => ({ name: redactUrl(rpc.url), rpc })),
          { ...opts.rpcFailover, logger },
        )
      : null;
  const rpc: RpcLike | undefined = opts.provider ?? own ?? undefined;
  if (!rpc) throw new Error("startChain: provider, rpcUrls or rpcUrl is required");
  const indexer = new Indexer(rpc, store.index, {
    diamondAddress: opts.diamondAddress,
    startBlock: opts.startBlock,
    pollIntervalMs: opts.indexerPollIntervalMs ?? opts.pollIntervalMs,
    batchSize: opts.logBatchSize,
    maxBackoffMs: opts.maxBackoffMs,
    reorgWindow: opts.reorgWindow,
    durableCommits: false,
    freshBlockGraceMs: opts.freshBlockGraceMs,
    logger,
  });
  // Read-your-writes: a block holding only our transaction goes to the index from its receipt
  // (own-blocks.ts); the rest from the indexer.
  // A parked block waits for its predecessor as long as the indexer leaves fresh blocks to the
  // receipts (fresh-block-hold.ts): with 50 ms, under load, one late predecessor sent every block
  // behind it to the indexer (107 of 312 in a 4-payer run; 0 with 200 ms).
  const ownBlocks = new OwnBlocks(store.index.projection, {
    commit: { durable: false },
    logger,
    gapWaitMs: opts.freshBlockGraceMs ?? FRESH_BLOCK_GRACE_MS,
  });
  // A block parked behind one the indexer brings (a receipt whose header did not match) goes in
  // as soon as that one is applied, not after the gap wait.
  indexer.onProgress(() => ownBlocks.indexAdvanced());
  const follower: IndexFollower = {
    syncTo: (block, timeoutMs) => indexer.syncTo(block, timeoutMs),
    prefetch: (block) => indexer.prefetch(block),
    applyOwnBlock: async (block, events) => {
      const { reorgs, unappliedReorgs } = indexer.status();
      const held = await ownBlocks.apply(block, events);
      // The write's syncTo then answers from memory, not with another read of the index.
      if (held) indexer.noteApplied(block.number, reorgs + unappliedReorgs);
      return held;
    },
    expectBlock: (number, hash) => indexer.expectBlock(number, hash),
    reachedAt: () => {
      const { consecutiveFailures, lastSuccessAt } = indexer.status();
      return consecutiveFailures === 0 ? lastSuccessAt : null;
    },
  };
  const writer = new ChainWriter(rpc, store.outbox, follower, { ...opts, logger });
  indexer.onReorg(writer);
  const writes = new BatchingWriter(writer, rpc, {
    diamondAddress: opts.diamondAddress,
    maxCalls: opts.batchMaxCalls,
    maxInFlight: opts.batchMaxInFlight,
    gasBudget: opts.batchGasBudget,
    maxBytes: opts.batchMaxBytes,
    gasLimitPercent: opts.gasLimitPercent,
    writeTimeoutMs: opts.writeTimeoutMs,
    logger,
  });
  indexer.onReorg(writes);
  if (opts.startIndexer ?? true) indexer.start();
  if (opts.startWorker ?? true) await writer.start();
  return {
    writer,
    writes,
    indexer,
    rpc,
    payers: writer.payers,
    adminPayer: writer.adminPayer,
    checkBalances: () => writer.checkBalances(),
    status: () => ({ indexer: indexer.status(), writer: writer.status(), batches: writes.stats(), rpc: own?.status() ?? null }),
    stop: async () => {
      await writer.stop();
      await indexer.stop();
      for (const c of clients) c.close();
    },
  };
}
