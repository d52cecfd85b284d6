/**
 * The signer pool and outbox worker: implements Writer (../ports) on top of the durable outbox.
 *
 * write(request):
 *  1. encode the call; with an Idempotency-Key already used, wait for / return that row's outcome
 *     (a different request under the same key -> IdempotencyConflictError);
 *  2. pick a payer (fewest in-flight transactions, round-robin among equals) and pre-flight
 *     eth_estimateGas from it: a revert -> RevertError with the decoded custom error; RPC down ->
 *     ChainUnavailableError(queued=false). Nothing is persisted or sent, no nonce is used;
 *  3. persist the outbox row (queued);
 *  4. under the payer's lock: in one DB transaction take the payer's next nonce from the database
 *     (never from the node), sign locally, persist the raw transaction and its hash (signed);
 *     then broadcast it (sent). RPC down here -> ChainUnavailableError(queued=true): the worker
 *     keeps rebroadcasting the persisted transaction;
 *  5. the worker polls receipts of every attempt: status 0 -> RevertError (decoded by re-running
 *     the call with eth_call at the receipt's block, then its parent; else "TransactionReverted");
 *     status 1 -> the indexer is synced to that block -> WriteReceipt with the decoded events.
 * The worker also re-signs stuck transactions (not mined `stuckAfterMs` after sending) with the
 * same nonce and fees raised by at least 12.5 %, re-queues a row whose nonce was consumed by a
 * foreign transaction, closes nonce gaps left by a permanently rejected transaction with a
 * zero-value self-transfer, and on start reconciles each payer's nonce counter with the chain's
 * pending count and rebroadcasts every signed/sent row (so a crash loses nothing and never sends a
 * second transaction for one row).
 * A balance monitor tops up payers below a threshold with `rebalanceAmount` from the admin payer.
 */
import { Wallet, keccak256, type TransactionRequest } from "ethers";
import {
  ChainUnavailableError,
  IdempotencyConflictError,
  RevertError,
  type WriteReceipt,
  type WriteRequest,
  type Writer,
} from "../ports";
import { Mutex, type OutboxRow, type Store, type SignedAttempt } from "../store";
import { decodeLogs, decodeRevert, diamondInterface, type DecodedError } from "./abi";
import type { Indexer } from "./indexer";
import { silentLogger, type ChainLogger } from "./log";
import {
  errorText,
  hexToBigInt,
  hexToNumber,
  isRevertError,
  isTransportError,
  revertDataOf,
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
  private readonly locks = new Map<string, Mutex>();
  private readonly inFlight = new Map<string, number>();
  private rr = 0;
  /** Rows this instance is signing/broadcasting right now (the worker leaves them alone). */
  private readonly active = new Set<number>();
  private readonly waiters = new Map<number, Set<() => void>>();
  private lastTickError: string | null = null;
  private unregistered: string[] = [];

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
          .filter((r) => !this.active.has(r.id) && this.wallets.has(r.payer))
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

  async write(request: WriteRequest): Promise<WriteReceipt> {
    if (this.stopped) throw new ChainUnavailableError("relayer is shutting down", false);
    const calldata = diamondInterface.encodeFunctionData(request.method, request.args);
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
      const gasLimit = await this.estimate(payer, calldata);
      const row = await this.store.outbox.insert({
        kind: "call",
        idemScope: scope,
        idemKey: key ?? null,
        requestHash,
        method: request.method,
        to: this.diamond,
        calldata,
        payer,
        gasLimit: gasLimit.toString(),
      });
      if (!row) {
        // Same key inserted concurrently by another request.
        const existing = key !== undefined && scope !== null ? await this.store.outbox.findByKey(scope, key) : null;
        if (!existing) throw new Error("outbox: idempotent insert lost its row");
        return await this.outcomeOf(existing, requestHash);
      }
      this.active.add(row.id);
      try {
        await this.submit(row);
      } finally {
        this.active.delete(row.id);
      }
      return await this.finish(row.id);
    } finally {
      this.inFlight.set(payer, (this.inFlight.get(payer) ?? 1) - 1);
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

  private async estimate(payer: string, data: string): Promise<bigint> {
    let gas: bigint;
    try {
      gas = hexToBigInt(await this.rpc.send("eth_estimateGas", [{ from: payer, to: this.diamond, data }]), "eth_estimateGas");
    } catch (err) {
      if (!isTransportError(err) && isRevertError(err)) {
        const d = revertDecoded(err);
        throw new RevertError(d.name, d.args, `reverted: ${d.name}`);
      }
      throw new ChainUnavailableError(`chain unavailable: ${errorText(err)}`, false);
    }
    return ceilDiv(gas * this.gasLimitPercent, 100n);
  }

  /** Waits until the row is terminal; resolves with its receipt once the indexer has applied it. */
  private async finish(id: number): Promise<WriteReceipt> {
    const deadline = Date.now() + this.writeTimeoutMs;
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

  /** Signs a queued row (taking a nonce) and broadcasts it, in nonce order per payer. */
  private async submit(row: OutboxRow): Promise<void> {
    let fees: Fees;
    try {
      fees = await this.fees();
    } catch (err) {
      throw new ChainUnavailableError(`chain unavailable: ${errorText(err)}`, true);
    }
    const done = await this.lock(row.payer).run(async () => {
      const signed = await this.store.outbox.allocateAndSign(row.id, (nonce) => this.sign(row, nonce, fees));
      if (!signed) return null;
      this.notify(row.id);
      return { signed, outcome: (await this.broadcast(signed)).outcome };
    });
    if (!done) return;
    if (done.outcome === "ok") await this.checkReceipt(done.signed, true);
    if (done.outcome === "transport") {
      throw new ChainUnavailableError("chain unavailable: the transaction is stored and will be sent", true);
    }
  }

  private async sign(row: OutboxRow, nonce: number, fees: Fees): Promise<SignedAttempt> {
    const wallet = this.wallets.get(row.payer);
    if (!wallet) throw new Error(`no key for payer ${row.payer}`);
    if (this.chainId === null) throw new Error("writer not initialised");
    const tx: TransactionRequest = {
      chainId: this.chainId,
      nonce,
      to: row.to,
      data: row.calldata,
      value: BigInt(row.value),
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
    const rawTx = await wallet.signTransaction(tx);
    return {
      rawTx,
      hash: keccak256(rawTx),
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

  /** Broadcasts the row's latest signed attempt and records the outcome. */
  private async broadcast(row: OutboxRow): Promise<{ outcome: BroadcastOutcome; message: string }> {
    if (!row.rawTx) return { outcome: "retry", message: "no signed transaction" };
    let outcome: BroadcastOutcome;
    let message = "";
    try {
      await this.rpc.send("eth_sendRawTransaction", [row.rawTx]);
      outcome = "ok";
    } catch (err) {
      message = errorText(err);
      outcome = classifyBroadcastError(err, message);
    }
    switch (outcome) {
      case "ok":
        if (await this.store.outbox.markSent(row.id, row.attempts)) this.notify(row.id);
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
    return { outcome, message };
  }

  /** Looks for a receipt of any attempt; records mined/reverted and returns true when found. */
  private async checkReceipt(row: OutboxRow, quiet = false): Promise<boolean> {
    let receipt: RpcReceipt | null = null;
    for (const hash of [...row.txHashes].reverse()) {
      try {
        receipt = (await this.rpc.send("eth_getTransactionReceipt", [hash])) as RpcReceipt | null;
      } catch (err) {
        if (quiet) return false;
        throw err;
      }
      if (receipt) break;
    }
    if (!receipt) return false;
    const blockNumber = hexToNumber(receipt.blockNumber, "receipt.blockNumber");
    const gasUsed = hexToBigInt(receipt.gasUsed, "receipt.gasUsed").toString();
    if (hexToNumber(receipt.status, "receipt.status") === 1) {
      const result: WriteReceipt = {
        txHash: receipt.transactionHash,
        blockNumber,
        gasUsed,
        events: decodeLogs(receipt.logs, this.diamond),
      };
      if (await this.store.outbox.markMined(row.id, { blockNumber, minedHash: receipt.transactionHash, gasUsed, result: JSON.stringify(result) })) {
        this.log.info({ id: row.id, method: row.method, tx: receipt.transactionHash, block: blockNumber }, "transaction mined");
      }
    } else {
      const reason = await this.revertReason(row, blockNumber);
      if (
        await this.store.outbox.markReverted(row.id, {
          blockNumber,
          minedHash: receipt.transactionHash,
          gasUsed,
          errorName: reason.name,
          errorArgs: reason.args,
          message: `transaction ${receipt.transactionHash} reverted: ${reason.name}`,
        })
      ) {
        this.log.warn({ id: row.id, method: row.method, tx: receipt.transactionHash, error: reason.name }, "transaction reverted");
      }
    }
    this.notify(row.id);
    return true;
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
      await this.broadcast(updated);
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
