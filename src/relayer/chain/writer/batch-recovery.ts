/**
 * Start-up recovery of the calls a row may still have to send again (docs/finality.md, "A crash
 * while a batch waits to be final" and "Sent again after a crash"). Whoever sent the row settles
 * them once it is final; a relayer that stops or crashes meanwhile leaves no one to do that, and
 * a reorg that later re-mines a row may apply its calls after all. So on start every row of this
 * relayer's payers that is in flight or not final yet, and every final one whose ResendState is
 * still pending or claimed (OutboxPort.resendDue), is watched here until final and settled as the
 * final chain says:
 *  - a batchCalls row: each call the final batch did not apply (reverted as a whole, or failed
 *    without revert data) is sent alone, pre-flighted; a call that failed with revert data has an
 *    answer no one is left to receive. A batch the node refused as too large (failed, a node limit:
 *    nothing of it applied) has every call sent alone too, as the batching front would have sent
 *    them again in smaller batches; the front takes such a row over by settling it first, the
 *    recovery by claiming it, so only one of them sends its calls.
 *  - a write alone sent from cached gas: cached-gas-retry.ts.
 * A call of a batch sent alone carries the idempotency key of its batch row and index
 * (batch-encoding.ts), the key the batching front uses too: whoever gets there first, it is sent
 * once. A refusal that stores nothing (payer check, node down) is tried again (until-sent.ts); so is
 * a failed read of the outbox (at start-up, or while a row is watched), in this process.
 */
import { ChainUnavailableError, RevertError, WriteTooLargeError, type OutboxRow, type WriteReceipt } from "../../ports";
import { diamondInterface } from "../abi";
import { BATCH_RETRY_SCOPE, batchRetryKey } from "../batch-encoding";
import { splitBatchEvents } from "../batch-outcomes";
import { errorText } from "../rpc";
import type { WriteAnswers } from "./answer";
import { CachedGasRetry, isRefusalOf, requestOf, type KeyedWrite } from "./cached-gas-retry";
import type { WriterContext } from "./context";
import { BACKOFF_FIRST_MS, BACKOFF_MAX_MS, sendUntilSent } from "./until-sent";

/** The RowEvents key the recovery's back-off waits on (no row has it; stop() wakes every wait). */
const RECOVERY_WAIT = -1;

export class BatchRecovery {
  /** Rows being watched by this process. */
  private readonly watching = new Set<number>();
  /** Calls sent alone by the recovery (each once). */
  sent = 0;
  /** The retry of writes that ran out of their cached gas (live and at start-up). */
  readonly cachedGas: CachedGasRetry;

  constructor(
    private readonly ctx: WriterContext,
    private readonly owns: (payer: string) => boolean,
    private readonly answers: WriteAnswers,
    private readonly write: KeyedWrite,
    private readonly stopped: () => boolean,
    private readonly backoff: { firstMs: number; maxMs: number } = { firstMs: BACKOFF_FIRST_MS, maxMs: BACKOFF_MAX_MS },
  ) {
    this.cachedGas = new CachedGasRetry(ctx, answers, write, stopped);
  }

  /**
   * Watches every row of our payers whose calls may have to be sent again (never rejects), among them
   * `rebroadcast`, the rows in flight that the start rebroadcast. An outbox
   * that cannot be read (a dropped database connection) is read again after a back-off, in this
   * process, until it can be or the relayer stops (stop() cuts the wait short).
   */
  async start(rebroadcast: readonly OutboxRow[] = []): Promise<void> {
    const { outbox } = this.ctx;
    const rows = await this.untilRead("the outbox could not be read", async () => [
      // The rows in flight before the start's rebroadcast: one the node refused then is final failed,
      // and one written before migration 0008 has no resend state to be found by resendDue().
      ...rebroadcast,
      ...(await outbox.inFlight()),
      ...(await outbox.unfinal()),
      ...(await outbox.resendDue()),
    ]);
    for (const row of rows ?? []) {
      if (row.kind !== "call" || !this.owns(row.payer) || this.watching.has(row.id)) continue;
      const batch = row.method === "batchCalls";
      if (!batch && (row.resend === "none" || row.resend === "settled")) continue;
      this.watch(row.id, async () => {
        await (batch ? this.settle(row) : this.cachedGas.settle(row));
      });
    }
  }

  /**
   * Runs `settle` for row `id` (at most one per row in this process); a failure that is no answer
   * about the row (a failed outbox read) runs it again after a back-off until it completes or the
   * relayer stops. Settling again is safe: every call it sends carries its key.
   */
  private watch(id: number, settle: () => Promise<void>): void {
    this.watching.add(id);
    void this.untilRead(`recovery of row #${id} failed`, settle, { id }).finally(() => this.watching.delete(id));
  }

  /**
   * `read()`, tried again after a back-off (BACKOFF_FIRST_MS doubling up to BACKOFF_MAX_MS) while it
   * throws; null once the relayer stops first.
   */
  private async untilRead<T>(what: string, read: () => Promise<T>, about: Record<string, unknown> = {}): Promise<T | null> {
    let delay = this.backoff.firstMs;
    for (;;) {
      if (this.stopped()) return null;
      try {
        return await read();
      } catch (err) {
        if (this.stopped()) return null;
        this.ctx.log.warn({ ...about, err: errorText(err), retryInMs: delay }, `start-up recovery: ${what}; tried again after a back-off`);
        await this.ctx.rows.waitFor(RECOVERY_WAIT, delay);
        delay = Math.min(delay * 2, this.backoff.maxMs);
      }
    }
  }

  /**
   * Live: row `id` (a batch, or a write alone from cached gas), stored, was answered 503 queued (its
   * broadcast did not reach the node, or it was not mined in time): no caller follows it any more,
   * so it is watched here as at start-up, and settled once it is final (never rejects).
   */
  follow(id: number): void {
    if (this.watching.has(id)) return;
    this.watch(id, async () => {
      const row = await this.ctx.outbox.get(id);
      if (row === null || row.kind !== "call") return;
      if (row.method === "batchCalls") await this.settle(row);
      else if (row.resend === "pending" || row.resend === "claimed") await this.cachedGas.settle(row);
    });
  }

  /**
   * Live: the node refused batch row `id` as too large and the batching front sends its calls again
   * in smaller batches: the row is settled first, unless a start-up recovery (of another instance)
   * has claimed it, which then sends them: the front is answered 503 queued instead. Any other
   * error is returned as is.
   */
  async refusedBatch(id: number, err: unknown): Promise<unknown> {
    if (!(err instanceof WriteTooLargeError) || (await this.ctx.outbox.setResend(id, ["pending"], "settled"))) return err;
    if ((await this.ctx.outbox.get(id))?.resend === "none") return err;
    return new ChainUnavailableError(`batch transaction #${id} was refused as too large; its calls are sent again by another relayer's start-up recovery`, true);
  }

  /** Waits until the row is final, then sends alone (once) each call the final chain did not apply. */
  private async settle(row: OutboxRow): Promise<void> {
    let receipt: WriteReceipt | null;
    let refused = false;
    try {
      receipt = await this.answers.final(row.id);
    } catch (err) {
      if (err instanceof WriteTooLargeError) {
        refused = true;
      } else if (!(err instanceof RevertError)) {
        // Refused by the node for another reason (nothing applied; the calls were answered "nothing
        // was sent"): settled. Stopped: the next start looks again. Anything else (a failed outbox
        // read): thrown, and tried again after a back-off (watch).
        if (isRefusalOf(err)) await this.ctx.outbox.setResend(row.id, ["pending", "claimed"], "settled");
        else if (!this.stopped()) throw err;
        return;
      }
      receipt = null;
    }
    // A refused batch is claimed, unless the live front took it over (settled it) already. A row
    // without resend state was written before migration 0008: no front of this version sent it, and
    // the older instances are stopped before the upgrade (docs/finality.md), so it is claimed too.
    if (refused && !(await this.ctx.outbox.setResend(row.id, ["none", "pending", "claimed"], "claimed"))) return;
    const calls = diamondInterface.decodeFunctionData("batchCalls", row.calldata)[0] as readonly string[];
    const outcomes = receipt === null ? null : splitBatchEvents(receipt.events);
    const open = calls
      .map((calldata, index) => ({ calldata, index }))
      .filter(({ index }) => {
        if (outcomes === null) return true; // reverted as a whole, or refused: nothing of it applied
        const o = outcomes.get(index);
        return o !== undefined && !o.success && o.revertData === "0x";
      });
    if (open.length > 0) {
      this.ctx.log.warn(
        { id: row.id, calls: open.length, refused },
        refused ? "batch recovery: the calls of a batch the node refused as too large are sent alone" : "batch recovery: calls of a final batch that it did not apply are sent alone",
      );
    }
    const sent = await Promise.all(open.map(({ calldata, index }) => this.sendAlone(row.id, calldata, index)));
    if (sent.every(Boolean)) await this.ctx.outbox.setResend(row.id, ["pending", "claimed"], "settled");
  }

  /** Sends call `index` of batch row `id` alone under its key; false when the relayer stopped first. */
  private async sendAlone(id: number, calldata: string, index: number): Promise<boolean> {
    const request = requestOf(calldata);
    if (request === null) {
      this.ctx.log.error({ id, index }, "batch recovery: a call of the batch could not be decoded; not sent");
      return true;
    }
    const key = batchRetryKey(id, index);
    const r = await sendUntilSent(this.ctx, {
      send: () => this.write({ ...request, idempotencyScope: BATCH_RETRY_SCOPE, idempotencyKey: key }),
      stored: async () => (await this.ctx.outbox.findByKey(BATCH_RETRY_SCOPE, key)) !== null,
      stopped: this.stopped,
      waitOn: id,
      about: { id, index, method: request.method },
    });
    if (!r.sent) return false;
    if (r.ok) this.sent++;
    else this.ctx.log.warn({ id, index, method: request.method, err: errorText(r.error) }, "batch recovery: a call sent alone was not applied");
    return true;
  }
}
