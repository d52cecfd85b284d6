/**
 * Balance monitor: tops up every api payer whose balance is below the threshold with the
 * rebalance amount from the admin payer (an outbox transfer row, so it is durable and tracked like
 * any write), and waits for those transfers. Without an admin payer key it does nothing.
 */
import type { OutboxRow, OutboxStatus } from "../../ports";
import { diamondInterface } from "../abi";
import { errorText, hexToBigInt } from "../rpc";
import type { WriterContext } from "./context";
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

export interface BalanceMonitorOptions {
  /** Top-up amount (wei); default: the diamond's rebalanceAmount(). 0 disables top-ups. */
  rebalanceAmountWei?: bigint;
  /** A payer below this balance (wei) is topped up; default: half the top-up amount. */
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

  /** Tops up the payers below the threshold now and waits for the transfers (one check at a time). */
  check(): Promise<TopUp[]> {
    if (!this.checking) {
      this.checking = this.doCheck().finally(() => {
        this.checking = null;
      });
    }
    return this.checking;
  }

  private async doCheck(): Promise<TopUp[]> {
    const { ctx } = this;
    const admin = this.pool.adminPayer;
    if (!admin) return [];
    await this.deps.ensureReady();
    let amount = this.opts.rebalanceAmountWei;
    if (amount === undefined) {
      const data = diamondInterface.encodeFunctionData("rebalanceAmount", []);
      amount = hexToBigInt(await ctx.rpc.send("eth_call", [{ to: ctx.diamond, data }, "latest"]), "rebalanceAmount");
    }
    if (amount <= 0n) return [];
    const threshold = this.opts.minPayerBalanceWei ?? amount / 2n;
    const started: { payer: string; before: bigint; id: number }[] = [];
    for (const payer of this.pool.payers) {
      if (payer === admin) continue;
      const balance = hexToBigInt(await ctx.rpc.send("eth_getBalance", [payer, "latest"]), "eth_getBalance");
      if (balance >= threshold || (await ctx.outbox.transferInFlight(payer))) continue;
      const row = await ctx.outbox.insert({
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
      ctx.log.info({ payer, balance: balance.toString(), amount: amount.toString() }, "topping up api payer");
      ctx.busy.active.add(row.id);
      try {
        await this.signer.submit(row);
      } catch (err) {
        ctx.log.warn({ payer, err: errorText(err) }, "top-up not sent yet");
      } finally {
        ctx.busy.active.delete(row.id);
      }
      started.push({ payer, before: balance, id: row.id });
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
}
