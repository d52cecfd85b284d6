/**
 * Follows the diamond's events into the index, through reorgs (docs/finality.md, "The index on a
 * reorg").
 *
 * Each round reads the head block number and applies the blocks from cursor+1 to the head, each
 * block's events together with the cursor move in one database transaction (the projection,
 * store/projection). Blocks older than the reorg window (head - reorgWindow) are read from
 * eth_getLogs alone, in ranges of `batchSize` blocks, and applied without a journal, several
 * blocks per transaction (applyOldBlocks; block-apply.ts reads and applies both kinds). Blocks inside
 * the window are read with their headers: every block's parentHash must be the hash of the block
 * applied before it, and every log must carry its block's hash; the projection journals their row
 * changes and keeps their hashes.
 *
 * A reorg shows as a parent-hash mismatch (or the cursor block's hash changing under it): the
 * indexer looks for the fork point (the highest kept block the chain still has), undoes the index
 * to it, tells the writer (ReorgListener.noteReorg(fork + 1)) and applies the canonical blocks. A
 * reorg deeper than the window (no kept block is still on the chain, or the journal does not
 * reach the fork point) stops the indexer: an error log names it and what fixes it
 * (relayer:reindex), status().halted is set (/health and /ready false), and the index refuses
 * reads (IndexUnavailableError) so nothing it holds is served as true.
 *
 * A `latest` that steps back (a load-balanced provider's lagging node) never makes a block be
 * applied twice or skipped: the cursor only moves through applyBlock's continuity checks, and a
 * cursor above the node's head waits for the node to catch up.
 *
 * A write waiting for its block (syncTo / prefetch with the receipt's block) makes a round ask for
 * the head, the cursor block's header, the logs and the headers up to that block in one JSON-RPC
 * batch; concurrent waiters share rounds, and the background loop skips its poll while such rounds
 * keep the index current. RPC failures never stop it: a failed round is retried with exponential
 * backoff (capped), and the last error is visible in `status()`.
 */
import { ChainUnavailableError, type IndexPort, type ReorgListener, type TxOptions } from "../ports";

import { BlockApplier } from "./block-apply";
import { ExpectedBlocks } from "./expected-blocks";
import { FreshBlockHold } from "./fresh-block-hold";
import { finalityFor } from "./finality";
import { errorText, hexToNumber, sendAll, toQuantity, type RpcCall, type RpcLike, type RpcLog } from "./rpc";
import { LogFetcher, isLogRangeError } from "./logs";
import type { ChainLogger } from "./log";
import { HEADER_BATCH, headerCall, highestStillOnChain, parseHeader, type Header } from "./block-headers";
import { IndexHaltedError, type IndexerOptions, type IndexerStatus } from "./indexer-status";

export { IndexHaltedError, type IndexerOptions, type IndexerStatus };

/** A write's block this close to the cursor is fetched together with the head (one round trip). */
const FAST_SPAN = 16;

export class Indexer {
  private readonly diamond: string;
  private readonly startBlock: number;
  private readonly pollIntervalMs: number;
  private readonly maxBackoffMs: number;
  private readonly batchSize: number;
  private readonly log?: ChainLogger;
  private readonly commit: TxOptions;
  /**
   * The floor of the reorg window (cursor - window + 1) the journal and kept hashes were last
   * pruned below; null before the first prune. A round whose floor has not moved prunes nothing.
   */
  private prunedFloor: number | null = null;
  /** eth_getLogs in ranges a capped provider accepts (splits refused ranges; chain/logs.ts). */
  private readonly logs: LogFetcher;
  /** Reads and applies the blocks a round decided on (block-apply.ts). */
  private readonly blocks: BlockApplier;
  private window: number | null;

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
  private reorgListeners: ReorgListener[] = [];
  private progressListeners: (() => void)[] = [];
  private reorgCount = 0;
  private unappliedReorgs = 0;
  /** Blocks above the cursor the writer recorded receipts in (expectBlock). */
  private readonly expected = new ExpectedBlocks();
  private lastReorg: IndexerStatus["lastReorg"] = null;
  private halted: string | null = null;
  /** Highest block a syncTo caller knows to exist (catch-up goes that far without eth_blockNumber). */
  private wanted = -1;
  /** `wanted` as the latest catch-up round started. */
  private roundTarget = -1;
  /** Background rounds leave fresh blocks to the receipt path while it applies own blocks. */
  private readonly hold: FreshBlockHold;

  constructor(
    private readonly rpc: RpcLike,
    private readonly index: IndexPort,
    opts: IndexerOptions,
  ) {
    this.diamond = opts.diamondAddress.toLowerCase();
    this.startBlock = opts.startBlock ?? 0;
    this.pollIntervalMs = opts.pollIntervalMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 30_000;
    this.batchSize = Math.max(1, opts.batchSize ?? 2000);
    this.window = opts.reorgWindow === undefined ? null : Math.max(1, Math.floor(opts.reorgWindow));
    this.log = opts.logger;
    this.commit = { durable: opts.durableCommits ?? true };
    this.logs = new LogFetcher(rpc, this.diamond, this.batchSize, opts.logger);
    this.hold = new FreshBlockHold(opts.freshBlockGraceMs);
    this.blocks = new BlockApplier(rpc, index, this.logs, this.diamond, this.commit, (n, hash) => this.checkExpected(n, hash));
  }

  /** Who to tell when a reorg is followed (the chain writer). */
  onReorg(listener: ReorgListener): void {
    this.reorgListeners.push(listener);
  }

  /** Who to tell each time the index moves forward (own blocks parked behind an indexed block). */
  onProgress(listener: () => void): void {
    this.progressListeners.push(listener);
  }

  /**
   * `block` was applied to the index by another path (an own block from its receipt,
   * own-blocks.ts): a write waiting for it (syncTo) returns without reading the index again.
   * Ignored when a reorg was reported since `reorgs` (status().reorgs + status().unappliedReorgs
   * when that apply began).
   */
  noteApplied(block: number, reorgs: number): void {
    this.hold.ownApplied();
    if (reorgs === this.reorgCount + this.unappliedReorgs && this.halted === null) this.applied = Math.max(this.applied, block);
  }

  /**
   * The writer recorded a receipt in block `number` with hash `hash`. When the index comes to apply
   * that height with another hash, the block was replaced before the index ever applied it: no
   * parent-hash check can see that, so the reorg listeners are told from that height (the writer
   * sends the dropped write again). Forgotten once the height is applied.
   */
  expectBlock(number: number, hash: string): void {
    if (number > this.applied && this.halted === null) this.expected.add(number, hash);
  }

  /** Checks the block about to be applied against the receipts the writer saw at its height (expectBlock). */
  private checkExpected(number: number, hash: string): void {
    const gone = this.expected.replacedBy(number, hash);
    if (gone.length === 0) return;
    this.unappliedReorgs++;
    this.log?.warn(
      { block: number, hash, replaced: gone },
      "index: a block holding one of our receipts was replaced before the index applied it; the writer checks its writes again",
    );
    this.tellReorg(number);
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
      reorgs: this.reorgCount,
      unappliedReorgs: this.unappliedReorgs,
      lastReorg: this.lastReorg,
      halted: this.halted,
      reorgWindow: this.window,
    };
  }

  indexedBlock(): Promise<number> {
    return this.index.indexedBlock();
  }

  /**
   * Resolves once every block up to `block` is applied (catching up itself, so it works with or
   * without the background loop). `block` is known to exist (a receipt's block): the catch-up
   * fetches the logs up to it without asking the node for its head first, and concurrent callers
   * share one round. Rejects with ChainUnavailableError after `timeoutMs` (at once once halted).
   */
  async syncTo(block: number, timeoutMs = 60_000): Promise<void> {
    if (this.halted !== null) throw new IndexHaltedError(this.halted);
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
      if (this.halted !== null) throw new IndexHaltedError(this.halted);
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
    if (this.applied >= block || this.halted !== null) return;
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
      const every = this.hold.pollEvery(this.pollIntervalMs);
      if (this.halted !== null) {
        delay = Math.max(this.pollIntervalMs, 5_000);
      } else if (this.failures === 0 && since < every) {
        delay = every - since;
      } else {
        try {
          await this.catchUp();
          this.failures = 0;
        } catch (err) {
          if (this.halted === null) {
            this.failures++;
            delay = Math.min(this.maxBackoffMs, this.pollIntervalMs * 2 ** Math.min(this.failures, 16));
            this.log?.warn({ err: errorText(err), failures: this.failures, retryInMs: delay }, "indexer round failed");
          }
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
    for (const l of this.progressListeners) l();
  }

  private async reorgWindow(): Promise<number> {
    if (this.window === null) {
      const chainId = hexToNumber(await this.rpc.send("eth_chainId", []), "eth_chainId");
      this.window = finalityFor(chainId).reorgWindow;
    }
    return this.window;
  }

  private async doCatchUp(): Promise<void> {
    if (this.halted !== null) throw new IndexHaltedError(this.halted);
    try {
      if (!this.cursorReady) {
        await this.index.initCursor(this.startBlock - 1);
        this.cursorReady = true;
      }
      const window = await this.reorgWindow();
      await this.round(window);
      this.lastError = null;
      this.lastSuccessAt = Date.now();
    } catch (err) {
      this.lastError = errorText(err) || String(err);
      throw err;
    }
  }

  private async round(window: number): Promise<void> {
    const projection = this.index.projection;
    let cursor = (await projection.cursor()) ?? { block: this.startBlock - 1, hash: null };
    const wanted = this.wanted;
    this.roundTarget = wanted;
    // First batch: the head, the cursor block's header (is it still on the chain?) and, for a
    // write waiting on a block close by, that block's logs and headers.
    const fast = wanted > cursor.block && wanted - cursor.block <= Math.min(FAST_SPAN, this.logs.span);
    const calls: RpcCall[] = [{ method: "eth_blockNumber", params: [] }];
    if (cursor.hash !== null) calls.push(headerCall(cursor.block));
    const from = cursor.block + 1;
    if (fast) {
      calls.push({ method: "eth_getLogs", params: [{ address: this.diamond, fromBlock: toQuantity(from), toBlock: toQuantity(wanted) }] });
      for (let n = from; n <= wanted; n++) calls.push(headerCall(n));
    }
    const results = await sendAll(this.rpc, calls);
    const [h] = results;
    if (!h.ok) throw h.error;
    const head = hexToNumber(h.result, "eth_blockNumber");
    this.head = head;
    let i = 1;
    if (cursor.hash !== null) {
      const now = parseHeader(results[i++], cursor.block);
      if (now === null) {
        // The node has not got the cursor block: a lagging node (its head block is the one the
        // index kept: wait for it) or a reorg whose new branch is still shorter (its head block
        // differs from the kept one: follow it now rather than once the branch outgrows the index).
        if (head < cursor.block && (await this.headReplaced(head))) {
          await this.followReorg(cursor.block, window);
          return this.round(window);
        }
        return;
      }
      if (now.hash !== cursor.hash) {
        await this.followReorg(cursor.block, window);
        return this.round(window);
      }
    }
    if (fast) {
      const l = results[i++];
      // A range the provider refuses is fetched below, split (LogFetcher); so is a range past the
      // head of a node behind the awaited block ("extends beyond current head"), up to its head.
      if (l.ok || (!isLogRangeError(l.error) && head >= wanted)) {
        if (!l.ok) throw l.error;
        const headers: Header[] = [];
        for (let n = from; n <= wanted; n++) {
          const hdr = parseHeader(results[i++], n);
          if (hdr === null || n > head) break;
          headers.push(hdr);
        }
        if (headers.length > 0 && head - headers[0].number < window) {
          const outcome = await this.blocks.applyKept(cursor.hash, headers, l.result as RpcLog[]);
          if (outcome === "fork") {
            await this.followReorg(cursor.block, window);
            return this.round(window);
          }
          cursor = (await projection.cursor()) ?? cursor;
          this.progress(cursor.block);
        }
      }
    }
    // No write waits for a block: fresh blocks are left to their receipts a while (fresh-block-hold.ts).
    const until = wanted > cursor.block ? head : this.hold.limit(head, cursor.block);
    while (cursor.block < until) {
      const next = cursor.block + 1;
      const windowStart = head - window + 1;
      let reached: number;
      if (next < windowStart) {
        reached = await this.blocks.applyOld(next, Math.min(windowStart - 1, next + this.batchSize - 1, until));
      } else {
        const to = Math.min(until, next + HEADER_BATCH - 1);
        const res = await this.blocks.readKept(next, to);
        if (res.headers.length === 0) break; // that node is behind: the next round takes it
        const outcome = await this.blocks.applyKept(cursor.hash, res.headers, res.logs);
        if (outcome === "fork") {
          await this.followReorg(cursor.block, window);
          return this.round(window);
        }
        reached = res.headers[res.headers.length - 1].number;
      }
      if (reached < next) break;
      cursor = (await projection.cursor()) ?? cursor;
      this.progress(cursor.block);
    }
    this.progress(cursor.block);
    this.expected.forgetUpTo(cursor.block);
    await this.pruneBelow(cursor.block - window + 1);
  }

  /**
   * Drops the journal and kept hashes below `floor` (they left the reorg window), unless the last
   * prune was below this same floor: journal entries and kept hashes are only ever written for
   * blocks above the cursor of the moment, so while the floor (cursor - window + 1) has not moved,
   * nothing new lies below it, and a round would run a write transaction (a durable commit) that
   * deletes nothing. Rounds run every poll interval, idle or not (docs/relayer-latency.md, "Sixth
   * pass"); any move of the cursor (a block applied here or from a receipt, a reorg undone, a
   * reset) moves the floor, and the next round prunes.
   */
  private async pruneBelow(floor: number): Promise<void> {
    if (floor === this.prunedFloor) return;
    await this.index.projection.prune(floor, this.commit);
    this.prunedFloor = floor;
  }

  /** Whether the chain's block `head` differs from the one the index kept at that height. */
  private async headReplaced(head: number): Promise<boolean> {
    const [kept] = await this.index.projection.keptBlocks(head, head);
    if (!kept) return false;
    const [r] = await sendAll(this.rpc, [headerCall(head)]);
    const now = parseHeader(r, head);
    return now !== null && now.hash !== kept.hash;
  }

  private progress(block: number): void {
    this.applied = block;
    this.notify();
  }

  /**
   * The block at `cursorBlock` is no longer the one the index applied: finds the fork point (the
   * highest kept block whose hash the chain still has), undoes the index to it and tells the
   * reorg listeners. Halts when the fork point is out of reach (deeper than the window).
   */
  private async followReorg(cursorBlock: number, window: number): Promise<void> {
    const projection = this.index.projection;
    const kept = await projection.keptBlocks(Math.max(this.startBlock, cursorBlock - window), cursorBlock);
    let fork = await highestStillOnChain(this.rpc, kept);
    // Nothing kept is on the chain any more: the fork point is below the kept blocks. Only when the
    // index holds nothing older than them (it started inside the window) can it go back that far.
    if (fork === null) {
      const lowest = kept.length > 0 ? kept[kept.length - 1].block : cursorBlock + 1;
      if (lowest - 1 <= this.startBlock - 1) fork = this.startBlock - 1;
    }
    if (fork === null || !(await projection.canUndoTo(fork))) {
      this.halt(cursorBlock, window, kept.length);
      // The index stops, the writer does not: it checks again (and sends again) its writes from the
      // fork point when known, else from one more window below the lowest kept block (a reorg up
      // to twice the window deep; deeper ones are the operator's, see docs/finality.md).
      const lowest = kept.length > 0 ? kept[kept.length - 1].block : cursorBlock;
      this.tellReorg(Math.max(this.startBlock, fork === null ? lowest - window : fork + 1));
      throw new IndexHaltedError(this.halted ?? "reorg deeper than the window");
    }
    // The writer first (it does not read the index): re-sending the dropped writes need not wait
    // for the undo's database transaction. It checks every write from the fork point on, so the
    // receipts it saw above it need no check of their own.
    this.tellReorg(fork + 1);
    this.expected.forgetAbove(fork);
    const undone = await projection.undoTo(fork, this.commit);
    this.reorgCount++;
    this.lastReorg = { forkBlock: fork, depth: cursorBlock - fork, at: Date.now() };
    this.applied = fork;
    this.log?.warn(
      { forkBlock: fork, indexedBlock: cursorBlock, depth: cursorBlock - fork, rowChangesUndone: undone },
      "index: reorg followed; undone to the fork point, applying the canonical blocks",
    );
  }

  /** Tells the reorg listeners that blocks from `block` on were replaced (never throws). */
  private tellReorg(block: number): void {
    for (const l of this.reorgListeners) {
      try {
        l.noteReorg(block);
      } catch (err) {
        this.log?.warn({ err: errorText(err) }, "reorg listener failed");
      }
    }
  }

  private halt(cursorBlock: number, window: number, kept: number): void {
    this.halted =
      `a reorg replaced block ${cursorBlock} and every block the index keeps (${kept}, REORG_WINDOW ${window}): ` +
      `it is deeper than the window; rebuild the index (npx hardhat relayer:reindex, or start the relayer with --reindex)`;
    this.index.markUnavailable(this.halted);
    this.log?.error({ indexedBlock: cursorBlock, reorgWindow: window }, `index stopped: ${this.halted}`);
  }
}
