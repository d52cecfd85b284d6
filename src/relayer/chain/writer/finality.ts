/**
 * Receipt and finality tracker: watches every mined (or reverted) outbox row until its receipt is
 * `threshold` blocks deep (the chain's confirmation depth, or WRITE_CONFIRMATIONS when larger),
 * then marks it final. Each round asks, in one JSON-RPC batch, for the head and the receipt of
 * every attempt of every watched row:
 *  - the receipt is still in the block it was recorded in: the row is confirmed up to that head
 *    (write() waiting for WRITE_CONFIRMATIONS reads it), and final once deep enough;
 *  - it is in another block (the transaction was re-mined after a reorg): the new receipt is
 *    recorded in place of the old one (its outcome may differ: the state it ran on changed);
 *  - no attempt has a receipt: if the node has a different block at that height, the block was
 *    reorganised away -> the row goes back to sent and its signed bytes are rebroadcast, in nonce
 *    order per payer. When the node answers "nonce too low" (another transaction took the nonce),
 *    the stuck handler pre-flights the call again and signs it at a fresh nonce, or records its
 *    error if it no longer applies. Then each payer's nonce counter is reconciled with the chain
 *    and gaps are filled, so no payer is wedged. If the node has no block at that height yet (a
 *    lagging node) or still has the same block (its receipt index lags), nothing is decided.
 * A reorg that the index notices (noteReorg) makes the rounds also look at every row mined at or
 * after the fork point, final or not (with confirmation depth 0 nothing else watches them), until
 * one round has settled every such row: its receipt found in the block the node now has at that
 * height, re-mined elsewhere, or sent back. A row whose height the new branch has not reached yet
 * is undecided, and keeps the re-check armed (the index follows a reorg while the new branch is
 * still shorter than the old one). A receipt read from the old branch but recorded after such a
 * round re-arms it (reorgSeen). No row becomes final unless the node's block at its height is the
 * block its receipt is in (docs/finality.md).
 * Exactly-once: the same signed bytes (or, at a fresh nonce, the same call, pre-flighted again) so
 * a write is applied at most once, and every transition is guarded by the block hash it saw.
 */
import type { OutboxRow, WriteReceipt } from "../../ports";
import { splitBatchEvents } from "../batch-outcomes";
import { finalityFor } from "../finality";
import { errorText, hexToNumber, sendAll, toQuantity, type RpcBlock, type RpcReceipt } from "../rpc";
import type { Broadcaster } from "./broadcaster";
import type { WriterContext } from "./context";
import type { PayerPool } from "./payers";
import type { ReceiptTracker } from "./receipts";
import type { StuckHandler } from "./stuck";

/**
 * The outcome of each call of a batchCalls row's receipt ("1" succeeded, "0" failed), from its
 * recorded result; "" for other rows. A batch re-mined by a reorg may keep its status while a call
 * of it changes outcome: that is "another outcome" too.
 */
function memberOutcomes(method: string, result: string | null): string {
  if (method !== "batchCalls" || result === null) return "";
  const receipt = JSON.parse(result) as WriteReceipt | null;
  if (!receipt) return "";
  return [...splitBatchEvents(receipt.events)].map(([i, o]) => `${i}:${o.success ? 1 : 0}`).join(",");
}

export interface FinalityOptions {
  /** Blocks on top of a write's block before it is final; default: the chain's (chain/finality.ts). */
  confirmationDepth?: number;
  /** Blocks on top of a write's block before write() answers; 0 (default): on inclusion. */
  writeConfirmations?: number;
}

export class FinalityTracker {
  private depth: number | null;
  readonly writeConfirmations: number;
  /** Per row id: the block hash its receipt was last seen in, and the head it was seen at. */
  private readonly verified = new Map<number, { blockHash: string; head: number }>();
  /** Lowest block from which the index reported a reorg, until a round has settled every row mined since. */
  private reorgFrom: number | null = null;
  /** Reorgs reported so far: a receipt look-up that spans one re-arms the re-check (reorgSeen). */
  private reorgSeq = 0;
  /** Rows of the armed re-check already re-sent ahead of their height (`id:blockHash`), once each. */
  private readonly resentEarly = new Set<string>();
  /**
   * Rows (`id:blockHash`) whose signed bytes the node accepted again as the reorg was reported
   * (reorg-resend.ts): once sent back, they need no broadcast of their own, which would hold the
   * payer's broadcast queue (and the next write's broadcast behind it) for a round trip each.
   */
  private readonly handedBack = new Set<string>();
  private running: Promise<void> | null = null;
  /** Rows recorded not final may exist although the threshold is 0 (recorded before the depth was known). */
  private sweep = true;
  /** Reorganised-away transactions seen (rebroadcast or re-queued), and receipts that moved. */
  readonly counts = { dropped: 0, moved: 0, finalized: 0, rounds: 0 };

  constructor(
    private readonly ctx: WriterContext,
    private readonly pool: PayerPool,
    private readonly receipts: ReceiptTracker,
    private readonly broadcaster: Broadcaster,
    private readonly stuck: StuckHandler,
    opts: FinalityOptions,
  ) {
    this.depth = opts.confirmationDepth ?? null;
    this.writeConfirmations = Math.max(0, Math.floor(opts.writeConfirmations ?? 0));
  }

  /** Resolves the confirmation depth from the chain id, unless configured. */
  configure(chainId: bigint): void {
    if (this.depth === null) this.depth = finalityFor(chainId).confirmationDepth;
  }

  /** The confirmation depth in force (null before the chain id is known). */
  get confirmationDepth(): number | null {
    return this.depth;
  }

  /** Blocks on top of a receipt's block before its row is final. */
  get threshold(): number {
    return Math.max(this.depth ?? 0, this.writeConfirmations);
  }

  /** A receipt is final as soon as it is seen (nothing to watch). */
  finalAtInclusion(): boolean {
    return this.depth !== null && this.threshold === 0;
  }

  /**
   * Blocks built on top of the row's block as last verified by a round (its receipt still in that
   * block at that head); null when not verified yet. A final row counts as fully confirmed.
   */
  confirmations(row: OutboxRow): number | null {
    if (row.blockNumber === null) return null;
    if (row.final) return Number.MAX_SAFE_INTEGER;
    const v = this.verified.get(row.id);
    if (!v || v.blockHash !== row.blockHash) return null;
    return v.head - row.blockNumber;
  }

  /** The index saw a reorg from `block` on: the next round re-checks every row mined since. */
  noteReorg(block: number): void {
    this.reorgSeq++;
    this.reorgFrom = this.reorgFrom === null ? block : Math.min(this.reorgFrom, block);
  }

  /**
   * These rows' signed bytes were just sent again after a reported reorg (reorg-resend.ts): the
   * rounds need not re-send them ahead of their height again.
   */
  noteResent(rows: readonly OutboxRow[], accepted: ReadonlySet<number>): void {
    for (const r of rows) {
      if (r.blockHash === null) continue;
      this.resentEarly.add(`${r.id}:${r.blockHash}`);
      if (accepted.has(r.id)) this.handedBack.add(`${r.id}:${r.blockHash}`);
    }
  }

  /** Reorgs reported so far (compare before and after reading a receipt: see reorgSeen). */
  get reorgGeneration(): number {
    return this.reorgSeq;
  }

  /**
   * Receipts read before reorg generation `since` changed and recorded after it, in blocks from
   * `block` on: the round that looked at the reorg may have run before they were recorded, so the
   * re-check is armed again from there.
   */
  reorgSeen(since: number, block: number): void {
    if (since !== this.reorgSeq) this.noteReorg(block);
  }

  /** One round (shared by concurrent callers); never rejects: a failed round is retried next tick. */
  round(): Promise<void> {
    if (!this.running) {
      this.running = this.doRound()
        .catch((err: unknown) => this.ctx.log.warn({ err: errorText(err) }, "finality round failed"))
        .finally(() => {
          this.running = null;
        });
    }
    return this.running;
  }

  private async doRound(): Promise<void> {
    const { ctx } = this;
    this.counts.rounds++;
    const rows = new Map<number, OutboxRow>();
    if (this.threshold > 0 || this.sweep) {
      if (this.depth !== null) this.sweep = false;
      for (const r of await ctx.outbox.unfinal()) rows.set(r.id, r);
    }
    const from = this.reorgFrom;
    const seq = this.reorgSeq;
    const since = from === null ? [] : await ctx.outbox.minedFrom(from);
    for (const r of since) rows.set(r.id, r);
    const watched = [...rows.values()].filter(
      (r) => r.blockHash !== null && r.blockNumber !== null && this.pool.has(r.payer) && !ctx.busy.has(r.id),
    );
    for (const id of [...this.verified.keys()]) if (!rows.has(id)) this.verified.delete(id);
    // Rows mined since the reported fork that this round does not settle keep the re-check armed.
    const unsettled = new Set(since.filter((r) => this.pool.has(r.payer)).map((r) => r.id));
    if (watched.length > 0) await this.check(watched, unsettled, from);
    if (from !== null && unsettled.size === 0 && this.reorgSeq === seq && this.reorgFrom === from) {
      this.reorgFrom = null;
      this.resentEarly.clear();
      this.handedBack.clear();
    }
  }

  /**
   * Asks, in one batch, for the head, every attempt's receipt and the node's block at each row's
   * height, and acts on each row; removes from `unsettled` the rows settled on the node's chain.
   */
  private async check(watched: OutboxRow[], unsettled: Set<number>, reorgFrom: number | null): Promise<void> {
    const { ctx } = this;
    const heights = [...new Set(watched.map((r) => r.blockNumber as number))];
    const calls: { method: string; params: unknown[] }[] = [{ method: "eth_blockNumber", params: [] }];
    for (const n of heights) calls.push({ method: "eth_getBlockByNumber", params: [toQuantity(n), false] });
    const owner: OutboxRow[] = [];
    for (const row of watched) {
      for (const hash of [...row.txHashes].reverse()) {
        calls.push({ method: "eth_getTransactionReceipt", params: [hash] });
        owner.push(row);
      }
    }
    const results = await sendAll(ctx.rpc, calls);
    const [headResult] = results;
    if (!headResult.ok) throw headResult.error;
    const head = hexToNumber(headResult.result, "eth_blockNumber");
    // The node's block hash per height: null when it has no block there, absent when not answered.
    const canonical = new Map<number, string | null>();
    heights.forEach((n, i) => {
      const b = results[1 + i];
      if (b.ok) canonical.set(n, (b.result as RpcBlock | null)?.hash ?? null);
    });
    const found = new Map<number, RpcReceipt>();
    const unknown = new Set<number>();
    results.slice(1 + heights.length).forEach((res, i) => {
      const row = owner[i];
      if (!res.ok) unknown.add(row.id);
      else if (res.result && !found.has(row.id)) found.set(row.id, res.result as RpcReceipt);
    });

    const missing: OutboxRow[] = [];
    for (const row of watched) {
      const receipt = found.get(row.id);
      if (!receipt) {
        if (!unknown.has(row.id)) missing.push(row);
        continue;
      }
      if (receipt.blockHash === row.blockHash) {
        // Confirmed only when the node's block at that height is the receipt's block (a node behind
        // a load balancer may answer from another branch than the one its head is on).
        if (canonical.get(row.blockNumber as number) !== row.blockHash) continue;
        await this.confirm(row, head);
        unsettled.delete(row.id);
      } else {
        // Re-recorded in its new block, which the next round verifies like any other.
        await this.moved(row, receipt);
      }
    }
    if (missing.length > 0) {
      for (const id of await this.dropped(missing, canonical)) unsettled.delete(id);
      if (reorgFrom !== null) await this.resendAhead(missing, canonical, reorgFrom);
    }
  }

  /**
   * Rows of a reported reorg, above its fork point, whose receipt is gone while the new branch has
   * no block at their height yet: their signed bytes are sent again now, state unchanged, so that
   * their nonces (and every later one of their payers) need not wait for the new branch to grow
   * past them. Safe even if the node only lags: the same signed transaction is applied at most
   * once, and whatever the node answers is left to the rounds (moved once re-mined, or sent back
   * once the height exists).
   */
  private async resendAhead(rows: OutboxRow[], canonical: ReadonlyMap<number, string | null>, reorgFrom: number): Promise<void> {
    const due = rows
      .filter((r) => (r.blockNumber as number) >= reorgFrom && canonical.get(r.blockNumber as number) === null && r.rawTx)
      .filter((r) => !this.resentEarly.has(`${r.id}:${r.blockHash}`))
      .sort((a, b) => (a.payer === b.payer ? (a.nonce ?? 0) - (b.nonce ?? 0) : a.payer < b.payer ? -1 : 1));
    if (due.length === 0) return;
    for (const row of due) this.resentEarly.add(`${row.id}:${row.blockHash}`);
    // One batch, in nonce order per payer; whatever the node answers is left to the next rounds.
    const answers = await sendAll(this.ctx.rpc, due.map((r) => ({ method: "eth_sendRawTransaction", params: [r.rawTx] })));
    answers.forEach((a, i) => {
      if (!a.ok) this.ctx.log.debug({ id: due[i].id, err: errorText(a.error) }, "reorg: early resend refused");
    });
    this.ctx.log.warn({ rows: due.length, from: reorgFrom }, "reorg: re-sent the signed bytes of writes whose block the new branch has not reached yet");
  }

  /** The receipt is where it was: confirmed at `head`, final once deep enough. */
  private async confirm(row: OutboxRow, head: number): Promise<void> {
    const blockHash = row.blockHash as string;
    const prev = this.verified.get(row.id);
    this.verified.set(row.id, { blockHash, head: Math.max(head, prev?.blockHash === blockHash ? prev.head : head) });
    const depth = head - (row.blockNumber as number);
    if (depth >= this.threshold && !row.final) {
      if (await this.ctx.outbox.markFinal(row.id, blockHash)) this.counts.finalized++;
      this.verified.delete(row.id);
    }
    this.ctx.rows.notify(row.id);
  }

  /** The transaction was mined again in another block: record that receipt instead. */
  private async moved(row: OutboxRow, receipt: RpcReceipt): Promise<void> {
    const { ctx } = this;
    const { outcome, record } = await this.receipts.decode(row, receipt);
    if (!(await ctx.outbox.moveOutcome(row.blockHash as string, record))) return;
    this.counts.moved++;
    this.verified.delete(row.id);
    const changed = outcome.status !== row.status || memberOutcomes(row.method, row.result) !== memberOutcomes(row.method, record.status === "mined" ? record.result : null);
    ctx.log.warn(
      { id: row.id, method: row.method, tx: record.minedHash, from: row.blockNumber, to: record.blockNumber, status: outcome.status },
      changed ? "reorg: transaction re-mined in another block with another outcome" : "reorg: transaction re-mined in another block",
    );
    ctx.rows.notify(row.id);
  }

  /**
   * No attempt of these rows has a receipt. Those whose block the node has replaced are sent
   * back to the outbox and rebroadcast (see the file comment). Returns the ids sent back.
   */
  private async dropped(rows: OutboxRow[], canonical: ReadonlyMap<number, string | null>): Promise<number[]> {
    const { ctx } = this;
    const gone: OutboxRow[] = [];
    const sentBack: number[] = [];
    for (const row of rows) {
      const hash = canonical.get(row.blockNumber as number);
      // Not asked / no such block yet (a lagging node) / the same block (its receipt index lags).
      if (hash === undefined || hash === null || hash === row.blockHash) continue;
      const handedBack = this.handedBack.delete(`${row.id}:${row.blockHash}`);
      if (!(await ctx.outbox.unmine(row.id, row.blockHash as string))) continue;
      this.verified.delete(row.id);
      sentBack.push(row.id);
      this.counts.dropped++;
      ctx.log.warn(
        { id: row.id, method: row.method, payer: row.payer, nonce: row.nonce, block: row.blockNumber, tx: row.minedHash },
        "reorg: the block holding this transaction is gone; rebroadcasting its signed bytes",
      );
      ctx.rows.notify(row.id);
      // Already handed to the node again (and accepted) as the reorg was reported: the receipt
      // poller finds it once re-mined; a nonce taken meanwhile is the stuck handler's, as for any sent row.
      if (!handedBack) gone.push(row);
    }
    if (sentBack.length === 0) return sentBack;
    // Rebroadcast in nonce order per payer (the broadcaster keeps the order it is given per payer).
    gone.sort((a, b) => (a.payer === b.payer ? (a.nonce ?? 0) - (b.nonce ?? 0) : a.payer < b.payer ? -1 : 1));
    const sends: Promise<void>[] = [];
    for (const row of gone) {
      const again = await ctx.outbox.get(row.id);
      if (!again || again.status !== "sent") continue;
      ctx.busy.active.add(again.id);
      const sending = this.broadcaster.queue(again);
      sends.push(
        sending
          .then(async ({ outcome }) => {
            // "nonce too low" and no receipt of ours: another transaction took the nonce.
            if (outcome !== "nonce-too-low") return;
            const now = await ctx.outbox.get(again.id);
            if (now && (now.status === "sent" || now.status === "signed")) await this.stuck.handle(now, false);
          })
          .catch((err: unknown) => ctx.log.warn({ id: again.id, err: errorText(err) }, "rebroadcast after a reorg failed; the worker retries"))
          .finally(() => ctx.busy.active.delete(again.id)),
      );
    }
    await Promise.all(sends);
    // Nonces: the chain's pending count may now be below our counter with holes no row fills.
    await this.pool.reconcileNonces(ctx);
    return sentBack;
  }
}
