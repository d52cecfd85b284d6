/**
 * Nonce allocation and signing: a row gets its payer's next nonce from the database (never from
 * the node), is signed locally and stored signed, all under the payer's nonce lock, before any
 * broadcast. The rows of one payer waiting at that moment are stored together, in one DB
 * transaction (one commit), and their broadcasts queued in nonce order while the next rows are
 * being signed. A queued row (stored unsigned, or re-queued after its nonce was taken) is signed
 * the same way by `submit`.
 */
import type { WriteTracer } from "../../../core/write-trace";
import { ChainUnavailableError, type NewOutboxRow, type OutboxRow } from "../../ports";
import { errorText } from "../rpc";
import type { BroadcastResult, Broadcaster } from "./broadcaster";
import type { WriterContext } from "./context";
import type { Fees } from "./fee-policy";
import type { FeeSource } from "./fee-source";
import type { PayerPool } from "./payers";
import type { ReceiptTracker } from "./receipts";

/** Most rows of one payer stored (and committed) together. */
const SIGN_BATCH_MAX = 64;

export interface SignStep {
  signed: OutboxRow;
  /** The receipt is asked for with the broadcast. */
  eager: boolean;
  sending: Promise<BroadcastResult>;
}

interface SignRequest {
  row: NewOutboxRow;
  fees: Fees;
  trace: WriteTracer | undefined;
  resolve: (step: SignStep | null) => void;
  reject: (err: unknown) => void;
}

export class Signer {
  /** Per payer: rows waiting to be stored signed. */
  private readonly queues = new Map<string, SignRequest[]>();

  constructor(
    private readonly ctx: WriterContext,
    private readonly pool: PayerPool,
    private readonly fees: FeeSource,
    private readonly broadcaster: Broadcaster,
    private readonly receipts: ReceiptTracker,
  ) {}

  /**
   * Stores the new row signed (nonce from the database) and queues its broadcast (see the file
   * comment). Null when the idempotency key is taken (nothing stored, no nonce used). The row id
   * is in `busy.active` until the caller removes it.
   */
  signNew(row: NewOutboxRow, fees: Fees, trace?: WriteTracer): Promise<SignStep | null> {
    return new Promise((resolve, reject) => {
      let queue = this.queues.get(row.payer);
      if (!queue) {
        queue = [];
        this.queues.set(row.payer, queue);
      }
      queue.push({ row, fees, trace, resolve, reject });
      if (queue.length === 1) {
        this.pool
          .lock(row.payer)
          .run(() => this.drain(row.payer))
          .catch((err: unknown) => {
            for (const b of this.queues.get(row.payer)?.splice(0) ?? []) b.reject(err);
          });
      }
    });
  }

  private async drain(payer: string): Promise<void> {
    for (;;) {
      const batch = (this.queues.get(payer) ?? []).splice(0, SIGN_BATCH_MAX);
      if (batch.length === 0) return;
      const byRow = new Map(batch.map((b) => [b.row, b]));
      let rows: (OutboxRow | null)[];
      try {
        rows = await this.ctx.outbox.insertSignedBatch(
          batch.map((b) => b.row),
          async (row, nonce) => {
            const b = byRow.get(row) as SignRequest;
            const signed = await this.pool.sign(row, nonce, b.fees);
            b.trace?.mark("sign");
            return signed;
          },
        );
      } catch (err) {
        for (const b of batch) b.reject(err);
        continue;
      }
      for (const b of batch) b.trace?.mark("commit");
      batch.forEach((b, i) => {
        const signed = rows[i];
        if (!signed) {
          b.resolve(null);
          return;
        }
        this.ctx.busy.active.add(signed.id);
        const eager = this.broadcaster.eagerReceipts.use();
        b.resolve({ signed, eager, sending: this.broadcaster.queue(signed, false, eager) });
      });
    }
  }

  /** Signs a queued row (taking a nonce) and broadcasts it, in nonce order per payer. */
  async submit(row: OutboxRow): Promise<void> {
    let fees: Fees;
    try {
      fees = await this.fees.current();
    } catch (err) {
      throw new ChainUnavailableError(`chain unavailable: ${errorText(err)}`, true);
    }
    const step = await this.pool.lock(row.payer).run(async () => {
      const signed = await this.ctx.outbox.allocateAndSign(row.id, (nonce) => this.pool.sign(row, nonce, fees));
      if (!signed) return null;
      this.ctx.rows.notify(row.id);
      return { signed, sending: this.broadcaster.queue(signed) };
    });
    if (!step) return;
    const done = { signed: step.signed, outcome: (await step.sending).outcome };
    if (done.outcome === "ok") await this.receipts.check(done.signed, true);
    if (done.outcome === "transport") {
      throw new ChainUnavailableError("chain unavailable: the transaction is stored and will be sent", true);
    }
  }
}
