/**
 * Sent transactions the node no longer holds (docs/finality.md "The outbox through reorgs"): a
 * reorg that replaces the head with blocks from a node that never saw our transaction (on a local
 * chain: evm_revert, which restores the pool as it was at the snapshot), or a node that evicted
 * it, leaves a row `sent` with no receipt and no transaction behind it. Waiting for the stuck
 * timeout (60 s by default) would hold every later nonce of the payer for that long. Instead, a
 * sent row without a receipt is looked up by hash at most every `everyMs`: when the node knows
 * none of its attempts and the nonce is still free, the same signed bytes are broadcast again (the
 * same transaction: it can be applied at most once). A used nonce is left to the stuck handler,
 * which tells our mined attempt from a foreign transaction.
 */
import type { OutboxRow } from "../../ports";
import { hexToNumber, sendAll } from "../rpc";
import type { Broadcaster } from "./broadcaster";
import type { WriterContext } from "./context";

export class PoolLossCheck {
  /** Row id -> when it was last looked up. */
  private readonly lastLook = new Map<number, number>();
  /** Transactions found missing from the node and broadcast again. */
  rebroadcasts = 0;

  constructor(
    private readonly ctx: WriterContext,
    private readonly broadcaster: Broadcaster,
    private readonly everyMs: number,
  ) {}

  /** For a `sent` row whose receipt was not found at `now`; true when it was broadcast again. */
  async check(row: OutboxRow, now: number): Promise<boolean> {
    if (row.nonce === null || row.sentAt === null || !row.rawTx || row.txHashes.length === 0) return false;
    if (now - row.sentAt < this.everyMs || now - (this.lastLook.get(row.id) ?? 0) < this.everyMs) return false;
    this.lastLook.set(row.id, now);
    if (this.lastLook.size > 10_000) this.forgetOldest();
    const answers = await sendAll(this.ctx.rpc, [
      { method: "eth_getTransactionCount", params: [row.payer, "latest"] },
      ...row.txHashes.map((hash) => ({ method: "eth_getTransactionByHash", params: [hash] })),
    ]);
    for (const a of answers) if (!a.ok) throw a.error;
    const [count, ...txs] = answers.map((a) => (a.ok ? a.result : null));
    if (txs.some((t) => t !== null)) return false; // pending or mined: nothing lost
    if (hexToNumber(count, "eth_getTransactionCount") > row.nonce) return false; // the stuck handler's case
    this.ctx.log.warn(
      { id: row.id, payer: row.payer, nonce: row.nonce, tx: row.txHashes.at(-1) },
      "sent transaction unknown to the node (dropped from its pool); rebroadcasting its signed bytes",
    );
    this.rebroadcasts++;
    await this.broadcaster.queue(row, false);
    return true;
  }

  private forgetOldest(): void {
    const cut = [...this.lastLook.entries()].sort((a, b) => a[1] - b[1]).slice(0, 5_000);
    for (const [id] of cut) this.lastLook.delete(id);
  }
}
