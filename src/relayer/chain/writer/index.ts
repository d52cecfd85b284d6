/**
 * The chain writer: implements Writer (../../ports) on top of the durable outbox (OutboxPort),
 * split by transaction life-cycle stage, one file each:
 *
 *   payers.ts       payer pool and nonces: keys, payer choice, nonce locks, signing, reconciliation
 *   signing.ts      nonce allocation + signing + storing (one commit per payer batch), submit
 *   send-row.ts     a new row signed, stored and broadcast, and its mined outcome collected
 *   fee-policy.ts   fee policy: pure functions (new fees, fee bumps)
 *   fee-source.ts   current fees from the node, cached
 *   preflight.ts    pre-flight (eth_estimateGas / eth_call) and the gas cache
 *   broadcaster.ts  broadcasts in nonce order per payer, error classification, eager receipts
 *   receipts.ts     receipt poller and outcome recording
 *   finality.ts     receipt and finality tracker: watches mined writes until final, follows reorgs
 *   stuck.ts        stuck transactions: fee bumps (capped), nonces taken by foreign transactions
 *   pool-loss.ts    sent transactions the node lost before mining (a reorg, an eviction): rebroadcast
 *   reorg-resend.ts on a reported reorg, every write it may have dropped sent again at once (one batch)
 *   l1-fee.ts       OP-stack L1 data fee (GasPriceOracle predeploy)
 *   balances.ts     balance monitor: costs (L1 fee included) and payer top-ups from the admin payer
 *   payer-check.ts  payer check: every payer registered on the diamond and funded, else writes refused
 *   answer.ts       the answer: waits for the outcome (and confirmations), then for the index
 *   options.ts      the writer's settings and the status it reports
 *   index.ts        this file: write(), the worker loop and start-up recovery
 *
 * write(request):
 *  1. encode the call; with an Idempotency-Key already used, wait for / return that row's outcome
 *     (a different request under the same key -> IdempotencyConflictError);
 *  2. the payer check (payer-check.ts) must pass: otherwise PayersUnavailableError, before
 *     anything is signed, stored or sent;
 *  3. pick a payer and pre-flight the call from it (preflight.ts): a revert -> RevertError with
 *     the decoded custom error; RPC down -> ChainUnavailableError(queued=false). Nothing is
 *     persisted or sent, no nonce is used. A call without an Idempotency-Key whose shape's gas is
 *     cached skips this step: a revert on chain is then the same decoded RevertError (one without
 *     data, out of the cached gas, is sent again pre-flighted; docs/relayer-latency.md);
 *  4. store it signed under the payer's nonce lock (signing.ts) and queue its broadcast
 *     (broadcaster.ts). RPC down here -> ChainUnavailableError(queued=true): the worker keeps
 *     rebroadcasting the persisted transaction. (When the fee lookup fails, the row is persisted
 *     unsigned, queued, and the worker signs it later: also queued=true.);
 *  5. the receipt is asked for in the broadcast's own JSON-RPC batch, else by the shared poller
 *     (receipts.ts): status 0 -> RevertError; status 1 -> the indexer is synced to that block
 *     (read-your-writes) -> WriteReceipt with the decoded events. A transaction not mined at once
 *     is marked sent and left to the worker, which polls it every tick. With writeConfirmations
 *     N > 0 the answer waits until the finality tracker has seen the receipt N blocks deep;
 *  6. either way the finality tracker (finality.ts) keeps watching the receipt until it is
 *     confirmationDepth blocks deep: a reorg that drops it sends the row back to the outbox.
 * The worker also handles stuck transactions (stuck.ts), and on start reconciles each payer's
 * nonce counter with the chain and rebroadcasts every signed/sent row (so a crash loses nothing
 * and never sends a second transaction for one row).
 */
import { keccak256 } from "ethers";
import {
  ChainUnavailableError,
  RevertError,
  type InFlightHead,
  type NewOutboxRow,
  type OutboxPort,
  type OutboxRow,
  type WriteReceipt,
  type WriteRequest,
  type Writer,
} from "../../ports";
import { encodeCall } from "../abi";
import { BATCH_RETRY_SCOPE } from "../batch-encoding";
import { silentLogger } from "../log";
import { errorText, hexToBigInt, type RpcLike } from "../rpc";
import { BalanceMonitor, type PayerFunds, type TopUp } from "./balances";
import { BatchRecovery } from "./batch-recovery";
import type { WriteProgress } from "../batch-target";
import { WriteAnswers } from "./answer";
import { Broadcaster } from "./broadcaster";
import { BusyRows, RowEvents, type WriterContext } from "./context";
import { bumpPermille, type Fees } from "./fee-policy";
import { FeeSource } from "./fee-source";
import { FinalityTracker } from "./finality";
import { L1FeeOracle } from "./l1-fee";
import type { WriterOptions, WriterStatus } from "./options";
import { PayerCheck, type PayerReport } from "./payer-check";
import { PayerPool } from "./payers";
import { Preflight } from "./preflight";
import { ReceiptTracker, type IndexFollower } from "./receipts";
import { RowSender } from "./send-row";
import { Signer } from "./signing";
import { PoolLossCheck } from "./pool-loss";
import { ReorgResend } from "./reorg-resend";
import { frontRetryBatch, isRetryScope, ownRetry, refuseUnderKey } from "./retry-refusal";
import { isRefusalToRetry } from "./until-sent";
import { StuckHandler } from "./stuck";

export type { PayerFunds, TopUp } from "./balances";
export type { PayerReport, PayerStatus } from "./payer-check";
export type { IndexFollower } from "./receipts";
export type { WriterOptions, WriterStatus } from "./options";

export class ChainWriter implements Writer {
  readonly payers: string[];
  readonly adminPayer: string | null;
  private readonly ctx: WriterContext;
  private readonly pool: PayerPool;
  private readonly fees: FeeSource;
  private readonly preflight: Preflight;
  private readonly receipts: ReceiptTracker;
  private readonly broadcaster: Broadcaster;
  private readonly signer: Signer;
  private readonly rowSender: RowSender;
  private readonly stuck: StuckHandler;
  private readonly poolLoss: PoolLossCheck;
  private readonly reorgResend: ReorgResend;
  private readonly balances: BalanceMonitor;
  private readonly finality: FinalityTracker;
  private readonly l1: L1FeeOracle;
  private readonly payerCheck: PayerCheck;
  private readonly pollIntervalMs: number;
  private readonly stuckAfterMs: number;
  private readonly answers: WriteAnswers;
  private readonly batchRecovery: BatchRecovery;

  private ready = false;
  private started = false;
  private stopped = false;
  private initializing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private balanceTimer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private lastTickError: string | null = null;
  /** When a write last found the node unavailable (ms). */
  private unavailableAt = 0;

  constructor(
    rpc: RpcLike,
    outbox: OutboxPort,
    private readonly indexer: IndexFollower,
    private readonly opts: WriterOptions,
  ) {
    this.pool = new PayerPool(opts.payerKeys, opts.adminPayerKey);
    this.payers = this.pool.payers;
    this.adminPayer = this.pool.adminPayer;
    const log = opts.logger ?? silentLogger;
    this.ctx = { rpc, outbox, diamond: opts.diamondAddress.toLowerCase(), log, rows: new RowEvents(), busy: new BusyRows() };
    this.pollIntervalMs = opts.pollIntervalMs ?? 1000;
    this.stuckAfterMs = opts.stuckAfterMs ?? 60_000;
    this.fees = new FeeSource(rpc, { maxFeePerGasWei: opts.maxFeePerGasWei, cacheMs: opts.feeCacheMs });
    this.preflight = new Preflight(rpc, this.ctx.diamond, BigInt(opts.gasLimitPercent ?? 125));
    this.l1 = new L1FeeOracle(rpc);
    this.receipts = new ReceiptTracker(
      this.ctx,
      indexer,
      () => this.finality.finalAtInclusion(),
      () => this.finality,
    );
    this.broadcaster = new Broadcaster(this.ctx, this.receipts, {
      insufficientFunds: () => {
        if (this.adminPayer && !this.balances.busy) this.balances.check().catch(() => undefined);
        this.payerCheck.nudge();
      },
    });
    this.signer = new Signer(this.ctx, this.pool, this.fees, this.broadcaster, this.receipts);
    this.rowSender = new RowSender(this.ctx, this.signer, this.broadcaster, this.receipts, indexer);
    this.stuck = new StuckHandler(
      this.ctx,
      this.pool,
      this.fees,
      this.preflight,
      this.receipts,
      this.broadcaster,
      this.signer,
      bumpPermille(opts.feeBumpPercent),
    );
    // A sent transaction the node lost (a reorg, an eviction) is looked for every 3 worker ticks (at least 3 s).
    this.poolLoss = new PoolLossCheck(this.ctx, this.broadcaster, Math.max(3000, 3 * this.pollIntervalMs));
    this.reorgResend = new ReorgResend(this.ctx, this.pool);
    this.finality = new FinalityTracker(this.ctx, this.pool, this.receipts, this.broadcaster, this.stuck, {
      confirmationDepth: opts.confirmationDepth,
      writeConfirmations: opts.writeConfirmations,
    });
    this.answers = new WriteAnswers(
      this.ctx,
      indexer,
      this.finality,
      { writeTimeoutMs: opts.writeTimeoutMs ?? 120_000, pollIntervalMs: this.pollIntervalMs },
      { started: () => this.started, stopped: () => this.stopped, advance: (row, now) => this.advance(row, now) },
    );
    this.batchRecovery = new BatchRecovery(this.ctx, (payer) => this.pool.has(payer), this.answers, (request, progress) => this.write(ownRetry(request), undefined, progress), () => this.stopped);
    this.balances = new BalanceMonitor(
      this.ctx,
      this.pool,
      this.signer,
      this.fees,
      this.l1,
      { ensureReady: () => (this.ready ? Promise.resolve() : this.init()), finish: (id) => this.answers.finish(id) },
      { rebalanceAmountWei: opts.rebalanceAmountWei, minPayerBalanceWei: opts.minPayerBalanceWei },
    );
    this.payerCheck = new PayerCheck(this.ctx, this.pool, this.balances, { ready: () => this.ready }, {
      intervalMs: opts.payerCheckIntervalMs,
      minPayerBalanceWei: opts.requiredPayerBalanceWei,
    });
  }

  // ------------------------------------------------------------------ life cycle

  /**
   * Starts the worker; start-up recovery runs now and, while the RPC is down, on each tick. The
   * payer check runs once start-up recovery has, then periodically.
   */
  async start(): Promise<void> {
    this.stopped = false;
    this.started = true;
    try {
      await this.init();
      await this.payerCheck.refresh();
    } catch (err) {
      this.ctx.log.warn({ err: errorText(err) }, "writer start-up recovery postponed (RPC unavailable)");
    }
    this.payerCheck.start();
    this.schedule();
    const every = this.opts.balanceCheckIntervalMs ?? 60_000;
    if (every > 0 && this.adminPayer) {
      this.balanceTimer = setInterval(() => {
        if (this.ready && !this.balances.busy) {
          this.balances.check().catch((err: unknown) => this.ctx.log.warn({ err: errorText(err) }, "balance check failed"));
        }
      }, every);
    }
  }

  /** Stops the worker. Pending write() calls reject with ChainUnavailableError(queued=true). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    if (this.balanceTimer) clearInterval(this.balanceTimer);
    this.timer = null;
    this.balanceTimer = null;
    this.ctx.rows.notifyAll();
    await this.ticking?.catch(() => undefined);
    await this.payerCheck.stop();
    await this.balances.idle();
  }

  isReady(): boolean {
    return this.ready;
  }

  status(): WriterStatus {
    return {
      ready: this.ready,
      inFlight: this.pool.inFlightCounts(),
      lastError: this.lastTickError,
      unregisteredPayers: this.payerCheck.current()?.unregistered ?? [],
      payers: this.payerCheck.current(),
      finality: {
        confirmationDepth: this.finality.confirmationDepth,
        writeConfirmations: this.finality.writeConfirmations,
        ...this.finality.counts,
      },
      l1DataFee: this.l1.known,
    };
  }

  /**
   * The index saw a reorg from `block` on (its fork point + 1): the signed bytes of every write it
   * may have dropped are sent again at once, in one batch (reorg-resend.ts), so that the next
   * write's nonce need not wait; then every write mined since is checked again, final or not, and
   * sent back to the outbox if its block is gone (finality.ts).
   */
  noteReorg(block: number): void {
    this.finality.noteReorg(block);
    if (!this.ready) return;
    const resending = this.reorgResend
      .resend(block)
      .then(({ rows, accepted }) => this.finality.noteResent(rows, accepted))
      .catch((err: unknown) => this.ctx.log.warn({ err: errorText(err) }, "re-sending after a reorg failed; the rounds take over"));
    // A round already under way started before the reorg was known: one more after it.
    void Promise.all([this.finality.round(), resending]).then(() => this.finality.round());
  }

  /**
   * Waits until outbox row `id` is final; its receipt, or RevertError when it is final reverted
   * (WriteAnswers.final). The batching front's retry of a reverted batch's calls waits for it.
   */
  finalOutcome(id: number): Promise<WriteReceipt> {
    return this.answers.final(id);
  }

  /** Each payer's balance, what its in-flight transactions may still cost and a typical write's cost (L1 data fee included). */
  funds(): Promise<PayerFunds[]> {
    return this.balances.funds();
  }

  /** Runs the payer check now (registration and funds); null while the node cannot be reached before a first result. */
  checkPayers(): Promise<PayerReport | null> {
    return this.payerCheck.refresh();
  }

  /**
   * Resolves when writes are accepted; rejects with PayersUnavailableError while the payer check
   * fails (the batching front asks before it pre-flights anything).
   */
  async admitWrites(): Promise<void> {
    if (!this.ready) {
      try {
        await this.init();
      } catch (err) {
        throw new ChainUnavailableError(`chain unavailable: ${errorText(err)}`, false);
      }
    }
    await this.payerCheck.admit();
  }

  /** The error to answer a failed write with: an OnlyApiPayerOrOwner revert re-runs the payer check first. */
  reviewFailure(err: unknown): Promise<unknown> {
    return this.payerCheck.review(err);
  }

  /**
   * Tops up every payer whose balance is below the threshold with the rebalance amount from the
   * admin payer, and waits for those transfers. Without an admin payer key, does nothing.
   */
  checkBalances(): Promise<TopUp[]> {
    return this.balances.check();
  }

  private init(): Promise<void> {
    if (this.ready) return Promise.resolve();
    if (!this.initializing) {
      this.initializing = this.doInit().finally(() => {
        this.initializing = null;
      });
    }
    return this.initializing;
  }

  private async doInit(): Promise<void> {
    const { ctx } = this;
    const chainId = hexToBigInt(await ctx.rpc.send("eth_chainId", []), "eth_chainId");
    this.pool.setChainId(chainId);
    this.finality.configure(chainId);
    await this.l1.detect();
    await this.pool.reconcileNonces(ctx);
    // Recovery: rebroadcast every persisted transaction that may not have reached the node.
    const inFlight = await ctx.outbox.inFlight();
    for (const row of inFlight) {
      if ((row.status === "signed" || row.status === "sent") && row.rawTx && this.pool.has(row.payer)) {
        await this.broadcaster.broadcast(row);
      }
    }
    this.ready = true;
    // Batches whose calls a crash (or stop) left unsettled: settled once final (batch-recovery.ts).
    void this.batchRecovery.start(inFlight);
    ctx.log.info({ payers: this.payers, adminPayer: this.adminPayer }, "writer ready");
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => {
        this.ticking = null;
        this.schedule();
      });
    }, this.pollIntervalMs);
  }

  /**
   * One worker round over every in-flight row (exposed for tests): their heads first, then the
   * full rows of those it may act on, read again (docs/relayer-latency.md, "Eighth pass").
   */
  async tick(): Promise<void> {
    try {
      if (!this.ready) await this.init();
      const { outbox, busy } = this.ctx;
      const now = Date.now();
      const due = (await outbox.inFlightHeads()).filter((h) => !busy.has(h.id) && this.pool.has(h.payer) && this.mayAdvance(h, now));
      const rows = due.length === 0 ? [] : await outbox.inFlightByIds(due.map((h) => h.id));
      await Promise.all(rows.filter((r) => !busy.has(r.id)).map((row) => this.advance(row, now)));
      await this.finality.round();
      this.lastTickError = null;
    } catch (err) {
      this.lastTickError = errorText(err);
      this.ctx.log.warn({ err: this.lastTickError }, "outbox worker round failed");
    }
  }

  /** Whether advance() may act on the row: not a queued write its own write() may still be signing. */
  private mayAdvance(row: InFlightHead, now: number): boolean {
    // Give the write() that inserted it time to sign it itself (fillers are the worker's own).
    return !(row.status === "queued" && row.kind !== "filler" && now - row.updatedAt < Math.max(2 * this.pollIntervalMs, 1000));
  }

  private async advance(row: OutboxRow, now: number): Promise<void> {
    try {
      if (row.status === "queued") {
        if (!this.mayAdvance(row, now)) return;
        await this.signer.submit(row);
      } else if (row.status === "signed") {
        if (await this.receipts.check(row)) return;
        if (now - row.updatedAt < this.pollIntervalMs) return;
        const { outcome, message } = await this.broadcaster.broadcast(row);
        // Not accepted for a long time: maybe a foreign transaction holds the nonce (re-queue),
        // or, when the node calls ours underpriced, it needs higher fees.
        if (outcome === "retry" && now - row.createdAt >= this.stuckAfterMs) {
          await this.stuck.handle(row, /underpriced/i.test(message));
        }
      } else if (row.status === "sent") {
        const found = await this.receipts.check(row);
        if (!found && row.sentAt !== null && now - row.sentAt >= this.stuckAfterMs) await this.stuck.handle(row);
        else if (!found) await this.poolLoss.check(row, now);
      }
    } catch (err) {
      this.ctx.log.warn({ id: row.id, err: errorText(err) }, "outbox row not advanced");
    }
  }

  // ------------------------------------------------------------------ write

  /**
   * Sends one diamond call (see Writer). `known`: the caller has encoded and pre-flighted the
   * call itself (the batcher, whose batchCalls pre-flight reports each call's outcome), so the
   * writer's own pre-flight is skipped and this gas limit and calldata are used.
   */
  async write(
    request: WriteRequest,
    known?: { gasLimit: bigint; calldata: string },
    progress?: WriteProgress,
  ): Promise<WriteReceipt> {
    // A batch's call sent again by the batching front: never answered "nothing was sent" (retry-refusal.ts).
    const batchRow = frontRetryBatch(request);
    if (batchRow !== null) return this.frontRetry(batchRow, request.idempotencyKey ?? "", () => this.write(ownRetry({ ...request }), known, progress));
    if (this.stopped) throw new ChainUnavailableError("relayer is shutting down", false);
    const { outbox } = this.ctx;
    const calldata = known?.calldata ?? encodeCall(request.method, request.args);
    const key = request.idempotencyKey;
    const scope = key === undefined ? null : (request.idempotencyScope ?? "");
    // Only a keyed row's is ever compared; a keyless one (a batch's) skips the keccak of its calldata.
    const requestHash = key === undefined ? "0x" : keccak256(calldata);

    if (key !== undefined && scope !== null) {
      const existing = await outbox.findByKey(scope, key);
      if (existing) {
        // A failed row applied nothing: the same request may run again under its key.
        if (existing.status === "failed" && existing.requestHash === requestHash) {
          await outbox.releaseKey(existing.id);
        } else {
          return this.answers.outcomeOf(existing, requestHash);
        }
      }
    }
    await this.admitWrites();

    // A write alone without an Idempotency-Key, of a shape whose gas is cached, is sent without a
    // pre-flight while the node answers (preflight.ts; docs/relayer-latency.md, "A write alone
    // from cached gas").
    const fromCache =
      known === undefined && key === undefined && this.opts.preflightKnownShapes !== true && this.nodeAnswers()
        ? this.preflight.cachedGasLimit(calldata)
        : null;
    // The row of the write: for the retry below (cached gas), and a batch the node refuses (refusedBatch).
    let rowId: number | null = null;
    const tracked: WriteProgress = {
      onChain: () => progress?.onChain?.(),
      onRow: (id) => {
        rowId = id;
        progress?.onRow?.(id);
      },
    };
    try {
      const call = { calldata, requestHash, scope, key, batch: known !== undefined };
      return await this.send(request, call, known?.gasLimit ?? fromCache, tracked);
    } catch (err) {
      // Sent from the cached gas and reverted on chain: the error is the one the pre-flight would
      // have given (decoded by re-running the call on the state it met, receipts.ts). Without revert
      // data it ran out of the cached gas: nothing of it applied, so it is sent again, pre-flighted,
      // once that attempt is final (a reorg could re-mine it where it fits its gas, as for a batch's
      // calls, docs/finality.md); a re-mined success is the answer.
      if (fromCache !== null && err instanceof RevertError && this.preflight.revertedOnChain(calldata, err.errorName)) {
        this.ctx.log.warn({ method: request.method }, "a write sent from the cached gas reverted without data; sent again, pre-flighted");
        try {
          const again = progress?.onChain ? { onChain: () => progress.onChain?.() } : undefined;
          if (rowId === null) return await this.send(request, { calldata, requestHash, scope, key, batch: false }, null, again);
          // Once final, under the key cached-gas-retry/<row id>, as a start-up recovery would (cached-gas-retry.ts).
          return await this.batchRecovery.cachedGas.onceFinal(rowId, request, again);
        } catch (again) {
          throw await this.payerCheck.review(again);
        }
      }
      if (err instanceof ChainUnavailableError) this.unavailableAt = Date.now();
      // A batch, or a write from cached gas, stored but answered 503 queued: no caller follows it any
      // more, so what it may still owe is settled here once it is final (batch-recovery.ts).
      if (rowId !== null && (known !== undefined || fromCache !== null) && err instanceof ChainUnavailableError && err.queued) {
        this.batchRecovery.follow(rowId);
      }
      if (known !== undefined && rowId !== null) err = await this.batchRecovery.refusedBatch(rowId, err);
      // A payer refused by the contract (removed since the last check) is answered as the check says.
      throw await this.payerCheck.review(err);
    }
  }

  /**
   * A call of batch row `batchRow` sent again alone by the batching front: a refusal that stores
   * nothing and that a later attempt may get past is answered 503 queued, and the batch is followed
   * by the recovery, which sends the call once it can under the same key (retry-refusal.ts).
   */
  private async frontRetry(batchRow: number, key: string, send: () => Promise<WriteReceipt>): Promise<WriteReceipt> {
    try {
      return await send();
    } catch (err) {
      if (!isRefusalToRetry(err)) throw err;
      // Another sender (a recovery) stored the call under its key meanwhile: its answer is ours.
      const stored = await this.ctx.outbox.findByKey(BATCH_RETRY_SCOPE, key);
      if (stored !== null) return this.answers.finish(stored.id);
      // Claimed: due to the recovery until settled, also at the next start (OutboxPort.resendDue).
      if (!(await this.ctx.outbox.setResend(batchRow, ["pending", "claimed"], "claimed"))) throw err;
      this.ctx.log.warn({ id: batchRow, err: errorText(err) }, "a batch's call sent again alone was refused for now; queued, the recovery sends it");
      if (!this.stopped) this.batchRecovery.follow(batchRow);
      throw new ChainUnavailableError(`the call is queued and will be sent again (${errorText(err)})`, true);
    }
  }

  /**
   * Whether the node answers, as far as a write sent without a pre-flight needs to know: the
   * index's latest round reached it within the last three worker ticks (at least 3 s), and no
   * write found it unavailable since.
   */
  private nodeAnswers(): boolean {
    const at = this.indexer.reachedAt?.() ?? null;
    return at !== null && at > this.unavailableAt && Date.now() - at < Math.max(3000, 3 * this.pollIntervalMs);
  }

  /**
   * Stores, signs and sends one write from a payer, and waits for its answer. `knownGasLimit`: a
   * batch's (measured by the batcher) or a shape's cached one; null: pre-flighted here first.
   */
  private async send(
    request: WriteRequest,
    /** `batch`: the batcher's (it marks the trace's pre-flight itself). */
    call: { calldata: string; requestHash: string; scope: string | null; key: string | undefined; batch: boolean },
    knownGasLimit: bigint | null,
    progress?: WriteProgress,
  ): Promise<WriteReceipt> {
    const { outbox } = this.ctx;
    const { calldata, requestHash, scope, key } = call;
    const payer = this.pool.acquire();
    try {
      const rowOf = (gasLimit: bigint): NewOutboxRow => ({
        kind: "call",
        idemScope: scope,
        idemKey: key ?? null,
        requestHash,
        method: request.method,
        to: this.ctx.diamond,
        calldata,
        payer,
        gasLimit: gasLimit.toString(),
        ...(call.batch ? { resend: request.method === "batchCalls" } : { gasFromCache: knownGasLimit !== null, resend: knownGasLimit !== null }),
      });
      let gasLimit: bigint;
      try {
        gasLimit = knownGasLimit ?? (await this.preflight.gasLimit(payer, calldata));
      } catch (err) {
        // Sent again under a retry key: the refusal is stored under it, one answer for every sender
        // (retry-refusal.ts); a payer the diamond refuses is no answer about the call (tried again).
        if (!(err instanceof RevertError) || !isRetryScope(scope)) throw err;
        const reviewed = await this.payerCheck.review(err);
        if (!(reviewed instanceof RevertError)) throw reviewed;
        if (reviewed.errorName === "OnlyApiPayerOrOwner") throw new ChainUnavailableError("the diamond refused the payer; nothing was sent", false);
        const other = await refuseUnderKey(outbox, rowOf(0n), reviewed);
        if (other === null) throw reviewed;
        return await this.answers.outcomeOf(other, requestHash);
      }
      if (!call.batch) request.trace?.mark("preflight");
      const newRow = rowOf(gasLimit);
      const existing = async (): Promise<WriteReceipt> => {
        // Same key inserted concurrently by another request.
        const other = key !== undefined && scope !== null ? await outbox.findByKey(scope, key) : null;
        if (!other) throw new Error("outbox: idempotent insert lost its row");
        return this.answers.outcomeOf(other, requestHash);
      };
      let fees: Fees;
      try {
        fees = await this.fees.current();
      } catch (err) {
        // Accepted but not signable now: persist it unsigned; the worker signs and sends it later.
        const row = await outbox.insert(newRow);
        if (!row) return await existing();
        progress?.onRow?.(row.id);
        throw new ChainUnavailableError(`chain unavailable: ${errorText(err)}; the request is stored and will be sent`, true);
      }
      const sent = await this.rowSender.signAndSend(newRow, fees, request.trace, progress);
      if (!sent) return await existing();
      return await this.answers.finish(sent.id, sent.outcome, request.trace);
    } finally {
      this.pool.release(payer);
    }
  }
}
