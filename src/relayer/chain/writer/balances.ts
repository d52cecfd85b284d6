/**
 * Balance monitor: what each payer holds against what its transactions can cost, and top-ups.
 *
 * A transaction can cost its payer gasLimit x the fee per gas it bids + its value + the L1 data
 * fee on OP-stack chains (fee-policy.ts maxCost, l1-fee.ts). `funds()` reports, per payer, the
 * balance, what its in-flight transactions may still cost (reserved), and the cost of a typical
 * write at the current fees. `check()` tops up every api payer whose balance minus reserved is
 * below the threshold with the rebalance amount from the admin payer (an outbox transfer row, so
 * it is durable and tracked like any write), and waits for those transfers; a top-up the admin
 * payer cannot pay for (amount + the transfer's own cost, L1 fee included) is not sent but logged.
 * Without an admin payer key it tops up nothing.
 */
import type { NewOutboxRow, OutboxRow, OutboxStatus } from "../../ports";
import { diamondInterface } from "../abi";
import { errorText, hexToBigInt } from "../rpc";
import type { WriterContext } from "./context";
import { maxCost, type Fees } from "./fee-policy";
import type { FeeSource } from "./fee-source";
import type { L1FeeOracle } from "./l1-fee";
import type { PayerPool } from "./payers";
import type { Signer } from "./signing";

/** What a top-up did (checkBalances). */
export interface TopUp {
  payer: string;
  balanceBefore: bigint;
  amount: bigint;
  outboxId: number;
  status: OutboxStatus;
}

/** A payer's balance against its costs (all wei). */
export interface PayerFunds {
  payer: string;
  balance: bigint;
  /** The most its in-flight transactions can still cost (L1 data fee included). */
  reserved: bigint;
  /** A typical write at the current fees (the latest call's gas limit), L1 data fee included; null before any call. */
  writeCost: bigint | null;
  /** The L1 data fee part of writeCost (0 on chains without the GasPriceOracle). */
  writeL1Fee: bigint | null;
}

export interface BalanceMonitorOptions {
  /** Top-up amount (wei); default: the diamond's rebalanceAmount(). 0 disables top-ups. */
  rebalanceAmountWei?: bigint;
  /** A payer whose balance minus reserved is below this (wei) is topped up; default: half the top-up amount. */
  minPayerBalanceWei?: bigint;
}

export interface BalanceMonitorDeps {
  /** Runs the writer's start-up recovery if it has not run yet. */
  ensureReady(): Promise<void>;
  /** Waits until the row is terminal (rejects unless mined). */
  finish(id: number): Promise<unknown>;
}

export class BalanceMonitor {
  private checking: Promise<TopUp[]> | null = null;

  constructor(
    private readonly ctx: WriterContext,
    private readonly pool: PayerPool,
    private readonly signer: Signer,
    private readonly fees: FeeSource,
    private readonly l1: L1FeeOracle,
    private readonly deps: BalanceMonitorDeps,
    private readonly opts: BalanceMonitorOptions,
  ) {}

  /** Whether a check is under way. */
  get busy(): boolean {
    return this.checking !== null;
  }

  /** Settles once the check under way (if any) has. */
  async idle(): Promise<void> {
    await this.checking?.catch(() => undefined);
  }

  /** Balance, reserved cost and the cost of a typical write of every payer (api payers, then the admin payer). */
  async funds(): Promise<PayerFunds[]> {
    const { ctx } = this;
    await this.deps.ensureReady();
    const fees = await this.fees.current();
    const inFlight = await ctx.outbox.inFlight();
    const addresses = [...this.pool.payers, ...(this.pool.adminPayer ? [this.pool.adminPayer] : [])];
    const reference = await this.referenceCall();
    // Every transaction whose L1 fee is needed, signed (a queued row and the reference write are
    // signed here at a placeholder nonce only to measure their size; nothing is stored or sent).
    const priced: { row: Pick<OutboxRow, "payer" | "gasLimit" | "value">; fees: Fees | OutboxRow; raw: string }[] = [];
    for (const row of inFlight) {
      if (!this.pool.has(row.payer)) continue;
      if (row.rawTx) priced.push({ row, fees: row, raw: row.rawTx });
      else priced.push({ row, fees, raw: (await this.pool.sign(row, row.nonce ?? 0, fees)).rawTx });
    }
    const referenceRaw = reference ? (await this.pool.sign({ ...reference, payer: this.pool.payers[0] }, 0, fees)).rawTx : null;
    const l1Fees = await this.l1.fees([...priced.map((p) => p.raw), ...(referenceRaw ? [referenceRaw] : [])]);
    const writeL1Fee = referenceRaw ? (l1Fees.at(-1) as bigint) : null;
    const writeCost =
      reference && writeL1Fee !== null ? maxCost({ gasLimit: BigInt(reference.gasLimit), fees, l1Fee: writeL1Fee }) : null;
    const reserved = new Map<string, bigint>();
    priced.forEach((p, i) => {
      const cost = maxCost({ gasLimit: BigInt(p.row.gasLimit), fees: p.fees, value: BigInt(p.row.value), l1Fee: l1Fees[i] });
      reserved.set(p.row.payer, (reserved.get(p.row.payer) ?? 0n) + cost);
    });
    const out: PayerFunds[] = [];
    for (const payer of addresses) {
      const balance = hexToBigInt(await ctx.rpc.send("eth_getBalance", [payer, "latest"]), "eth_getBalance");
      out.push({ payer, balance, reserved: reserved.get(payer) ?? 0n, writeCost, writeL1Fee });
    }
    return out;
  }

  /** Tops up the payers below the threshold now and waits for the transfers (one check at a time). */
  check(): Promise<TopUp[]> {
    if (!this.checking) {
      this.checking = this.doCheck().finally(() => {
        this.checking = null;
      });
    }
    return this.checking;
  }

  /**
   * The most one write of `gasLimit` gas costs its payer at the current fees, L1 data fee included
   * (the latest call's calldata, or a typical newAccount call before the first, stands for its size).
   */
  async writeCostFor(gasLimit: bigint): Promise<bigint> {
    const fees = await this.fees.current();
    const reference = (await this.referenceCall()) ?? {
      to: this.ctx.diamond,
      calldata: diamondInterface.encodeFunctionData("newAccount", [2n ** 255n + 1n, true, "a typical account name", "", this.ctx.diamond]),
      gasLimit: gasLimit.toString(),
    };
    const raw = (await this.pool.sign({ ...reference, gasLimit: gasLimit.toString(), payer: this.pool.payers[0] }, 0, fees)).rawTx;
    const [l1Fee] = await this.l1.fees([raw]);
    return maxCost({ gasLimit, fees, l1Fee });
  }

  /** The most one top-up of `amount` costs the admin payer: the amount + a transfer's fees + its L1 data fee. */
  async topUpCost(amount: bigint): Promise<bigint> {
    const admin = this.pool.adminPayer;
    if (!admin) return 0n;
    return this.transferCost({
      kind: "transfer",
      requestHash: "0x",
      method: "topUp",
      to: this.pool.payers[0],
      calldata: "0x",
      value: amount.toString(),
      payer: admin,
      gasLimit: "21000",
    });
  }

  /** The top-up amount: configured, else the diamond's rebalanceAmount() (0 = no top-ups). */
  async rebalanceAmount(): Promise<bigint> {
    if (this.opts.rebalanceAmountWei !== undefined) return this.opts.rebalanceAmountWei;
    const data = diamondInterface.encodeFunctionData("rebalanceAmount", []);
    return hexToBigInt(await this.ctx.rpc.send("eth_call", [{ to: this.ctx.diamond, data }, "latest"]), "rebalanceAmount");
  }

  /** The latest call row (its gas limit stands for a typical write), or null. */
  private async referenceCall(): Promise<Pick<OutboxRow, "to" | "calldata" | "gasLimit"> | null> {
    const rows = await this.ctx.outbox.inFlight();
    const call = rows.filter((r) => r.kind === "call").at(-1) ?? (await this.ctx.outbox.latestCall());
    return call ? { to: call.to, calldata: call.calldata, gasLimit: call.gasLimit } : null;
  }

  private async doCheck(): Promise<TopUp[]> {
    const { ctx } = this;
    const admin = this.pool.adminPayer;
    if (!admin) return [];
    await this.deps.ensureReady();
    const amount = await this.rebalanceAmount();
    if (amount <= 0n) return [];
    const threshold = this.opts.minPayerBalanceWei ?? amount / 2n;
    const funds = await this.funds();
    const adminFunds = funds.find((f) => f.payer === admin);
    let adminAvailable = adminFunds ? adminFunds.balance - adminFunds.reserved : 0n;
    const started: { payer: string; before: bigint; id: number }[] = [];
    for (const f of funds) {
      if (f.payer === admin) continue;
      if (f.balance - f.reserved >= threshold || (await ctx.outbox.transferInFlight(f.payer))) continue;
      const transfer: NewOutboxRow = {
        kind: "transfer",
        requestHash: "0x",
        method: "topUp",
        to: f.payer,
        calldata: "0x",
        value: amount.toString(),
        payer: admin,
        gasLimit: "21000",
      };
      const cost = await this.transferCost(transfer);
      if (adminAvailable < cost) {
        ctx.log.error(
          { payer: f.payer, balance: f.balance.toString(), admin, adminAvailable: adminAvailable.toString(), needed: cost.toString() },
          "api payer low, but the admin payer cannot pay for its top-up (amount + fees, L1 data fee included): fund the admin payer",
        );
        continue;
      }
      const row = await ctx.outbox.insert(transfer);
      if (!row) continue;
      adminAvailable -= cost;
      ctx.log.info(
        { payer: f.payer, balance: f.balance.toString(), reserved: f.reserved.toString(), amount: amount.toString() },
        "topping up api payer",
      );
      ctx.busy.active.add(row.id);
      try {
        await this.signer.submit(row);
      } catch (err) {
        ctx.log.warn({ payer: f.payer, err: errorText(err) }, "top-up not sent yet");
      } finally {
        ctx.busy.active.delete(row.id);
      }
      started.push({ payer: f.payer, before: f.balance, id: row.id });
    }
    const out: TopUp[] = [];
    for (const s of started) {
      let status: OutboxRow["status"] = "queued";
      try {
        await this.deps.finish(s.id);
        status = "mined";
      } catch {
        status = (await ctx.outbox.get(s.id))?.status ?? "queued";
      }
      out.push({ payer: s.payer, balanceBefore: s.before, amount, outboxId: s.id, status });
    }
    return out;
  }

  /** The most a transfer costs the admin payer: value + 21 000 gas at the current fees + its L1 data fee. */
  private async transferCost(row: NewOutboxRow): Promise<bigint> {
    const fees = await this.fees.current();
    const raw = (await this.pool.sign(row, 0, fees)).rawTx;
    const [l1Fee] = await this.l1.fees([raw]);
    return maxCost({ gasLimit: BigInt(row.gasLimit), fees, value: BigInt(row.value ?? "0"), l1Fee });
  }
}
