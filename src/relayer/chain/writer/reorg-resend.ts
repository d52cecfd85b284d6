/**
 * The first move after a reported reorg (docs/finality.md "The outbox through reorgs"): the signed
 * bytes of every transaction the reorg may have dropped are handed to the node again at once, in
 * one JSON-RPC batch, before any receipt is looked at. Those are the rows recorded mined (or
 * reverted) at or after the first reorganised block, final or not, and the rows sent but not mined
 * yet (a node that switched branches may have dropped them from its pool too).
 *
 * Why at once: a payer's later nonces, including the next write's, cannot be mined before its
 * dropped ones are back in the node's pool. The finality rounds, which decide what became of each
 * row, take several round trips and are often already running when the reorg is reported; the
 * next write must not wait for them. Sending the same signed transaction again is always safe: it
 * is applied at most once (one nonce), the node answers "already known" or "nonce too low" when it
 * has it or mined it, and whatever it answers is left to the rounds (receipt moved, sent back,
 * nonce taken by another transaction).
 *
 * Order: the batch is in nonce order per payer. A node that refuses a nonce above the next one
 * (automine) gets the refused ones again one by one, in that order, once the batch has landed.
 */
import type { OutboxRow } from "../../ports";
import { errorText, sendAll } from "../rpc";
import { classifyBroadcastError } from "./broadcaster";
import type { WriterContext } from "./context";
import type { PayerPool } from "./payers";

export interface ReorgResendResult {
  /** Rows whose signed bytes were sent again. */
  rows: OutboxRow[];
  /** Ids of those the node accepted (or already had). */
  accepted: Set<number>;
}

/** Rows a reorg from `block` may have dropped, in nonce order per payer (see the file comment). */
export function rowsToResend(
  minedSince: readonly OutboxRow[],
  inFlight: readonly OutboxRow[],
  block: number,
  signsFor: (payer: string) => boolean,
  busy: (id: number) => boolean,
): OutboxRow[] {
  const byId = new Map<number, OutboxRow>();
  for (const r of minedSince) {
    if ((r.status === "mined" || r.status === "reverted") && r.blockNumber !== null && r.blockNumber >= block) byId.set(r.id, r);
  }
  for (const r of inFlight) if (r.status === "sent") byId.set(r.id, r);
  return [...byId.values()]
    .filter((r) => r.rawTx !== null && r.nonce !== null && signsFor(r.payer) && !busy(r.id))
    .sort((a, b) => (a.payer === b.payer ? (a.nonce as number) - (b.nonce as number) : a.payer < b.payer ? -1 : 1));
}

export class ReorgResend {
  /** Transactions handed to the node again by this stage. */
  resent = 0;

  constructor(
    private readonly ctx: WriterContext,
    private readonly pool: PayerPool,
  ) {}

  /** Sends again the signed bytes of every row a reorg from `block` may have dropped (one batch). */
  async resend(block: number): Promise<ReorgResendResult> {
    const { ctx } = this;
    const [minedSince, inFlight] = await Promise.all([ctx.outbox.minedFrom(block), ctx.outbox.inFlight()]);
    const rows = rowsToResend(minedSince, inFlight, block, (p) => this.pool.has(p), (id) => ctx.busy.has(id));
    if (rows.length === 0) return { rows, accepted: new Set() };
    const answers = await sendAll(
      ctx.rpc,
      rows.map((r) => ({ method: "eth_sendRawTransaction", params: [r.rawTx] })),
    );
    const accepted = new Set<number>();
    const again: OutboxRow[] = [];
    answers.forEach((a, i) => {
      const outcome = a.ok ? "ok" : classifyBroadcastError(a.error, errorText(a.error));
      if (outcome === "ok") accepted.add(rows[i].id);
      else if (outcome === "retry") again.push(rows[i]);
    });
    // Refused as ahead of the node's next nonce: one by one now, lowest first.
    for (const row of again) {
      try {
        await ctx.rpc.send("eth_sendRawTransaction", [row.rawTx]);
        accepted.add(row.id);
      } catch (err) {
        if (classifyBroadcastError(err, errorText(err)) === "ok") accepted.add(row.id);
      }
    }
    this.resent += rows.length;
    ctx.log.warn({ from: block, rows: rows.length, accepted: accepted.size }, "reorg: re-sent the signed bytes of every write it may have dropped");
    return { rows, accepted };
  }
}
