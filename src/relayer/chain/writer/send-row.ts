/**
 * The send stage of a write (index.ts): a new row signed and stored (signing.ts), broadcast with
 * its receipt asked for in the same round trip (broadcaster.ts), and its mined outcome recorded,
 * with the block applied to the index from the receipt when it holds this transaction alone
 * (answer.ts, chain/own-blocks.ts).
 */
import type { WriteTracer } from "../../../core/write-trace";
import { ChainUnavailableError, type NewOutboxRow } from "../../ports";
import type { WriteProgress } from "../batch-target";
import { hexToNumber } from "../rpc";
import { ownBlockOf, receiptBlockHeader } from "./answer";
import type { Broadcaster } from "./broadcaster";
import type { WriterContext } from "./context";
import type { Fees } from "./fee-policy";
import type { IndexFollower, Outcome, ReceiptTracker } from "./receipts";
import { receiptAgain } from "./receipt-again";
import type { Signer } from "./signing";

export class RowSender {
  constructor(
    private readonly ctx: WriterContext,
    private readonly signer: Signer,
    private readonly broadcaster: Broadcaster,
    private readonly receipts: ReceiptTracker,
    private readonly indexer: IndexFollower,
  ) {}

  /**
   * Persists the row signed and broadcasts it, with its receipt asked for in the same round trip
   * (EagerReceipts), else once through the poller. Mined at once (automine, or a late answer): the
   * outcome, already recorded. Not yet: the row is marked sent for the worker. Null when the
   * idempotency key is taken (nothing stored, no nonce used).
   */
  async signAndSend(
    newRow: NewOutboxRow,
    fees: Fees,
    trace?: WriteTracer,
    progress?: WriteProgress,
  ): Promise<{ id: number; outcome: Outcome | null } | null> {
    const step = await this.signer.signNew(newRow, fees, trace);
    if (!step) return null;
    const { signed } = step;
    progress?.onRow?.(signed.id);
    try {
      const sending = await step.sending;
      const { outcome } = sending;
      let { receipt, latest } = sending;
      if (step.eager && outcome === "ok" && receipt === null) {
        // Asked for beside the broadcast but not there yet: once more, at once (an automining node
        // answering the batch's calls side by side looks the receipt up before mining, about one
        // broadcast in five on Hardhat). Not there either: the poller and the worker take over.
        ({ receipt, latest } = await receiptAgain(this.ctx.rpc, signed.txHashes.at(-1) ?? "", latest, this.broadcaster.headers));
      }
      trace?.mark("broadcast");
      if (step.eager && outcome === "ok") this.broadcaster.eagerReceipts.record(receipt !== null);
      if (outcome === "transport") {
        throw new ChainUnavailableError("chain unavailable: the transaction is stored and will be sent", true);
      }
      if (outcome !== "ok") return { id: signed.id, outcome: null };
      // Mined at once (the receipt came with the broadcast) or with the node: the payer is free.
      if (receipt !== null || !step.eager) progress?.onChain?.();
      let found: Outcome | null = null;
      try {
        if (receipt) {
          // The receipt's block holds this transaction alone: the index takes it from the receipt
          // (chain/own-blocks.ts) beside the outcome's commit, instead of an indexer round. Its
          // header came with the broadcast, or is read by hash when another block came first.
          const rpc = this.ctx.rpc;
          const applied = async (): Promise<boolean> => {
            const header = await receiptBlockHeader(rpc, receipt, latest, this.indexer, this.broadcaster.headers);
            const own = ownBlockOf(receipt, header, this.indexer, this.ctx.diamond);
            if (own !== null) return own.apply();
            // Left to the indexer: a mined write waits for it next, so its catch-up starts now.
            if (hexToNumber(receipt.status, "receipt.status") === 1) {
              this.indexer.prefetch(hexToNumber(receipt.blockNumber, "receipt.blockNumber"));
            }
            return false;
          };
          const [settled] = await Promise.all([this.receipts.settle([{ row: signed, receipt }], false), applied()]);
          found = settled.get(signed.id) ?? null;
        }
        if (!found) found = await this.receipts.receiptOf(signed);
      } catch {
        found = null; // the worker keeps looking
      }
      trace?.mark("receipt");
      if (!found && (await this.ctx.outbox.markSent(signed.id, signed.attempts))) this.ctx.rows.notify(signed.id);
      progress?.onChain?.();
      return { id: signed.id, outcome: found };
    } finally {
      this.ctx.busy.active.delete(signed.id);
    }
  }
}
