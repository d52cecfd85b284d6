/**
 * Write batching: diamond calls that arrive while the writer is busy share one transaction
 * through BatchFacet.batchCalls (one signature, one nonce, one 21 000-gas intrinsic cost and one
 * block's worth of node work for many writes).
 *
 * Policy (adaptive, no timer): `maxInFlight` transactions of this front may be under way at once.
 * A call that arrives while fewer are under way leaves at once, alone, exactly as without
 * batching (same gas, same latency). Calls that arrive while the front is full wait, and the next
 * free slot takes all of them (up to `maxCalls`, `maxBytes` of calldata and `gasBudget`:
 * batch-limits.ts) as one batch; a full batch (`maxCalls` waiting, or the next call's bytes
 * beyond `maxBytes`) leaves at once whatever is under way. Calls filling at least half a batch
 * leave on one more slot per slot of the front (up to `2 x maxInFlight` under way): a payer then
 * has a second, well-filled batch signed and with the node while its first is being mined, so the
 * node is not left idle between them (docs/relayer-latency.md, fifth pass); fewer calls wait for a
 * slot of the front as before. A batch the node refuses as too large anyway (node-limits in
 * writer/) goes again in smaller batches. So an idle relayer adds no latency, and a busy one sends
 * fewer, larger transactions.
 *
 * A batch of calls [c0..cn]:
 *   1. pre-flight: one eth_call of batchCalls([c0..cn]) reports each call's outcome and gas used
 *      (the calls are non-atomic: a failing call does not undo the others). A call that fails
 *      there is rejected with its decoded custom error, before any gas is spent (as the writer's
 *      own pre-flight does for a single call). A failure without revert data (out of gas, say)
 *      is not judged here: that call is sent alone, through the writer's own pre-flight.
 *   2. the calls that passed (two or more; one goes alone) are sent as one outbox row through the
 *      ChainWriter with a gas limit computed from the measured gas, so every durability property
 *      of the outbox holds for the batch as a whole (stored before broadcast, rebroadcast after a
 *      crash, fee bumps, receipt checks, read-your-writes).
 *   3. the receipt's logs are split per call at the BatchCallResult(index, success, revertData)
 *      events the facet emits after each call: call i gets the events between the previous
 *      delimiter and its own. A call that failed on-chain anyway (state changed between pre-flight
 *      and mining) is rejected with its decoded error; nothing of it was applied.
 *   4. if the batch transaction itself reverts (nothing of it applied; e.g. BatchCallOutOfGas,
 *      which the facet raises rather than let a call fail for want of gas), every call is
 *      retried alone, once the batch's row is final (BatchTarget.finalOutcome): until then a reorg
 *      may drop the reverted batch, and the writer re-sends its bytes, which may then fit their
 *      gas and apply the calls; retried earlier, they would be applied twice (docs/finality.md,
 *      "A batch's calls through a reorg"). A batch that a reorg re-mined with success before it
 *      was final answers its calls from that receipt, and none is retried.
 *
 * Pre-flight from cached gas (docs/relayer-latency.md): each call shape (selector + calldata
 * length) that passed a batch pre-flight keeps the most gas it was measured to use. A batch whose
 * calls all have a cached shape skips step 1 and is sent at once with a gas limit from the cached
 * figures. That is safe for a batch and only for a batch: its calls are non-atomic, so a call that
 * fails on-chain applies nothing and is answered with the decoded custom error its
 * BatchCallResult carries (step 3), the others are applied, and the transaction itself succeeds
 * (no nonce or row is lost). That error answer waits until the batch's row is final: a pre-flight
 * would have refused the call with nothing sent, which no reorg can change, whereas a call that
 * failed on chain may succeed when a reorg makes the batch run again on other state; the answer is
 * what the final chain says. A call that fails there without revert data (out of gas: the cache
 * was too low), or a batch that reverts as a whole, drops the shapes involved from the cache and
 * is retried alone (step 4, once final), so the next batch of that shape is pre-flighted again.
 * The service layer's permission pre-checks have run before any call reaches the batcher.
 *
 * A call is queued only once the writer admits writes (its payer check passes, writer/payer-check.ts):
 * otherwise it is refused at once, before any pre-flight.
 *
 * Calls with an Idempotency-Key are never batched: their outbox row is their idempotency record
 * (ChainWriter), which a shared row cannot be. Nor are calls when the diamond has no batchCalls
 * (an older deployment): a pre-flight answered FunctionDoesNotExist turns batching off for this
 * process, with a warning. Any other pre-flight failure (but the transport) sends that batch's
 * calls alone.
 */
import { TraceGroup } from "../../core/write-trace";
import {
  ChainUnavailableError,
  RevertError,
  type ReorgListener,
  type WriteReceipt,
  type WriteRequest,
  type Writer,
  WriteTooLargeError,
} from "../ports";
import { decodeRevert, encodeCall, revertErrorOf } from "./abi";
import { BATCH_RETRY_SCOPE, batchRetryKey, decodeBatchResult, encodeBatchCalls } from "./batch-encoding";
import { awaitFinal } from "./batch-final";
import { BatchGasCache, batchGasLimit } from "./batch-gas";
import { BatchLimits } from "./batch-limits";
import { splitBatchEvents } from "./batch-outcomes";
import type { BatchTarget, BatcherOptions, BatcherStats } from "./batch-target";
import { silentLogger, type ChainLogger } from "./log";
import { errorText, isTransportError, revertDataOf, toQuantity, type RpcLike } from "./rpc";

/**
 * Gas of the pre-flight eth_call (the calls' own budget is checked afterwards): just under the
 * per-transaction gas cap of EIP-7825 (2^24), which nodes also apply to eth_call.
 */
const PREFLIGHT_GAS_CAP = 16_000_000n;

interface Pending {
  request: WriteRequest;
  calldata: string;
  resolve: (receipt: WriteReceipt) => void;
  reject: (err: unknown) => void;
}

interface Measured {
  item: Pending;
  gas: bigint;
}

/** Moved to batch-encoding.ts; exported here too for the code that imports them from this file. */
export { decodeBatchResult, encodeBatchCalls } from "./batch-encoding";

const revertOf = (data: string): RevertError => revertErrorOf(decodeRevert(data));

export class BatchingWriter implements Writer, ReorgListener {
  private readonly diamond: string;
  /** Calls, bytes and gas of one batch (batch-limits.ts). */
  private readonly limits: BatchLimits;
  private readonly maxInFlight: number;
  private readonly gasLimitPercent: bigint;
  private readonly writeTimeoutMs: number;
  private readonly log: ChainLogger;
  private readonly queue: Pending[] = [];
  private inFlight = 0;
  /** Transactions under way; `counted` while one holds a slot of the front (see noteReorg). */
  private readonly dispatches = new Set<{ counted: boolean }>();
  private pumpScheduled = false;
  private enabled: boolean;
  private readonly counts = { single: 0, batches: 0, batchedCalls: 0, rejected: 0, retriedAlone: 0, cachedGas: 0 };
  /** Most gas a call of each shape used in a batch pre-flight (see the file comment). */
  private readonly gas = new BatchGasCache();

  constructor(
    private readonly target: BatchTarget,
    private readonly rpc: RpcLike,
    opts: BatcherOptions,
  ) {
    this.diamond = opts.diamondAddress.toLowerCase();
    const percent = Math.max(100, Math.ceil(opts.gasLimitPercent ?? 125));
    this.limits = new BatchLimits(Math.max(1, Math.floor(opts.maxCalls ?? 32)), opts.maxBytes, opts.gasBudget, percent);
    this.maxInFlight = Math.max(1, Math.floor(opts.maxInFlight ?? target.payers.length));
    this.gasLimitPercent = BigInt(percent);
    this.writeTimeoutMs = Math.max(0, opts.writeTimeoutMs ?? 120_000);
    this.log = opts.logger ?? silentLogger;
    this.enabled = this.limits.maxCalls >= 2;
  }

  stats(): BatcherStats {
    return { ...this.counts, enabled: this.enabled };
  }

  write(request: WriteRequest): Promise<WriteReceipt> {
    if (!this.enabled || request.idempotencyKey !== undefined || request.method === "batchCalls") {
      return this.target.write(request);
    }
    let calldata: string;
    try {
      calldata = encodeCall(request.method, request.args);
    } catch (err) {
      return Promise.reject(err);
    }
    const queue = (): Promise<WriteReceipt> =>
      new Promise<WriteReceipt>((resolve, reject) => {
        this.queue.push({ request, calldata, resolve, reject });
        this.schedulePump();
      });
    return this.target.admitWrites ? this.target.admitWrites().then(queue) : queue();
  }

  /** Rejects a call with its decoded revert (as the writer would answer it, see BatchTarget.reviewFailure). */
  private rejectReverted(item: Pending, data: string): void {
    const err = revertOf(data);
    if (!this.target.reviewFailure) {
      item.reject(err);
      return;
    }
    this.target.reviewFailure(err).then(item.reject, () => item.reject(err));
  }

  /** Pumps after the current burst of I/O callbacks, so the calls that arrived together leave together. */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    // A full batch (maxCalls calls, or no room for the next call's bytes) never waits: it is as
    // cheap per call as batching gets, and holding it back would cap throughput at maxInFlight
    // transactions per block on a chain with block times.
    for (;;) {
      const n = this.limits.take(this.queue);
      const full = n === this.limits.maxCalls || n < this.queue.length;
      // At least half a batch waiting: one more slot per slot of the front (see the file comment).
      const deep = 2 * n >= this.limits.maxCalls && this.inFlight < 2 * this.maxInFlight;
      if (n === 0 || (this.inFlight >= this.maxInFlight && !full && !deep)) break;
      const items = this.queue.splice(0, n);
      const slot = { counted: true };
      this.inFlight++;
      this.dispatches.add(slot);
      // The slot is a payer's: it is free again once the transaction is on chain (or with the
      // node), not only when every write of it is answered (receipt recorded, index updated), and
      // at once when a reorg is reported (noteReorg).
      const release = (): void => {
        if (!slot.counted) return;
        slot.counted = false;
        this.inFlight--;
        if (this.queue.length > 0) this.schedulePump();
      };
      void this.dispatch(items, release)
        .catch((err: unknown) => {
          for (const item of items) item.reject(err);
        })
        .finally(() => {
          this.dispatches.delete(slot);
          release();
        });
    }
  }

  /**
   * The index saw a reorg: the transactions under way may have been dropped with their blocks and
   * wait to be mined again (the writer re-sends them). Their slots are freed now, so the calls
   * that arrive meanwhile leave at once instead of waiting for them (docs/finality.md).
   */
  noteReorg(_block: number): void {
    for (const slot of this.dispatches) {
      if (!slot.counted) continue;
      slot.counted = false;
      this.inFlight--;
    }
    if (this.queue.length > 0) this.schedulePump();
  }

  private async dispatch(items: Pending[], onChain: () => void): Promise<void> {
    for (const item of items) item.request.trace?.mark("queue");
    if (items.length === 1 || !this.enabled) {
      await Promise.all(items.map((item) => this.alone(item, "single", items.length === 1 ? onChain : undefined)));
      return;
    }
    const data = encodeBatchCalls(items.map((i) => i.calldata));
    const cached = this.cachedGas(items);
    if (cached) TraceGroup.of(items.map((i) => i.request.trace))?.mark("preflight");
    const measured = cached ?? (await this.preflight(items, data));
    if (measured === null) return;
    const fit = this.limits.takeGas(measured.map((m) => m.gas));
    const take = measured.slice(0, fit);
    const rest = measured.slice(fit);
    if (rest.length > 0) {
      // Back to the front of the queue: the next slot pre-flights them again.
      this.queue.unshift(...rest.map((m) => m.item));
    }
    if (take.length === 1) {
      await this.alone(take[0].item, "single", onChain);
      return;
    }
    if (take.length === 0) return;
    // Every call passed and fits: the pre-flight's calldata is the batch's.
    if (cached) this.counts.cachedGas++;
    await this.sendBatch(take, take.length === items.length ? data : encodeBatchCalls(take.map((m) => m.item.calldata)), onChain, cached !== null);
  }

  /** Every call with its cached gas, when every call's shape has one; else null (pre-flight). */
  private cachedGas(items: readonly Pending[]): Measured[] | null {
    const gas = this.gas.all(items.map((item) => item.calldata));
    return gas && items.map((item, i) => ({ item, gas: gas[i] }));
  }

  /** The cached gas of these calls proved wrong (or their batch failed): pre-flight them again next time. */
  private forgetGas(items: readonly Pending[]): void {
    this.gas.forget(items.map((item) => item.calldata));
  }

  /** Sends one call alone through the writer (its own pre-flight, outbox row and receipt). */
  private async alone(item: Pending, why: "single" | "retry", onChain?: () => void, request: WriteRequest = item.request): Promise<void> {
    if (why === "single") this.counts.single++;
    else this.counts.retriedAlone++;
    try {
      item.resolve(await this.target.write(request, undefined, onChain ? { onChain } : undefined));
    } catch (err) {
      item.reject(err);
    }
  }

  /**
   * One eth_call of batchCalls for all the calls. Rejects the calls that fail with revert data;
   * returns the others with their measured gas (calls that failed without revert data are sent
   * alone). Null when the calls were all handled here.
   */
  private async preflight(items: Pending[], data: string): Promise<Measured[] | null> {
    let raw: string;
    try {
      raw = (await this.rpc.send("eth_call", [
        { from: this.target.payers[0], to: this.diamond, data, gas: toQuantity(PREFLIGHT_GAS_CAP) },
        "latest",
      ])) as string;
    } catch (err) {
      if (isTransportError(err)) {
        const e = new ChainUnavailableError(`chain unavailable: ${errorText(err)}`, false);
        for (const item of items) item.reject(e);
        return null;
      }
      const reverted = revertDataOf(err);
      if (reverted !== null && decodeRevert(reverted).name === "FunctionDoesNotExist") {
        this.enabled = false;
        this.log.warn({}, "write batching turned off: the diamond has no batchCalls (BatchFacet); calls are sent one by one");
      } else {
        this.log.warn({ err: errorText(err) }, "batch pre-flight failed; its calls are sent one by one");
      }
      await Promise.all(items.map((item) => this.alone(item, "single")));
      return null;
    }
    TraceGroup.of(items.map((i) => i.request.trace))?.mark("preflight");
    const { success, results, gasUsed } = decodeBatchResult(raw);
    const passed: Measured[] = [];
    const alone: Pending[] = [];
    items.forEach((item, i) => {
      if (success[i]) {
        passed.push({ item, gas: BigInt(gasUsed[i]) });
        this.gas.remember(item.calldata, BigInt(gasUsed[i]));
      } else if (results[i] === "0x") {
        alone.push(item);
      } else {
        this.counts.rejected++;
        this.rejectReverted(item, results[i]);
      }
    });
    if (alone.length > 0) void Promise.all(alone.map((item) => this.alone(item, "retry")));
    return passed;
  }

  /**
   * Sends the calls as one batchCalls write; `calldata` is their batchCalls encoding, `fromCache`:
   * their gas came from the cache (no pre-flight).
   *
   * A call is sent alone again (retried) only once the batch's row is final (docs/finality.md
   * "A batch's calls through a reorg"): when the batch reverted as a whole, or the call failed in it
   * without revert data. Until then a reorg may drop the batch's block and the re-sent batch may
   * apply the call on the new branch: retried earlier, it would be applied twice. Likewise a call
   * of a batch sent from cached gas that failed with revert data is answered with that error only
   * once the row is final: without a pre-flight it was refused on chain rather than before
   * sending, and a reorg could still apply it. Everything else is answered at once.
   */
  private async sendBatch(measured: Measured[], calldata: string, onChain: () => void, fromCache = false): Promise<void> {
    const calls = measured.map((m) => m.item.calldata);
    this.counts.batches++;
    this.counts.batchedCalls += measured.length;
    const row: { id: number | null } = { id: null };
    // A call left waiting for the batch to be final is answered by then at the latest (as a write
    // whose confirmations do not come in time), and stays tracked (see awaitFinal).
    const deadline = Date.now() + this.writeTimeoutMs;
    let receipt: WriteReceipt | null;
    try {
      const trace = TraceGroup.of(measured.map((m) => m.item.request.trace));
      receipt = await this.target.write(
        { method: "batchCalls", args: [calls], ...(trace ? { trace } : {}) },
        { gasLimit: batchGasLimit(calldata, measured.map((m) => m.gas), this.gasLimitPercent), calldata },
        {
          onChain,
          onRow: (id) => {
            row.id = id;
          },
        },
      );
    } catch (err) {
      if (err instanceof WriteTooLargeError) {
        this.requeueRefused(measured, calldata, err);
        return;
      }
      if (!(err instanceof RevertError)) throw err;
      // The batch transaction reverted as a whole: none of its calls was applied (on this branch).
      this.log.warn({ calls: calls.length, error: err.errorName }, "batch transaction reverted; its calls are sent one by one once it is final");
      this.forgetGas(measured.map((m) => m.item));
      receipt = null;
    }
    // The node took it: a budget lowered by an earlier refusal grows back, slowly (batch-limits.ts).
    if (this.limits.accepted()) this.log.info({ bytes: this.limits.maxBytes, gas: String(this.limits.gasBudget) }, "batch budget raised again");
    const open = this.answerCalls(measured.map((m, i) => ({ i, m })), receipt, false, fromCache);
    if (open.length === 0) return;
    let final = receipt;
    const id = row.id;
    if (id !== null && this.target.finalOutcome) {
      const settled = await awaitFinal(
        this.target.finalOutcome(id),
        id,
        open.length,
        (err) => {
          for (const { m } of open) m.item.reject(err);
        },
        deadline,
        this.log,
      );
      if (!settled.ok) {
        if (!(settled.error instanceof RevertError)) {
          for (const { m } of open) m.item.reject(settled.error);
          return;
        }
        final = null;
      } else {
        final = settled.value;
      }
    }
    const retry = this.answerCalls(open, final, true, fromCache);
    this.forgetGas(retry.map(({ m }) => m.item));
    // Keyed by the batch's row and the call's index: sent alone at most once, also when the
    // start-up recovery of another instance (or of this one, restarted) settles the same batch.
    await Promise.all(
      retry.map(({ i, m }) =>
        id === null
          ? this.alone(m.item, "retry")
          : this.alone(m.item, "retry", undefined, { ...m.item.request, idempotencyScope: BATCH_RETRY_SCOPE, idempotencyKey: batchRetryKey(id, i) }),
      ),
    );
  }

  /**
   * The node refused the batch as too large (nothing of it applied; its nonce went to a filler):
   * the limits learn half its size or gas (batch-limits.ts) and its calls go back to the front of
   * the queue, to leave in smaller batches (or alone, where a call too large alone is answered).
   */
  private requeueRefused(measured: Measured[], calldata: string, err: WriteTooLargeError): void {
    const gas = measured.reduce((sum, m) => sum + m.gas, 0n);
    const budget = this.limits.narrow(err.limit, (calldata.length - 2) / 2, gas);
    this.log.warn({ calls: measured.length, limit: err.limit, budget: String(budget), err: err.message }, "the node refused a batch as too large; its calls go again in smaller batches");
    this.queue.unshift(...measured.map((m) => m.item));
    this.schedulePump();
  }

  /**
   * Answers the calls `entries` (index in the batch, call) from the batch's receipt (null: the batch
   * reverted as a whole); returns those left open: to retry alone once `final`, to look at again
   * once the row is final otherwise (see sendBatch).
   */
  private answerCalls(
    entries: readonly { i: number; m: Measured }[],
    receipt: WriteReceipt | null,
    final: boolean,
    fromCache: boolean,
  ): { i: number; m: Measured }[] {
    if (receipt === null) return [...entries];
    const outcomes = splitBatchEvents(receipt.events);
    const open: { i: number; m: Measured }[] = [];
    for (const entry of entries) {
      const { i, m } = entry;
      const o = outcomes.get(i);
      if (!o) {
        m.item.reject(new Error(`batch ${receipt.txHash}: no BatchCallResult for call ${i}`));
      } else if (o.success) {
        m.item.resolve({ txHash: receipt.txHash, blockNumber: receipt.blockNumber, gasUsed: m.gas.toString(), events: o.events });
      } else if (o.revertData === "0x") {
        this.forgetGas([m.item]); // out of gas: the next batch of that shape is pre-flighted
        open.push(entry);
      } else if (fromCache && !final) {
        open.push(entry);
      } else {
        this.rejectReverted(m.item, o.revertData);
      }
    }
    return open;
  }
}
