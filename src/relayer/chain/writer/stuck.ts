/**
 * Stuck transactions: a sent transaction not mined `stuckAfterMs` after sending (or one the node
 * keeps refusing as underpriced).
 *  - its nonce is used on chain and the node knows none of our attempts: a foreign transaction
 *    took it; the row is re-queued and signed again at a fresh nonce (a filler row just fails:
 *    its only purpose, using the nonce, is served);
 *  - else it is re-signed with the same nonce and fees raised by the fee policy (bumpedFees).
 */
import type { OutboxRow } from "../../ports";
import { hexToNumber } from "../rpc";
import type { Broadcaster } from "./broadcaster";
import type { WriterContext } from "./context";
import { bumpedFees } from "./fee-policy";
import type { FeeSource } from "./fee-source";
import type { PayerPool } from "./payers";
import type { ReceiptTracker } from "./receipts";
import type { Signer } from "./signing";

export class StuckHandler {
  constructor(
    private readonly ctx: WriterContext,
    private readonly pool: PayerPool,
    private readonly fees: FeeSource,
    private readonly receipts: ReceiptTracker,
    private readonly broadcaster: Broadcaster,
    private readonly signer: Signer,
    /** Fee raise per re-sign (permille, at least 125). */
    private readonly bumpPermille: bigint,
  ) {}

  /** See the file comment; `bumpFees` false only re-queues a row whose nonce was taken. */
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
      if (row.kind === "filler") {
        if (await ctx.outbox.markFailed(row.id, "nonce already used")) ctx.rows.notify(row.id);
        return;
      }
      if (await ctx.outbox.requeue(row.id, row.attempts)) {
        ctx.log.warn({ id: row.id, payer: row.payer, nonce: row.nonce }, "nonce taken by a foreign transaction; re-queued");
        await ctx.outbox.reconcileNonce(row.payer, latest);
        const again = await ctx.outbox.get(row.id);
        if (again) await this.signer.submit(again).catch(() => undefined);
      }
      return;
    }
    if (!bumpFees) return;
    const fees = bumpedFees(row, await this.fees.current(), this.bumpPermille);
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
}
