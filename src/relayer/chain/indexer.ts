/**
 * Follows the diamond's events into the index. Each round reads the head block number, fetches
 * the diamond's logs from cursor+1 to the head in ranges of `batchSize` blocks, decodes them and
 * applies each block's events together with the cursor move in one database transaction
 * (committed without waiting for the disk with durableCommits: false, as startChain does: the index is rebuilt
 * from the chain should a power loss undo it).
 * A write waiting for its block (syncTo / prefetch with the receipt's block) makes a round ask
 * for the head and the logs up to that block in one JSON-RPC batch, the range capped at the head
 * the node reports; concurrent waiters share rounds, and the background loop skips its poll while
 * such rounds keep the index current.
 * RPC failures never stop it: a failed round is retried with exponential backoff (capped), and
 * the last error is visible in `status()`.
 */
import { ChainUnavailableError, type DecodedEvent } from "../ports";
import type { IndexStore, TxOptions } from "../store";
import { decodeLogs } from "./abi";
import { errorText, hexToNumber, sendAll, toQuantity, type RpcLike, type RpcLog } from "./rpc";
import { LogFetcher, isLogRangeError } from "./logs";
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
   * false: blocks are applied with non-durable commits (TxOptions.durable; the index is rebuilt
   * from the chain should a power loss undo them). Default true.
   */
  durableCommits?: boolean;
  logger?: ChainLogger;
}

export interface IndexerStatus {
  running: boolean;
  indexedBlock: number;
  headBlock: number | null;
  lastError: string | null;
  consecutiveFailures: number;
  lastSuccessAt: number | null;
}

export class Indexer {
  private readonly diamond: string;
  private readonly startBlock: number;
  private readonly pollIntervalMs: number;
  private readonly maxBackoffMs: number;
  private readonly batchSize: number;
  private readonly log?: ChainLogger;
  private readonly commit: TxOptions;
  /** eth_getLogs in ranges a capped provider accepts (splits refused ranges; chain/logs.ts). */
  private readonly logs: LogFetcher;

  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private current: Promise<void> | null = null;
  private cursorReady = false;
  private applied = -1;
  private head: number | null = null;
  private lastError: string | null = null;
  private failures = 0;
  private lastSuccessAt: number | null = null;
  private listeners = new Set<() => void>();
  /** Highest block a syncTo caller knows to exist (catch-up goes that far without eth_blockNumber). */
  private wanted = -1;
  /** `wanted` as the latest catch-up round started. */
  private roundTarget = -1;

  constructor(
    private readonly rpc: RpcLike,
    private readonly index: IndexStore,
    opts: IndexerOptions,
  ) {
    this.diamond = opts.diamondAddress.toLowerCase();
    this.startBlock = opts.startBlock ?? 0;
    this.pollIntervalMs = opts.pollIntervalMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 30_000;
    this.batchSize = Math.max(1, opts.batchSize ?? 2000);
    this.log = opts.logger;
    this.commit = { durable: opts.durableCommits ?? true };
    this.logs = new LogFetcher(rpc, this.diamond, this.batchSize, opts.logger);
  }

  /** Starts the background loop (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops the loop and waits for the round in progress. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = null;
    await this.current?.catch(() => undefined);
  }

  status(): IndexerStatus {
    return {
      running: this.running,
      indexedBlock: this.applied,
      headBlock: this.head,
      lastError: this.lastError,
      consecutiveFailures: this.failures,
      lastSuccessAt: this.lastSuccessAt,
    };
  }

  indexedBlock(): Promise<number> {
    return this.index.indexedBlock();
  }

  /**
   * Resolves once every block up to `block` is applied (catching up itself, so it works with or
   * without the background loop). `block` is known to exist (a receipt's block): the catch-up
   * fetches the logs up to it without asking the node for its head first, and concurrent callers
   * share one round. Rejects with ChainUnavailableError after `timeoutMs`.
   */
  async syncTo(block: number, timeoutMs = 60_000): Promise<void> {
    if (this.applied >= block) return;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = await this.index.indexedBlock();
      this.applied = Math.max(this.applied, at);
      if (at >= block) return;
      if (block > this.wanted) this.wanted = block;
      let failed: unknown = null;
      try {
        await this.catchUp();
      } catch (err) {
        failed = err;
      }
      if (this.applied >= block || (await this.index.indexedBlock()) >= block) return;
      if (Date.now() >= deadline) {
        const why = failed ? `: ${errorText(failed)}` : "";
        throw new ChainUnavailableError(`indexer has not reached block ${block} yet${why}`, true);
      }
      // The round made progress, or started before it knew of `block`: go again at once.
      if (failed === null && (this.applied > at || this.roundTarget < block)) continue;
      await this.waitForProgress(Math.min(this.pollIntervalMs, Math.max(1, deadline - Date.now())));
    }
  }

  /**
   * A hint that `block` exists and will be waited for (a receipt's block): starts a catch-up
   * round towards it now, unless one is under way. Never fails (syncTo reports errors).
   */
  prefetch(block: number): void {
    if (this.applied >= block) return;
    if (block > this.wanted) this.wanted = block;
    if (!this.current) this.catchUp().catch(() => undefined);
  }

  /** One catch-up round, shared by concurrent callers. */
  catchUp(): Promise<void> {
    if (!this.current) {
      this.current = this.doCatchUp().finally(() => {
        this.current = null;
      });
    }
    return this.current;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let delay = this.pollIntervalMs;
      // Writes waiting for their blocks drive catch-up rounds themselves (syncTo / prefetch):
      // while they do, this loop has nothing to add.
      const since = this.lastSuccessAt === null ? Infinity : Date.now() - this.lastSuccessAt;
      if (this.failures === 0 && since < this.pollIntervalMs) {
        delay = this.pollIntervalMs - since;
      } else {
        try {
          await this.catchUp();
          this.failures = 0;
        } catch (err) {
          this.failures++;
          delay = Math.min(this.maxBackoffMs, this.pollIntervalMs * 2 ** Math.min(this.failures, 16));
          this.log?.warn({ err: errorText(err), failures: this.failures, retryInMs: delay }, "indexer round failed");
        }
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  private waitForProgress(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        this.listeners.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.listeners.add(done);
    });
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  private async doCatchUp(): Promise<void> {
    try {
      if (!this.cursorReady) {
        await this.index.initCursor(this.startBlock - 1);
        this.cursorReady = true;
      }
      let cursor = await this.index.indexedBlock();
      let head: number;
      const wanted = this.wanted;
      this.roundTarget = wanted;
      if (wanted > cursor && wanted - cursor <= this.logs.span) {
        // A block known to exist (a receipt's): its logs and the head in one round trip. The
        // range is capped at the head the node reports (eth_blockNumber first in the batch), so
        // a lagging node that clamps the range never makes the cursor skip a block.
        const [h, l] = await sendAll(this.rpc, [
          { method: "eth_blockNumber", params: [] },
          { method: "eth_getLogs", params: [{ address: this.diamond, fromBlock: toQuantity(cursor + 1), toBlock: toQuantity(wanted) }] },
        ]);
        if (!h.ok) throw h.error;
        // A range the provider refuses is fetched below, split (LogFetcher).
        if (!l.ok && !isLogRangeError(l.error)) throw l.error;
        head = hexToNumber(h.result, "eth_blockNumber");
        this.head = head;
        const to = Math.min(wanted, head);
        if (to > cursor && l.ok) {
          const logs = (l.result as RpcLog[]).filter((log) => hexToNumber(log.blockNumber, "log.blockNumber") <= to);
          await this.applyRange(logs, to);
          cursor = await this.index.indexedBlock();
          this.applied = cursor;
          this.notify();
        }
      } else {
        head = hexToNumber(await this.rpc.send("eth_blockNumber", []), "eth_blockNumber");
        this.head = head;
      }
      while (cursor < head) {
        const from = cursor + 1;
        const to = Math.min(head, from + this.batchSize - 1);
        // Up to the block the answering node has (a lagging one clamps the range: LogFetcher).
        const got = await this.logs.fetch(from, to);
        if (got.to < from) break; // that node is behind: the next round takes it
        await this.applyRange(got.logs, got.to);
        cursor = await this.index.indexedBlock();
        this.applied = cursor;
        this.notify();
      }
      this.applied = cursor;
      this.lastError = null;
      this.lastSuccessAt = Date.now();
    } catch (err) {
      this.lastError = errorText(err) || String(err);
      throw err;
    }
  }

  private async applyRange(logs: readonly RpcLog[], to: number): Promise<void> {
    const byBlock = new Map<number, { hash: string; logs: RpcLog[] }>();
    for (const log of logs) {
      if (log.removed === true) continue;
      const n = hexToNumber(log.blockNumber, "log.blockNumber");
      let entry = byBlock.get(n);
      if (!entry) {
        entry = { hash: log.blockHash, logs: [] };
        byBlock.set(n, entry);
      }
      entry.logs.push(log);
    }
    const blocks = [...byBlock.keys()].sort((a, b) => a - b);
    for (const n of blocks) {
      const entry = byBlock.get(n);
      if (!entry) continue;
      entry.logs.sort((a, b) => hexToNumber(a.logIndex, "logIndex") - hexToNumber(b.logIndex, "logIndex"));
      const events: DecodedEvent[] = decodeLogs(entry.logs, this.diamond);
      await this.index.applyBlock(n, entry.hash, events, this.commit);
    }
    if (blocks.at(-1) !== to) await this.index.advanceCursor(to, null, this.commit);
  }
}

