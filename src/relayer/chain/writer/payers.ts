/**
 * Payer pool and nonces: the api payer keys (and the admin payer's), which payer a new write goes
 * to (fewest in-flight writes, round-robin among equals), the per-payer nonce lock (nonce
 * allocation + signing + storing happen under it, one row at a time), local signing, and the
 * reconciliation of each payer's nonce counter with the chain (start-up): the counter moves up to
 * the chain's pending count, never down, and a nonce we allocated that no row holds any more is
 * filled with a zero-value self-transfer so later nonces are not blocked.
 */
import { Wallet, type TransactionLike } from "ethers";
import { Mutex } from "../../../core/mutex";
import type { OutboxRow, SignedAttempt } from "../../ports";
import { hexToNumber } from "../rpc";
import { signTx } from "../sign";
import type { WriterContext } from "./context";
import type { Fees } from "./fee-policy";

/** Most gap fillers queued per payer in one reconciliation. */
const MAX_FILLERS = 100;

export class PayerPool {
  /** Api payer addresses (lowercase). */
  readonly payers: string[];
  readonly adminPayer: string | null;
  private readonly wallets = new Map<string, Wallet>();
  private readonly locks = new Map<string, Mutex>();
  private readonly inFlight = new Map<string, number>();
  private rr = 0;
  private chainId: bigint | null = null;

  constructor(payerKeys: readonly string[], adminPayerKey?: string) {
    if (payerKeys.length === 0) throw new Error("writer: at least one api payer key is required");
    for (const key of payerKeys) {
      const w = new Wallet(key);
      this.wallets.set(w.address.toLowerCase(), w);
    }
    this.payers = [...this.wallets.keys()];
    if (adminPayerKey) {
      const admin = new Wallet(adminPayerKey);
      this.adminPayer = admin.address.toLowerCase();
      this.wallets.set(this.adminPayer, admin);
    } else {
      this.adminPayer = null;
    }
  }

  /** Every address this pool signs for (api payers and the admin payer). */
  addresses(): string[] {
    return [...this.wallets.keys()];
  }

  /** Whether this pool holds the key of `address`. */
  has(address: string): boolean {
    return this.wallets.has(address);
  }

  setChainId(id: bigint): void {
    this.chainId = id;
  }

  /** The chain id the node reported at start-up (null before). */
  get chain(): bigint | null {
    return this.chainId;
  }

  /** The payer's nonce lock: allocation, signing and storing of its rows, one at a time. */
  lock(payer: string): Mutex {
    let m = this.locks.get(payer);
    if (!m) {
      m = new Mutex();
      this.locks.set(payer, m);
    }
    return m;
  }

  /** Picks the payer for a new write and counts it in flight until `release`. */
  acquire(): string {
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
    this.inFlight.set(chosen, (this.inFlight.get(chosen) ?? 0) + 1);
    return chosen;
  }

  release(payer: string): void {
    this.inFlight.set(payer, (this.inFlight.get(payer) ?? 1) - 1);
  }

  inFlightCounts(): Record<string, number> {
    return Object.fromEntries(this.inFlight);
  }

  /** Signs a transaction for `row` at `nonce` with `fees` (local, no I/O). */
  async sign(
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
   * Moves each payer's nonce counter up to the chain's pending count and queues a filler for
   * every nonce below the counter that no in-flight row holds (it would block every later one).
   */
  async reconcileNonces(ctx: WriterContext): Promise<void> {
    for (const address of this.wallets.keys()) {
      const pending = hexToNumber(
        await ctx.rpc.send("eth_getTransactionCount", [address, "pending"]),
        "eth_getTransactionCount",
      );
      const next = await ctx.outbox.reconcileNonce(address, pending);
      for (const nonce of (await ctx.outbox.uncoveredNonces(address, pending, next)).slice(0, MAX_FILLERS)) {
        await ctx.outbox.insert({
          kind: "filler",
          requestHash: "0x",
          method: "filler",
          to: address,
          calldata: "0x",
          payer: address,
          gasLimit: "21000",
          nonce,
        });
        ctx.log.warn({ payer: address, nonce }, "nonce gap: queued a filler transaction");
      }
    }
  }
}
