/**
 * Start-up recovery of batches (docs/finality.md, "A crash while a batch waits to be final"): a
 * batchCalls row whose calls may still have to be sent alone (the batch reverted as a whole, or a
 * call of it failed without revert data) is settled by the batching front that sent it, once the
 * row is final. A relayer that stops or crashes meanwhile leaves no one to do that, and a reorg
 * that later re-mines the batch may apply its calls after all. So on start every batchCalls row of
 * this relayer's payers that is in flight or not final yet is watched here until final, and its
 * calls are settled as the final chain says: applied by the batch (nothing to do), failed with
 * revert data (an answer no one is left to receive), or not applied (sent alone, pre-flighted).
 * A call sent alone carries the idempotency key of its batch row and index (batch-encoding.ts),
 * the key the batching front uses too: whoever gets there first, it is sent once.
 */
import { RevertError, type OutboxRow, type WriteReceipt, type WriteRequest } from "../../ports";
import { diamondInterface, encodeCall } from "../abi";
import { BATCH_RETRY_SCOPE, batchRetryKey } from "../batch-encoding";
import { splitBatchEvents } from "../batcher";
import { errorText } from "../rpc";
import type { WriteAnswers } from "./answer";
import type { WriterContext } from "./context";

export class BatchRecovery {
  /** Batch rows being watched by this process. */
  private readonly watching = new Set<number>();
  /** Calls sent alone by the recovery (each once). */
  sent = 0;

  constructor(
    private readonly ctx: WriterContext,
    private readonly owns: (payer: string) => boolean,
    private readonly answers: WriteAnswers,
    private readonly write: (request: WriteRequest) => Promise<WriteReceipt>,
  ) {}

  /** Watches every batch row of our payers that is in flight or not final (never rejects). */
  async start(): Promise<void> {
    try {
      const rows = [...(await this.ctx.outbox.inFlight()), ...(await this.ctx.outbox.unfinal())];
      for (const row of rows) {
        if (row.kind !== "call" || row.method !== "batchCalls" || !this.owns(row.payer) || this.watching.has(row.id)) continue;
        this.watching.add(row.id);
        void this.settle(row).finally(() => this.watching.delete(row.id));
      }
    } catch (err) {
      this.ctx.log.warn({ err: errorText(err) }, "batch recovery: the outbox could not be read; batches left to the next start");
    }
  }

  /** Waits until the row is final, then sends alone (once) each call the final chain did not apply. */
  private async settle(row: OutboxRow): Promise<void> {
    let receipt: WriteReceipt | null;
    try {
      receipt = await this.answers.final(row.id);
    } catch (err) {
      // Refused by the node (nothing applied, no one to answer) or stopped: the next start looks again.
      if (!(err instanceof RevertError)) return;
      receipt = null;
    }
    const calls = diamondInterface.decodeFunctionData("batchCalls", row.calldata)[0] as readonly string[];
    const outcomes = receipt === null ? null : splitBatchEvents(receipt.events);
    const open = calls
      .map((calldata, index) => ({ calldata, index }))
      .filter(({ index }) => {
        if (outcomes === null) return true; // reverted as a whole: nothing of it applied
        const o = outcomes.get(index);
        return o !== undefined && !o.success && o.revertData === "0x";
      });
    if (open.length === 0) return;
    this.ctx.log.warn({ id: row.id, calls: open.length }, "batch recovery: calls of a final batch that it did not apply are sent alone");
    await Promise.all(open.map(({ calldata, index }) => this.sendAlone(row.id, calldata, index)));
  }

  private async sendAlone(id: number, calldata: string, index: number): Promise<void> {
    const tx = diamondInterface.parseTransaction({ data: calldata });
    const args = tx ? (tx.args.toArray(true) as unknown[]) : [];
    if (!tx || encodeCall(tx.name, args) !== calldata) {
      this.ctx.log.error({ id, index }, "batch recovery: a call of the batch could not be decoded; not sent");
      return;
    }
    try {
      await this.write({ method: tx.name, args, idempotencyScope: BATCH_RETRY_SCOPE, idempotencyKey: batchRetryKey(id, index) });
      this.sent++;
    } catch (err) {
      this.ctx.log.warn({ id, index, method: tx.name, err: errorText(err) }, "batch recovery: a call sent alone was not applied");
    }
  }
}
