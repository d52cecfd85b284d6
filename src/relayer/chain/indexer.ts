/**
 * Follows the diamond's events into the index. Each round reads the head block number, fetches
 * the diamond's logs from cursor+1 to the head in ranges of `batchSize` blocks, decodes them and
 * applies each block's events together with the cursor move in one database transaction.
 * RPC failures never stop it: a failed round is retried with exponential backoff (capped), and
 * the last error is visible in `status()`.
 */
import { ChainUnavailableError, type DecodedEvent } from "../ports";
import type { IndexStore } from "../store";
import { decodeLogs } from "./abi";
import { errorText, hexToNumber, toQuantity, type RpcLike, type RpcLog } from "./rpc";
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
   * without the background loop). Rejects with ChainUnavailableError after `timeoutMs`.
   */
  async syncTo(block: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = await this.index.indexedBlock();
      this.applied = Math.max(this.applied, at);
      if (at >= block) return;
      let failed: unknown = null;
      try {
        await this.catchUp();
      } catch (err) {
        failed = err;
      }
      if ((await this.index.indexedBlock()) >= block) return;
      if (Date.now() >= deadline) {
        const why = failed ? `: ${errorText(failed)}` : "";
        throw new ChainUnavailableError(`indexer has not reached block ${block} yet${why}`, true);
      }
      await this.waitForProgress(Math.min(this.pollIntervalMs, Math.max(1, deadline - Date.now())));
    }
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
      try {
        await this.catchUp();
        this.failures = 0;
      } catch (err) {
        this.failures++;
        delay = Math.min(this.maxBackoffMs, this.pollIntervalMs * 2 ** Math.min(this.failures, 16));
        this.log?.warn({ err: errorText(err), failures: this.failures, retryInMs: delay }, "indexer round failed");
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
      const head = hexToNumber(await this.rpc.send("eth_blockNumber", []), "eth_blockNumber");
      this.head = head;
      let cursor = await this.index.indexedBlock();
      while (cursor < head) {
        const from = cursor + 1;
        const to = Math.min(head, from + this.batchSize - 1);
        const logs = (await this.rpc.send("eth_getLogs", [
          { address: this.diamond, fromBlock: toQuantity(from), toBlock: toQuantity(to) },
        ])) as RpcLog[];
        await this.applyRange(logs, to);
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
      await this.index.applyBlock(n, entry.hash, events);
    }
    await this.index.advanceCursor(to);
  }
}

