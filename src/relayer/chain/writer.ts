/**
 * The signer pool and outbox worker: implements Writer (../ports) on top of the durable outbox.
 *
 * write(request):
 *  1. encode the call; with an Idempotency-Key already used, wait for / return that row's outcome
 *     (a different request under the same key -> IdempotencyConflictError);
 *  2. pick a payer (fewest in-flight transactions, round-robin among equals) and pre-flight the
 *     call from it: a revert -> RevertError with the decoded custom error; RPC down ->
 *     ChainUnavailableError(queued=false). Nothing is persisted or sent, no nonce is used. The
 *     pre-flight is eth_estimateGas the first time a call of that shape (selector + calldata
 *     length, which encodes every array and string length) is seen; later ones are one eth_call
 *     with the largest estimate seen for that shape as gas: it succeeds only if the call neither
 *     reverts nor needs more gas in the current state (else eth_estimateGas decides, as the first
 *     time). The gas limit is always that estimate plus `gasLimitPercent`. The eth_calls of
 *     concurrent writes go out as one JSON-RPC batch;
 *  3. under the payer's nonce lock: in one DB transaction take the payer's next nonce from the
 *     database (never from the node), sign locally and persist the row with the raw transaction
 *     and its hash (signed) - the rows of one payer waiting at that moment together, one commit;
 *     then queue the broadcasts, which leave one at a time per payer, in nonce order, while the
 *     next rows are being signed. RPC down here -> ChainUnavailableError(queued=true): the worker
 *     keeps rebroadcasting the persisted transaction. (When the fee lookup fails, the row is
 *     persisted unsigned, queued, and the worker signs it later: also queued=true.);
 *  4. the receipt is asked for in the broadcast's own JSON-RPC batch (a node that mines on
 *     submission answers it at once; EagerReceipts stops asking where it never does), else by one
 *     shared poller that asks for every awaited transaction in one batch per round. Outcomes are
 *     recorded (one DB transaction per round): status 0 -> RevertError (decoded by re-running the
 *     call with eth_call at the receipt's block, then its parent; else "TransactionReverted");
 *     status 1 -> the indexer is synced to that block (its catch-up starts as soon as the receipt
 *     is known) -> WriteReceipt with the decoded events. A transaction not mined at once is marked
 *     sent and left to the worker, which polls it (through the same poller) every tick.
 * The worker also re-signs stuck transactions (not mined `stuckAfterMs` after sending) with the
 * same nonce and fees raised by at least 12.5 %, re-queues a row whose nonce was consumed by a
 * foreign transaction, closes nonce gaps left by a permanently rejected transaction with a
 * zero-value self-transfer, and on start reconciles each payer's nonce counter with the chain's
 * pending count and rebroadcasts every signed/sent row (so a crash loses nothing and never sends a
 * second transaction for one row).
 * A balance monitor tops up payers below a threshold with `rebalanceAmount` from the admin payer.
 */
import { Wallet, keccak256, type TransactionLike } from "ethers";
import {
  ChainUnavailableError,
  IdempotencyConflictError,
  RevertError,
  type WriteReceipt,
  type WriteRequest,
  type Writer,
} from "../ports";
import { Mutex, type NewOutboxRow, type OutboxRow, type RowOutcome, type Store, type SignedAttempt } from "../store";
import { decodeLogs, decodeRevert, diamondInterface, encodeCall, revertErrorOf, type DecodedError } from "./abi";
import type { Indexer } from "./indexer";
import { silentLogger, type ChainLogger } from "./log";
import { signTx } from "./sign";
import {
  errorText,
  hexToBigInt,
  hexToNumber,
  isRevertError,
  isTransportError,
  revertDataOf,
  sendAll,
  toQuantity,
  type RpcBlock,
  type RpcLike,
  type RpcReceipt,
} from "./rpc";

export interface WriterOptions {
  diamondAddress: string;
  /** Private keys of the api payers (registered on-chain as api payers). */
  payerKeys: readonly string[];
  /** Private key of the admin api payer (funds payer top-ups); optional. */
  adminPayerKey?: string;
  /** Worker tick: receipt polling, rebroadcasts, stuck checks (ms). Default 1000. */
  pollIntervalMs?: number;
  /** A sent transaction not mined after this long is re-signed with higher fees (ms). Default 60 000. */
  stuckAfterMs?: number;
  /** write() gives up waiting after this long with ChainUnavailableError(queued=true) (ms). Default 120 000. */
  writeTimeoutMs?: number;
  /** Gas limit = estimate * this / 100. Default 125. */
  gasLimitPercent?: number;
  /** Fee increase per re-sign, in percent; at least 12.5. Default 12.5. */
  feeBumpPercent?: number;
  /** Optional ceiling for maxFeePerGas / gasPrice (wei). */
  maxFeePerGasWei?: bigint;
  /** How long one fee lookup serves new writes (ms). Default 1000; 0 looks up for every write. */
  feeCacheMs?: number;
  /** Top-up amount (wei); default: the diamond's rebalanceAmount(). 0 disables top-ups. */
  rebalanceAmountWei?: bigint;
  /** A payer below this balance (wei) is topped up; default: half the top-up amount. */
  minPayerBalanceWei?: bigint;
  /** How often balances are checked (ms); 0 disables the background check. Default 60 000. */
  balanceCheckIntervalMs?: number;
  logger?: ChainLogger;
}

/** What a top-up did (checkBalances). */
export interface TopUp {
  payer: string;
  balanceBefore: bigint;
  amount: bigint;
  outboxId: number;
  status: OutboxRow["status"];
}

interface Fees {
  eip1559: boolean;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  gasPrice: bigint;
}

type BroadcastOutcome = "ok" | "transport" | "retry" | "nonce-too-low" | "failed";

/** What a receipt says about a row (recorded in the outbox by the receipt poller). */
type Outcome =
  | { status: "mined"; blockNumber: number; receipt: WriteReceipt }
  | { status: "reverted"; blockNumber: number; error: DecodedError; message: string };

interface ReceiptRequest {
  row: OutboxRow;
  waiters: { resolve: (o: Outcome | null) => void; reject: (err: unknown) => void }[];
}

/**
 * Receipt rounds that may run at once: a look-up that arrives while one round is waiting for the
 * node starts a second one at once instead of waiting for the first to finish.
 */
const MAX_RECEIPT_ROUNDS = 2;

/** Most rows of one payer stored (and committed) together by signQueued. */
const SIGN_BATCH_MAX = 64;

interface SignStep {
  signed: OutboxRow;
  /** The receipt is asked for with the broadcast. */
  eager: boolean;
  sending: Promise<{ outcome: BroadcastOutcome; message: string; receipt: RpcReceipt | null }>;
}

interface SignRequest {
  row: NewOutboxRow;
  fees: Fees;
  resolve: (step: SignStep | null) => void;
  reject: (err: unknown) => void;
}

/** Pre-flight gas estimates kept per call shape (bounded; the oldest shapes go first). */
const GAS_CACHE_MAX = 512;

const DEFAULT_PRIORITY_FEE = 1_000_000_000n; // 1 gwei, when the node does not suggest one

const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;
const maxBig = (a: bigint, b: bigint): bigint => (a > b ? a : b);

export class ChainWriter implements Writer {
  readonly payers: string[];
  readonly adminPayer: string | null;
  private readonly wallets = new Map<string, Wallet>();
  private readonly diamond: string;
  private readonly pollIntervalMs: number;
  private readonly stuckAfterMs: number;
  private readonly writeTimeoutMs: number;
  private readonly gasLimitPercent: bigint;
  private readonly bumpPermille: bigint;
  private readonly log: ChainLogger;

  private chainId: bigint | null = null;
  private ready = false;
  private started = false;
  private stopped = false;
  private initializing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private balanceTimer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private checkingBalances: Promise<TopUp[]> | null = null;
  /** Per payer: nonce allocation + signing + storing, one row at a time. */
  private readonly locks = new Map<string, Mutex>();
  /** Per payer: broadcasts, one at a time in nonce order (queueBroadcast). */
  private readonly senders = new Map<string, Mutex>();
  private readonly inFlight = new Map<string, number>();
  private rr = 0;
  /** Rows this instance is signing/broadcasting right now (the worker leaves them alone). */
  private readonly active = new Set<number>();
  /** Rows whose receipt was found and is being recorded right now (the worker leaves them alone too). */
  private readonly recording = new Set<number>();
  private readonly waiters = new Map<number, Set<() => void>>();
  private lastTickError: string | null = null;
  private unregistered: string[] = [];
  /** Largest eth_estimateGas result per call shape (selector:calldata length). */
  private readonly gasCache = new Map<string, bigint>();
  /** Receipt look-ups waiting for the next poller round, by row id. */
  private readonly receiptQueue = new Map<number, ReceiptRequest>();
  /** Receipt rounds under way (at most MAX_RECEIPT_ROUNDS). */
  private receiptRounds = 0;
  private receiptStarting = false;
  /** Per payer: rows waiting to be stored signed (signQueued). */
  private readonly signQueues = new Map<string, SignRequest[]>();
  /** Calls waiting for the next batch of their method (batched). */
  private readonly eagerReceipts = new EagerReceipts();
  private readonly batchQueues = new Map<string, { params: unknown[]; resolve: (v: unknown) => void; reject: (e: unknown) => void }[]>();

  constructor(
    private readonly rpc: RpcLike,
    private readonly store: Store,
    private readonly indexer: Indexer,
    private readonly opts: WriterOptions,
  ) {
    if (opts.payerKeys.length === 0) throw new Error("writer: at least one api payer key is required");
    this.diamond = opts.diamondAddress.toLowerCase();
    for (const key of opts.payerKeys) {
      const w = new Wallet(key);
      this.wallets.set(w.address.toLowerCase(), w);
    }
    this.payers = [...this.wallets.keys()];
    if (opts.adminPayerKey) {
      const admin = new Wallet(opts.adminPayerKey);
      this.adminPayer = admin.address.toLowerCase();
      this.wallets.set(this.adminPayer, admin);
    } else {
      this.adminPayer = null;
    }
    this.pollIntervalMs = opts.pollIntervalMs ?? 1000;
    this.stuckAfterMs = opts.stuckAfterMs ?? 60_000;
    this.writeTimeoutMs = opts.writeTimeoutMs ?? 120_000;
    this.gasLimitPercent = BigInt(opts.gasLimitPercent ?? 125);
    this.bumpPermille = BigInt(Math.max(125, Math.ceil((opts.feeBumpPercent ?? 12.5) * 10)));
    this.log = opts.logger ?? silentLogger;
  }

  // ------------------------------------------------------------------ life cycle

  /** Starts the worker; start-up recovery runs now and, while the RPC is down, on each tick. */
  async start(): Promise<void> {
    this.stopped = false;
    this.started = true;
    try {
      await this.init();
    } catch (err) {
      this.log.warn({ err: errorText(err) }, "writer start-up recovery postponed (RPC unavailable)");
    }
    this.schedule();
    const every = this.opts.balanceCheckIntervalMs ?? 60_000;
    if (every > 0 && this.adminPayer) {
      this.balanceTimer = setInterval(() => {
        if (this.ready && !this.checkingBalances) {
          this.checkBalances().catch((err: unknown) => this.log.warn({ err: errorText(err) }, "balance check failed"));
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
    for (const id of [...this.waiters.keys()]) this.notify(id);
    await this.ticking?.catch(() => undefined);
    await this.checkingBalances?.catch(() => undefined);
  }

  isReady(): boolean {
    return this.ready;
  }

  status(): { ready: boolean; inFlight: Record<string, number>; lastError: string | null; unregisteredPayers: string[] } {
    return {
      ready: this.ready,
      inFlight: Object.fromEntries(this.inFlight),
      lastError: this.lastTickError,
      unregisteredPayers: [...this.unregistered],
    };
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
    this.chainId = hexToBigInt(await this.rpc.send("eth_chainId", []), "eth_chainId");
    for (const address of this.wallets.keys()) {
      const pending = hexToNumber(
        await this.rpc.send("eth_getTransactionCount", [address, "pending"]),
        "eth_getTransactionCount",
      );
      const next = await this.store.outbox.reconcileNonce(address, pending);
      // A nonce we allocated that neither the node's pool (below `pending`) nor any in-flight row
      // holds (e.g. its row failed for good before a filler was recorded) would block every later
      // nonce: fill it.
      for (const nonce of (await this.store.outbox.uncoveredNonces(address, pending, next)).slice(0, 100)) {
        await this.store.outbox.insert({
          kind: "filler",
          requestHash: "0x",
          method: "filler",
          to: address,
          calldata: "0x",
          payer: address,
          gasLimit: "21000",
          nonce,
        });
        this.log.warn({ payer: address, nonce }, "nonce gap: queued a filler transaction");
      }
    }
    await this.checkRegistration();
    // Recovery: rebroadcast every persisted transaction that may not have reached the node.
    for (const row of await this.store.outbox.inFlight()) {
      if ((row.status === "signed" || row.status === "sent") && row.rawTx && this.wallets.has(row.payer)) {
        await this.broadcast(row);
      }
    }
    this.ready = true;
    this.log.info({ payers: this.payers, adminPayer: this.adminPayer }, "writer ready");
  }

  /** Logs payer keys the diamond does not list as api payers (their writes would revert). */
  private async checkRegistration(): Promise<void> {
    this.unregistered = [];
    for (const payer of this.payers) {
      try {
        const data = diamondInterface.encodeFunctionData("isApiPayer", [payer]);
        const res = await this.rpc.send("eth_call", [{ to: this.diamond, data }, "latest"]);
        if (hexToBigInt(res, "isApiPayer") === 0n) this.unregistered.push(payer);
      } catch (err) {
        if (isTransportError(err)) throw err;
      }
    }
    if (this.unregistered.length > 0) {
      this.log.error({ payers: this.unregistered }, "payer keys not registered as api payers on the diamond");
    }
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

  /** One worker round over every in-flight row (exposed for tests). */
  async tick(): Promise<void> {
    try {
      if (!this.ready) await this.init();
      const rows = await this.store.outbox.inFlight();
      const now = Date.now();
      await Promise.all(
        rows
          .filter((r) => !this.active.has(r.id) && !this.recording.has(r.id) && this.wallets.has(r.payer))
          .map((row) => this.advance(row, now)),
      );
      this.lastTickError = null;
    } catch (err) {
      this.lastTickError = errorText(err);
      this.log.warn({ err: this.lastTickError }, "outbox worker round failed");
    }
  }

  private async advance(row: OutboxRow, now: number): Promise<void> {
    try {
      if (row.status === "queued") {
        // Give the write() that inserted it time to sign it itself (fillers are the worker's own).
        if (row.kind !== "filler" && now - row.updatedAt < Math.max(2 * this.pollIntervalMs, 1000)) return;
        await this.submit(row);
      } else if (row.status === "signed") {
        if (await this.checkReceipt(row)) return;
        if (now - row.updatedAt < this.pollIntervalMs) return;
        const { outcome, message } = await this.broadcast(row);
        // Not accepted for a long time: maybe a foreign transaction holds the nonce (re-queue),
        // or, when the node calls ours underpriced, it needs higher fees.
        if (outcome === "retry" && now - row.createdAt >= this.stuckAfterMs) {
          await this.handleStuck(row, /underpriced/i.test(message));
        }
      } else if (row.status === "sent") {
        const found = await this.checkReceipt(row);
        if (!found && row.sentAt !== null && now - row.sentAt >= this.stuckAfterMs) await this.handleStuck(row);
      }
    } catch (err) {
      this.log.warn({ id: row.id, err: errorText(err) }, "outbox row not advanced");
    }
  }

  // ------------------------------------------------------------------ write

  /**
   * Sends one diamond call (see Writer). `known`: the caller has encoded and pre-flighted the
   * call itself (the batcher, whose batchCalls pre-flight reports each call's outcome), so the
   * writer's own pre-flight is skipped and this gas limit and calldata are used.
   */
  async write(request: WriteRequest, known?: { gasLimit: bigint; calldata: string }): Promise<WriteReceipt> {
    if (this.stopped) throw new ChainUnavailableError("relayer is shutting down", false);
    const calldata = known?.calldata ?? encodeCall(request.method, request.args);
    const requestHash = keccak256(calldata);
    const key = request.idempotencyKey;
    const scope = key === undefined ? null : (request.idempotencyScope ?? "");

    if (key !== undefined && scope !== null) {
      const existing = await this.store.outbox.findByKey(scope, key);
      if (existing) {
        // A failed row applied nothing: the same request may run again under its key.
        if (existing.status === "failed" && existing.requestHash === requestHash) {
          await this.store.outbox.releaseKey(existing.id);
        } else {
          return this.outcomeOf(existing, requestHash);
        }
      }
    }
    if (!this.ready) {
      try {
        await this.init();
      } catch (err) {
        throw new ChainUnavailableError(`chain unavailable: ${errorText(err)}`, false);
      }
    }

    const payer = this.pickPayer();
    this.inFlight.set(payer, (this.inFlight.get(payer) ?? 0) + 1);
    try {
      const gasLimit = known?.gasLimit ?? (await this.preflight(payer, calldata));
      const newRow: NewOutboxRow = {
        kind: "call",
        idemScope: scope,
        idemKey: key ?? null,
        requestHash,
        method: request.method,
        to: this.diamond,
        calldata,
        payer,
        gasLimit: gasLimit.toString(),
      };
      const existing = async (): Promise<WriteReceipt> => {
        // Same key inserted concurrently by another request.
        const other = key !== undefined && scope !== null ? await this.store.outbox.findByKey(scope, key) : null;
        if (!other) throw new Error("outbox: idempotent insert lost its row");
        return this.outcomeOf(other, requestHash);
      };
      let fees: Fees;
      try {
        fees = await this.fees();
      } catch (err) {
        // Accepted but not signable now: persist it unsigned; the worker signs and sends it later.
        const row = await this.store.outbox.insert(newRow);
        if (!row) return await existing();
        throw new ChainUnavailableError(`chain unavailable: ${errorText(err)}; the request is stored and will be sent`, true);
      }
      const sent = await this.signAndSend(newRow, fees);
      if (!sent) return await existing();
      return await this.finish(sent.id, sent.outcome);
    } finally {
      this.inFlight.set(payer, (this.inFlight.get(payer) ?? 1) - 1);
    }
  }

  /**
   * Persists the row signed (signQueued) and broadcasts it, with its receipt asked for in the
   * same round trip (EagerReceipts), else once through the poller. Mined at once (automine, or a
   * late answer): the outcome, already recorded. Not yet: the row is marked sent for the worker.
   * Null when the idempotency key is taken (nothing stored, no nonce used).
   */
  private async signAndSend(newRow: NewOutboxRow, fees: Fees): Promise<{ id: number; outcome: Outcome | null } | null> {
    const step = await this.signQueued(newRow, fees);
    if (!step) return null;
    const { signed } = step;
    try {
      const { outcome, receipt } = await step.sending;
      if (step.eager && outcome === "ok") this.eagerReceipts.record(receipt !== null);
      if (outcome === "transport") {
        throw new ChainUnavailableError("chain unavailable: the transaction is stored and will be sent", true);
      }
      if (outcome !== "ok") return { id: signed.id, outcome: null };
      let found: Outcome | null = null;
      try {
        if (receipt) found = (await this.settle([{ row: signed, receipt }])).get(signed.id) ?? null;
        if (!found) found = await this.receiptOf(signed);
      } catch {
        found = null; // the worker keeps looking
      }
      if (!found && (await this.store.outbox.markSent(signed.id, signed.attempts))) this.notify(signed.id);
      return { id: signed.id, outcome: found };
    } finally {
      this.active.delete(signed.id);
    }
  }

  /**
   * Stores the row signed (nonce from the database) and queues its broadcast. The rows of one
   * payer waiting here are stored together, in one DB transaction (one commit) under the payer's
   * nonce lock, and their broadcasts queued in nonce order. Null when the idempotency key is
   * taken (nothing stored, no nonce used).
   */
  private signQueued(row: NewOutboxRow, fees: Fees): Promise<SignStep | null> {
    return new Promise((resolve, reject) => {
      let queue = this.signQueues.get(row.payer);
      if (!queue) {
        queue = [];
        this.signQueues.set(row.payer, queue);
      }
      queue.push({ row, fees, resolve, reject });
      if (queue.length === 1) {
        this.lock(row.payer)
          .run(() => this.drainSignQueue(row.payer))
          .catch((err: unknown) => {
            for (const b of this.signQueues.get(row.payer)?.splice(0) ?? []) b.reject(err);
          });
      }
    });
  }

  private async drainSignQueue(payer: string): Promise<void> {
    for (;;) {
      const batch = (this.signQueues.get(payer) ?? []).splice(0, SIGN_BATCH_MAX);
      if (batch.length === 0) return;
      const fees = new Map(batch.map((b) => [b.row, b.fees]));
      let rows: (OutboxRow | null)[];
      try {
        rows = await this.store.outbox.insertSignedBatch(
          batch.map((b) => b.row),
          (row, nonce) => this.sign(row, nonce, fees.get(row) as Fees),
        );
      } catch (err) {
        for (const b of batch) b.reject(err);
        continue;
      }
      batch.forEach((b, i) => {
        const signed = rows[i];
        if (!signed) {
          b.resolve(null);
          return;
        }
        this.active.add(signed.id);
        const eager = this.eagerReceipts.use();
        b.resolve({ signed, eager, sending: this.queueBroadcast(signed, false, eager) });
      });
    }
  }

  private async outcomeOf(row: OutboxRow, requestHash: string): Promise<WriteReceipt> {
    if (row.requestHash !== requestHash) throw new IdempotencyConflictError();
    return this.finish(row.id);
  }

  private pickPayer(): string {
    let best: string | null = null;
    let bestCount = Infinity;
    const n = this.payers.length;
    for (let i = 0; i < n; i++) {
      const p = this.payers[(this.rr + i) % n];
      const c = this.inFlight.get(p) ?? 0;
      if (c < bestCount) {
        best = p;
        bestCount = c;
      }
    }
    const chosen = best ?? this.payers[0];
    this.rr = (this.payers.indexOf(chosen) + 1) % n;
    return chosen;
  }

  /**
   * The pre-flight check of a call from `payer`; returns its gas limit. A call shape seen before
   * costs one eth_call with the cached estimate as gas (cheaper than eth_estimateGas, which runs
   * the call several times); if that fails for any reason but the transport, eth_estimateGas
   * decides (a revert there is the caller's error; a higher estimate replaces the cached one).
   */
  private async preflight(payer: string, data: string): Promise<bigint> {
    const shape = `${data.slice(0, 10)}:${data.length}`;
    const cached = this.gasCache.get(shape);
    if (cached !== undefined) {
      try {
        await this.batched("eth_call", [{ from: payer, to: this.diamond, data, gas: toQuantity(cached) }, "latest"]);
        return ceilDiv(cached * this.gasLimitPercent, 100n);
      } catch (err) {
        if (isTransportError(err)) throw new ChainUnavailableError(`chain unavailable: ${errorText(err)}`, false);
      }
    }
    let gas: bigint;
    try {
      gas = hexToBigInt(await this.rpc.send("eth_estimateGas", [{ from: payer, to: this.diamond, data }]), "eth_estimateGas");
    } catch (err) {
      if (!isTransportError(err) && isRevertError(err)) {
        throw revertErrorOf(revertDecoded(err));
      }
      throw new ChainUnavailableError(`chain unavailable: ${errorText(err)}`, false);
    }
    if (cached === undefined || gas > cached) {
      this.gasCache.delete(shape);
      if (this.gasCache.size >= GAS_CACHE_MAX) this.gasCache.delete(this.gasCache.keys().next().value as string);
      this.gasCache.set(shape, gas);
    }
    return ceilDiv(gas * this.gasLimitPercent, 100n);
  }

  /**
   * `method`, sent together (one JSON-RPC batch) with the other calls of that method requested
   * during the same turn of the event loop (the pre-flight eth_calls of concurrent writes).
   */
  private batched(method: string, params: unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let queue = this.batchQueues.get(method);
      if (!queue) {
        queue = [];
        this.batchQueues.set(method, queue);
      }
      queue.push({ params, resolve, reject });
      if (queue.length > 1) return;
      setImmediate(() => {
        const batch = this.batchQueues.get(method) ?? [];
        this.batchQueues.delete(method);
        void sendAll(
          this.rpc,
          batch.map((b) => ({ method, params: b.params })),
        ).then((results) =>
          results.forEach((r, i) => {
            if (r.ok) batch[i].resolve(r.result);
            else batch[i].reject(r.error);
          }),
        );
      });
    });
  }

  /** Waits until the row is terminal; resolves with its receipt once the indexer has applied it. */
  private async finish(id: number, known: Outcome | null = null): Promise<WriteReceipt> {
    const deadline = Date.now() + this.writeTimeoutMs;
    if (known?.status === "mined") {
      await this.indexer.syncTo(known.blockNumber, Math.max(1000, deadline - Date.now()));
      return known.receipt;
    }
    if (known?.status === "reverted") throw new RevertError(known.error.name, known.error.args, known.message);
    for (;;) {
      const row = await this.store.outbox.get(id);
      if (!row) throw new Error(`outbox ${id}: row vanished`);
      if (row.status === "mined") {
        if (row.kind === "call" && row.blockNumber !== null) {
          await this.indexer.syncTo(row.blockNumber, Math.max(1000, deadline - Date.now()));
        }
        return JSON.parse(row.result ?? "null") as WriteReceipt;
      }
      if (row.status === "reverted") {
        throw new RevertError(row.errorName ?? "TransactionReverted", row.errorArgs ?? [], row.errorMessage ?? undefined);
      }
      if (row.status === "failed") {
        throw new ChainUnavailableError(`transaction rejected by the node: ${row.errorMessage ?? "unknown"}`, false);
      }
      if (this.stopped) throw new ChainUnavailableError("relayer stopped; the transaction stays queued", true);
      // Without the background worker, advance the row here.
      if (!this.started && !this.active.has(id)) await this.advance(row, Date.now());
      if (Date.now() >= deadline) {
        throw new ChainUnavailableError(`transaction ${row.txHashes.at(-1) ?? `#${id}`} not mined yet; it stays queued`, true);
      }
      await this.waitFor(id, Math.min(this.pollIntervalMs, deadline - Date.now()));
    }
  }

  private waitFor(id: number, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let set = this.waiters.get(id);
      if (!set) {
        set = new Set();
        this.waiters.set(id, set);
      }
      const s = set;
      const done = (): void => {
        clearTimeout(t);
        s.delete(done);
        if (s.size === 0) this.waiters.delete(id);
        resolve();
      };
      const t = setTimeout(done, Math.max(1, ms));
      s.add(done);
    });
  }

  private notify(id: number): void {
    const set = this.waiters.get(id);
    if (set) for (const f of [...set]) f();
  }

  // ------------------------------------------------------------------ signing and sending

  private lock(payer: string): Mutex {
    let m = this.locks.get(payer);
    if (!m) {
      m = new Mutex();
      this.locks.set(payer, m);
    }
    return m;
  }

  /**
   * Per payer, broadcasts leave one at a time in the order they were queued. A freshly signed
   * row is queued while the payer's nonce lock is held, so they leave in nonce order (a node on
   * automine refuses a nonce above the next one) while the next row is already being signed and
   * stored.
   */
  private queueBroadcast(
    row: OutboxRow,
    markSent = true,
    withReceipt = false,
  ): Promise<{ outcome: BroadcastOutcome; message: string; receipt: RpcReceipt | null }> {
    let m = this.senders.get(row.payer);
    if (!m) {
      m = new Mutex();
      this.senders.set(row.payer, m);
    }
    const sending = m.run(() => this.broadcast(row, markSent, withReceipt));
    sending.catch(() => undefined); // awaited by the caller; never an unhandled rejection meanwhile
    return sending;
  }

  /** Signs a queued row (taking a nonce) and broadcasts it, in nonce order per payer. */
  private async submit(row: OutboxRow): Promise<void> {
    let fees: Fees;
    try {
      fees = await this.fees();
    } catch (err) {
      throw new ChainUnavailableError(`chain unavailable: ${errorText(err)}`, true);
    }
    const step = await this.lock(row.payer).run(async () => {
      const signed = await this.store.outbox.allocateAndSign(row.id, (nonce) => this.sign(row, nonce, fees));
      if (!signed) return null;
      this.notify(row.id);
      return { signed, sending: this.queueBroadcast(signed) };
    });
    if (!step) return;
    const done = { signed: step.signed, outcome: (await step.sending).outcome };
    if (done.outcome === "ok") await this.checkReceipt(done.signed, true);
    if (done.outcome === "transport") {
      throw new ChainUnavailableError("chain unavailable: the transaction is stored and will be sent", true);
    }
  }

  private async sign(
    row: Pick<OutboxRow, "payer" | "to" | "calldata" | "gasLimit"> & { value?: string },
    nonce: number,
    fees: Fees,
  ): Promise<SignedAttempt> {
    const wallet = this.wallets.get(row.payer);
    if (!wallet) throw new Error(`no key for payer ${row.payer}`);
    if (this.chainId === null) throw new Error("writer not initialised");
    const tx: TransactionLike<string> = {
      chainId: this.chainId,
      nonce,
      to: row.to,
      data: row.calldata,
      value: BigInt(row.value ?? "0"),
      gasLimit: BigInt(row.gasLimit),
    };
    if (fees.eip1559) {
      tx.type = 2;
      tx.maxFeePerGas = fees.maxFeePerGas;
      tx.maxPriorityFeePerGas = fees.maxPriorityFeePerGas;
    } else {
      tx.type = 0;
      tx.gasPrice = fees.gasPrice;
    }
    const { rawTx, hash } = signTx(wallet.signingKey, tx);
    return {
      rawTx,
      hash,
      maxFeePerGas: fees.eip1559 ? fees.maxFeePerGas.toString() : null,
      maxPriorityFeePerGas: fees.eip1559 ? fees.maxPriorityFeePerGas.toString() : null,
      gasPrice: fees.eip1559 ? null : fees.gasPrice.toString(),
    };
  }

  /**
   * Current fees, cached for `feeCacheMs` (default 1000): every write in that window shares one
   * lookup instead of two RPC calls each. A stuck transaction's re-sign still raises the fees of
   * its previous attempt by at least feeBumpPercent.
   */
  private fees(): Promise<Fees> {
    const ttl = this.opts.feeCacheMs ?? 1000;
    const now = Date.now();
    if (this.feeCache && now - this.feeCache.at < ttl) return this.feeCache.fees;
    const fees = this.lookupFees();
    this.feeCache = { at: now, fees };
    fees.catch(() => {
      if (this.feeCache?.fees === fees) this.feeCache = null;
    });
    return fees;
  }

  private feeCache: { at: number; fees: Promise<Fees> } | null = null;

  private async lookupFees(): Promise<Fees> {
    const block = (await this.rpc.send("eth_getBlockByNumber", ["latest", false])) as RpcBlock | null;
    const cap = this.opts.maxFeePerGasWei;
    if (block && block.baseFeePerGas !== undefined && block.baseFeePerGas !== null) {
      const base = hexToBigInt(block.baseFeePerGas, "baseFeePerGas");
      let prio = DEFAULT_PRIORITY_FEE;
      try {
        prio = hexToBigInt(await this.rpc.send("eth_maxPriorityFeePerGas", []), "eth_maxPriorityFeePerGas");
      } catch (err) {
        if (isTransportError(err)) throw err;
      }
      let maxFee = base * 2n + prio;
      if (cap !== undefined && maxFee > cap) maxFee = cap;
      if (prio > maxFee) prio = maxFee;
      return { eip1559: true, maxFeePerGas: maxFee, maxPriorityFeePerGas: prio, gasPrice: 0n };
    }
    let price = hexToBigInt(await this.rpc.send("eth_gasPrice", []), "eth_gasPrice");
    if (cap !== undefined && price > cap) price = cap;
    return { eip1559: false, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n, gasPrice: price };
  }

  /**
   * Broadcasts the row's latest signed attempt and records the outcome (an accepted one as sent,
   * unless `markSent` is false: write() first looks for the receipt, which usually makes it mined).
   * `withReceipt`: the receipt is asked for in the same JSON-RPC batch, right behind the broadcast
   * (found at once on a node that mines on submission, e.g. Hardhat or Anvil automine; else null).
   */
  private async broadcast(
    row: OutboxRow,
    markSent = true,
    withReceipt = false,
  ): Promise<{ outcome: BroadcastOutcome; message: string; receipt: RpcReceipt | null }> {
    if (!row.rawTx) return { outcome: "retry", message: "no signed transaction", receipt: null };
    let outcome: BroadcastOutcome;
    let message = "";
    let receipt: RpcReceipt | null = null;
    try {
      if (withReceipt) {
        const [sent, mined] = await sendAll(this.rpc, [
          { method: "eth_sendRawTransaction", params: [row.rawTx] },
          { method: "eth_getTransactionReceipt", params: [row.txHashes.at(-1)] },
        ]);
        // (Hardhat automine also mines a reverting transaction and then answers with an error.)
        receipt = mined.ok ? ((mined.result as RpcReceipt | null) ?? null) : null;
        if (!sent.ok) throw sent.error;
      } else {
        await this.rpc.send("eth_sendRawTransaction", [row.rawTx]);
      }
      outcome = "ok";
    } catch (err) {
      message = errorText(err);
      outcome = classifyBroadcastError(err, message);
    }
    switch (outcome) {
      case "ok":
        if (markSent && (await this.store.outbox.markSent(row.id, row.attempts))) this.notify(row.id);
        break;
      case "transport":
      case "retry":
        await this.store.outbox.touch(row.id);
        this.log.warn({ id: row.id, nonce: row.nonce, payer: row.payer, err: message }, "broadcast failed; will retry");
        if (/insufficient funds/i.test(message) && this.adminPayer && !this.checkingBalances) {
          this.checkBalances().catch(() => undefined);
        }
        break;
      case "nonce-too-low":
        // One of our attempts may be mined (the receipt check settles it), or a foreign transaction
        // took the nonce (handled as stuck: re-queued with a new nonce).
        if (!(await this.checkReceipt(row))) await this.store.outbox.markSent(row.id, row.attempts);
        break;
      case "failed":
        this.log.error({ id: row.id, nonce: row.nonce, payer: row.payer, err: message }, "transaction rejected by the node");
        if (await this.store.outbox.markFailed(row.id, message, row.attempts)) this.notify(row.id);
        break;
    }
    return { outcome, message, receipt };
  }

  /** Looks for a receipt of any attempt; records mined/reverted and returns true when found. */
  private async checkReceipt(row: OutboxRow, quiet = false): Promise<boolean> {
    try {
      return (await this.receiptOf(row)) !== null;
    } catch (err) {
      if (quiet) return false;
      throw err;
    }
  }

  // ------------------------------------------------------------------ receipt poller

  /**
   * The receipt of any attempt of `row`, recorded in the outbox (mined / reverted), or null when
   * none is mined yet. Every look-up requested while a round is under way joins the next round:
   * one JSON-RPC batch of eth_getTransactionReceipt for all of them, and one DB transaction for
   * the outcomes found. Rejects when the node could not be asked.
   */
  private receiptOf(row: OutboxRow): Promise<Outcome | null> {
    return new Promise((resolve, reject) => {
      const queued = this.receiptQueue.get(row.id);
      if (queued) {
        if (row.attempts > queued.row.attempts) queued.row = row;
        queued.waiters.push({ resolve, reject });
      } else {
        this.receiptQueue.set(row.id, { row, waiters: [{ resolve, reject }] });
      }
      // Started after the current synchronous burst of look-ups (a worker tick asks for every
      // row at once), so that they share the round.
      if (!this.receiptStarting && this.receiptRounds < MAX_RECEIPT_ROUNDS) {
        this.receiptStarting = true;
        queueMicrotask(() => {
          this.receiptStarting = false;
          if (this.receiptQueue.size > 0 && this.receiptRounds < MAX_RECEIPT_ROUNDS) void this.pollReceipts();
        });
      }
    });
  }

  /** Runs receipt rounds while look-ups are queued (a second poller may run beside a busy one). */
  private async pollReceipts(): Promise<void> {
    this.receiptRounds++;
    try {
      while (this.receiptQueue.size > 0) {
        const round = [...this.receiptQueue.values()];
        this.receiptQueue.clear();
        try {
          await this.receiptRound(round);
        } catch (err) {
          for (const r of round) for (const w of r.waiters) w.reject(err);
        }
      }
    } finally {
      this.receiptRounds--;
    }
  }

  private async receiptRound(round: ReceiptRequest[]): Promise<void> {
    const calls: { method: string; params: unknown[] }[] = [];
    const owner: ReceiptRequest[] = [];
    for (const r of round) {
      // newest attempt first: after a fee bump, the replacement is the likely one
      for (const hash of [...r.row.txHashes].reverse()) {
        calls.push({ method: "eth_getTransactionReceipt", params: [hash] });
        owner.push(r);
      }
    }
    const results = await sendAll(this.rpc, calls);
    const receipts = new Map<ReceiptRequest, RpcReceipt>();
    const errors = new Map<ReceiptRequest, Error>();
    results.forEach((res, i) => {
      const r = owner[i];
      if (receipts.has(r)) return;
      if (!res.ok) {
        if (!errors.has(r)) errors.set(r, res.error);
      } else if (res.result) {
        receipts.set(r, res.result as RpcReceipt);
      }
    });

    const outcomes = await this.settle([...receipts].map(([r, receipt]) => ({ row: r.row, receipt })));
    for (const r of round) {
      const outcome = outcomes.get(r.row.id) ?? null;
      const error = outcome ? undefined : errors.get(r);
      for (const w of r.waiters) {
        if (error) w.reject(error);
        else w.resolve(outcome);
      }
    }
  }

  /**
   * Decodes receipts and records them in the outbox, in one DB transaction (mined: the decoded
   * events; reverted: the decoded error, by re-running the call). Returns the outcome per row id.
   */
  private async settle(found: readonly { row: OutboxRow; receipt: RpcReceipt }[]): Promise<Map<number, Outcome>> {
    const out = new Map<number, Outcome>();
    if (found.length === 0) return out;
    const settled = await Promise.all(
      found.map(async ({ row, receipt }): Promise<{ row: OutboxRow; outcome: Outcome; record: RowOutcome }> => {
        const blockNumber = hexToNumber(receipt.blockNumber, "receipt.blockNumber");
        const gasUsed = hexToBigInt(receipt.gasUsed, "receipt.gasUsed").toString();
        const minedHash = receipt.transactionHash;
        if (hexToNumber(receipt.status, "receipt.status") === 1) {
          const result: WriteReceipt = { txHash: minedHash, blockNumber, gasUsed, events: decodeLogs(receipt.logs, this.diamond) };
          return {
            row,
            outcome: { status: "mined", blockNumber, receipt: result },
            record: { id: row.id, status: "mined", blockNumber, minedHash, gasUsed, result: JSON.stringify(result) },
          };
        }
        const reason = await this.revertReason(row, blockNumber);
        const message = `transaction ${minedHash} reverted: ${reason.name}`;
        return {
          row,
          outcome: { status: "reverted", blockNumber, error: reason, message },
          record: { id: row.id, status: "reverted", blockNumber, minedHash, gasUsed, errorName: reason.name, errorArgs: reason.args, message },
        };
      }),
    );
    // The writes waiting for these receipts next wait for the indexer: start its catch-up now,
    // beside the commit below.
    const top = Math.max(-1, ...settled.filter((f) => f.outcome.status === "mined").map((f) => f.outcome.blockNumber));
    if (top >= 0) this.indexer.prefetch(top);
    const ids = settled.map((f) => f.row.id);
    for (const id of ids) this.recording.add(id);
    let changed: boolean[];
    try {
      changed = await this.store.outbox.recordOutcomes(settled.map((f) => f.record));
    } finally {
      for (const id of ids) this.recording.delete(id);
    }
    settled.forEach(({ row, outcome, record }, i) => {
      out.set(row.id, outcome);
      this.notify(row.id);
      if (!changed[i]) return;
      if (outcome.status === "mined") {
        this.log.info({ id: row.id, method: row.method, tx: record.minedHash, block: record.blockNumber }, "transaction mined");
      } else {
        this.log.warn({ id: row.id, method: row.method, tx: record.minedHash, error: outcome.error.name }, "transaction reverted");
      }
    });
    return out;
  }

  /** Re-runs a reverted call at the receipt's block, then at its parent, to decode the error. */
  private async revertReason(row: OutboxRow, blockNumber: number): Promise<DecodedError> {
    if (row.kind !== "call") return { name: "TransactionReverted", args: [] };
    for (const tag of [blockNumber, blockNumber - 1]) {
      if (tag < 0) continue;
      try {
        await this.rpc.send("eth_call", [
          { from: row.payer, to: row.to, data: row.calldata, gas: toQuantity(BigInt(row.gasLimit)) },
          toQuantity(tag),
        ]);
      } catch (err) {
        const data = revertDataOf(err);
        if (data) return decodeRevert(data);
      }
    }
    return { name: "TransactionReverted", args: [] };
  }

  /** A sent transaction is not mined after stuckAfterMs: re-sign with higher fees, or re-queue. */
  private async handleStuck(row: OutboxRow, bumpFees = true): Promise<void> {
    if (row.nonce === null) return;
    const latest = hexToNumber(
      await this.rpc.send("eth_getTransactionCount", [row.payer, "latest"]),
      "eth_getTransactionCount",
    );
    if (latest > row.nonce) {
      // The nonce is used; if the node knows none of our attempts, it was a foreign transaction.
      // (A lagging node that has our mined transaction but not yet its receipt must never make
      // us sign the same request again: ask for each attempt by hash too.)
      if (await this.checkReceipt(row)) return;
      for (const hash of row.txHashes) {
        if ((await this.rpc.send("eth_getTransactionByHash", [hash])) !== null) return;
      }
      if (row.kind === "filler") {
        if (await this.store.outbox.markFailed(row.id, "nonce already used")) this.notify(row.id);
        return;
      }
      if (await this.store.outbox.requeue(row.id, row.attempts)) {
        this.log.warn({ id: row.id, payer: row.payer, nonce: row.nonce }, "nonce taken by a foreign transaction; re-queued");
        await this.store.outbox.reconcileNonce(row.payer, latest);
        const again = await this.store.outbox.get(row.id);
        if (again) await this.submit(again).catch(() => undefined);
      }
      return;
    }
    if (!bumpFees) return;
    const current = await this.fees();
    const bump = (old: string | null): bigint => (old === null ? 0n : ceilDiv(BigInt(old) * (1000n + this.bumpPermille), 1000n));
    let fees: Fees;
    if (current.eip1559 && row.maxFeePerGas !== null) {
      const prio = maxBig(bump(row.maxPriorityFeePerGas), current.maxPriorityFeePerGas);
      let maxFee = maxBig(bump(row.maxFeePerGas), current.maxFeePerGas);
      if (maxFee < prio) maxFee = prio;
      fees = { eip1559: true, maxFeePerGas: maxFee, maxPriorityFeePerGas: prio, gasPrice: 0n };
    } else if (current.eip1559) {
      // legacy attempt on a chain that now has base fees: price it as a type-2 above the old price
      const floor = bump(row.gasPrice);
      fees = {
        eip1559: true,
        maxFeePerGas: maxBig(floor, current.maxFeePerGas),
        maxPriorityFeePerGas: maxBig(floor, current.maxPriorityFeePerGas),
        gasPrice: 0n,
      };
    } else {
      fees = { eip1559: false, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n, gasPrice: maxBig(bump(row.gasPrice), current.gasPrice) };
    }
    await this.lock(row.payer).run(async () => {
      const signed = await this.sign(row, row.nonce as number, fees);
      const updated = await this.store.outbox.recordAttempt(row.id, row.attempts, signed);
      if (!updated) return;
      this.log.warn(
        { id: row.id, payer: row.payer, nonce: row.nonce, attempt: updated.attempts, tx: signed.hash },
        "stuck transaction re-signed with higher fees",
      );
      await this.queueBroadcast(updated);
    });
  }

  // ------------------------------------------------------------------ balances

  /**
   * Tops up every payer whose balance is below the threshold with the rebalance amount from the
   * admin payer, and waits for those transfers. Without an admin payer key, does nothing.
   */
  checkBalances(): Promise<TopUp[]> {
    if (!this.checkingBalances) {
      this.checkingBalances = this.doCheckBalances().finally(() => {
        this.checkingBalances = null;
      });
    }
    return this.checkingBalances;
  }

  private async doCheckBalances(): Promise<TopUp[]> {
    const admin = this.adminPayer;
    if (!admin) return [];
    if (!this.ready) await this.init();
    let amount = this.opts.rebalanceAmountWei;
    if (amount === undefined) {
      const data = diamondInterface.encodeFunctionData("rebalanceAmount", []);
      amount = hexToBigInt(await this.rpc.send("eth_call", [{ to: this.diamond, data }, "latest"]), "rebalanceAmount");
    }
    if (amount <= 0n) return [];
    const threshold = this.opts.minPayerBalanceWei ?? amount / 2n;
    const started: { payer: string; before: bigint; id: number }[] = [];
    for (const payer of this.payers) {
      if (payer === admin) continue;
      const balance = hexToBigInt(await this.rpc.send("eth_getBalance", [payer, "latest"]), "eth_getBalance");
      if (balance >= threshold || (await this.store.outbox.transferInFlight(payer))) continue;
      const row = await this.store.outbox.insert({
        kind: "transfer",
        requestHash: "0x",
        method: "topUp",
        to: payer,
        calldata: "0x",
        value: amount.toString(),
        payer: admin,
        gasLimit: "21000",
      });
      if (!row) continue;
      this.log.info({ payer, balance: balance.toString(), amount: amount.toString() }, "topping up api payer");
      this.active.add(row.id);
      try {
        await this.submit(row);
      } catch (err) {
        this.log.warn({ payer, err: errorText(err) }, "top-up not sent yet");
      } finally {
        this.active.delete(row.id);
      }
      started.push({ payer, before: balance, id: row.id });
    }
    const out: TopUp[] = [];
    for (const s of started) {
      let status: OutboxRow["status"] = "queued";
      try {
        await this.finish(s.id);
        status = "mined";
      } catch {
        status = (await this.store.outbox.get(s.id))?.status ?? "queued";
      }
      out.push({ payer: s.payer, balanceBefore: s.before, amount, outboxId: s.id, status });
    }
    return out;
  }
}

/**
 * Whether write() asks for the receipt in the broadcast's own round trip: worth it while the node
 * answers it (one that mines on submission); after 16 misses in a row it pauses for 256 writes,
 * then tries again (so a node with real block times costs 16 extra calls per 272 writes, 6 %).
 */
class EagerReceipts {
  private misses = 0;
  private pause = 0;

  use(): boolean {
    if (this.pause === 0) return true;
    this.pause--;
    return false;
  }

  record(hit: boolean): void {
    if (hit) {
      this.misses = 0;
    } else if (++this.misses >= 16) {
      this.misses = 0;
      this.pause = 256;
    }
  }
}

function revertDecoded(err: unknown): DecodedError {
  const data = revertDataOf(err);
  return data ? decodeRevert(data) : { name: "TransactionReverted", args: [] };
}

function classifyBroadcastError(err: unknown, message: string): BroadcastOutcome {
  if (/already known|known transaction|already imported|AlreadyKnown/i.test(message)) return "ok";
  // Hardhat's automine mines a reverting transaction and then throws: it is on chain.
  const o = err as { transactionHash?: unknown };
  if (typeof o?.transactionHash === "string" || (/VM Exception|reverted/i.test(message) && revertDataOf(err) !== null)) {
    return "ok";
  }
  if (isTransportError(err)) return "transport";
  if (/nonce too low|nonce has already been used|NONCE_EXPIRED|OldNonce/i.test(message)) return "nonce-too-low";
  if (
    /nonce too high|NonceTooHigh|underpriced|insufficient funds|fee cap|txpool is full|queued|gapped|temporar|try again|rate limit/i.test(
      message,
    )
  ) {
    return "retry";
  }
  if (/exceeds block gas limit|intrinsic gas|invalid sender|invalid signature|oversized|chain ?id/i.test(message)) {
    return "failed";
  }
  return "retry";
}
