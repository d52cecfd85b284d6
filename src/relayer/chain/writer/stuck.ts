/**
 * Stuck transactions: a sent transaction not mined `stuckAfterMs` after sending (or one the node
 * keeps refusing as underpriced), and a rebroadcast after a reorg that the node answers "nonce too
 * low".
 *  - its nonce is used on chain and the node knows none of our attempts: a foreign transaction
 *    took it. A call is pre-flighted again against the current state: still valid -> re-queued
 *    (with the new gas estimate when higher) and signed again at a fresh nonce; reverts -> recorded
 *    as reverted with that decoded error, nothing sent (it no longer applies). A transfer is
 *    re-queued; a filler just fails (its only purpose, using the nonce, is served);
 *  - else it is re-signed with the same nonce and fees raised by the fee policy (bumpedFees),
 *    unless that would bid above the maximum fee per gas: then it keeps waiting.
 */
import { RevertError, type OutboxRow } from "../../ports";
import { hexToNumber } from "../rpc";
import type { Broadcaster } from "./broadcaster";
import type { WriterContext } from "./context";
import { bumpedFees } from "./fee-policy";
import type { FeeSource } from "./fee-source";
import type { PayerPool } from "./payers";
import type { Preflight } from "./preflight";
import type { ReceiptTracker } from "./receipts";
import type { Signer } from "./signing";

export class StuckHandler {
  /** Rows already reported as held at the fee cap (logged once each). */
  private readonly capped = new Set<number>();

  constructor(
    private readonly ctx: WriterContext,
    private readonly pool: PayerPool,
    private readonly fees: FeeSource,
    private readonly preflight: Preflight,
    private readonly receipts: ReceiptTracker,
    private readonly broadcaster: Broadcaster,
    private readonly signer: Signer,
    /** Fee raise per re-sign (permille, at least 125). */
    private readonly bumpPermille: bigint,
  ) {}

  /** See the file comment; `bumpFees` false only handles a nonce that was taken. */
  async handle(row: OutboxRow, bumpFees = true): Promise<void> {
    const { ctx } = this;
    if (row.nonce === null) return;
    const latest = hexToNumber(
      await ctx.rpc.send("eth_getTransactionCount", [row.payer, "latest"]),
      "eth_getTransactionCount",
    );
    if (latest > row.nonce) {
      // The nonce is used; if the node knows none of our attempts, it was a foreign transaction.
      // (A lagging node that has our mined transaction but not yet its receipt must never make
      // us sign the same request again: ask for each attempt by hash too.)
      if (await this.receipts.check(row)) return;
      for (const hash of row.txHashes) {
        if ((await ctx.rpc.send("eth_getTransactionByHash", [hash])) !== null) return;
      }
      await this.nonceTaken(row, latest);
      return;
    }
    if (!bumpFees) return;
    const fees = bumpedFees(row, await this.fees.current(), this.bumpPermille, this.fees.cap);
    if (fees === null) {
      if (!this.capped.has(row.id)) {
        this.capped.add(row.id);
        ctx.log.warn(
          { id: row.id, payer: row.payer, nonce: row.nonce, maxFeePerGas: row.maxFeePerGas ?? row.gasPrice, cap: String(this.fees.cap) },
          "stuck transaction not re-signed: a replacement would bid above the maximum fee per gas",
        );
      }
      return;
    }
    await this.pool.lock(row.payer).run(async () => {
      const signed = await this.pool.sign(row, row.nonce as number, fees);
      const updated = await ctx.outbox.recordAttempt(row.id, row.attempts, signed);
      if (!updated) return;
      ctx.log.warn(
        { id: row.id, payer: row.payer, nonce: row.nonce, attempt: updated.attempts, tx: signed.hash },
        "stuck transaction re-signed with higher fees",
      );
      await this.broadcaster.queue(updated);
    });
  }

  /** A foreign transaction holds the row's nonce (see the file comment). */
  private async nonceTaken(row: OutboxRow, latest: number): Promise<void> {
    const { ctx } = this;
    if (row.kind === "filler") {
      if (await ctx.outbox.markFailed(row.id, "nonce already used")) ctx.rows.notify(row.id);
      return;
    }
    let gasLimit: string | undefined;
    if (row.kind === "call") {
      try {
        const fresh = await this.preflight.gasLimit(row.payer, row.calldata);
        if (fresh > BigInt(row.gasLimit)) gasLimit = fresh.toString();
      } catch (err) {
        if (!(err instanceof RevertError)) throw err; // unreachable node: next round
        const message = `nonce ${row.nonce} was taken by another transaction and the call no longer applies: ${err.errorName}`;
        if (await ctx.outbox.abandon(row.id, row.attempts, { name: err.errorName, args: [...err.errorArgs], message })) {
          ctx.log.error({ id: row.id, payer: row.payer, nonce: row.nonce, method: row.method, error: err.errorName }, message);
          ctx.rows.notify(row.id);
        }
        return;
      }
    }
    if (await ctx.outbox.requeue(row.id, row.attempts, gasLimit)) {
      ctx.log.warn({ id: row.id, payer: row.payer, nonce: row.nonce }, "nonce taken by a foreign transaction; re-queued");
      await ctx.outbox.reconcileNonce(row.payer, latest);
      const again = await ctx.outbox.get(row.id);
      if (again) await this.signer.submit(again).catch(() => undefined);
    }
  }
}
