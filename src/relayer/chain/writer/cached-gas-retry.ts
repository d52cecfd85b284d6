/**
 * The retry of a write alone sent from its shape's cached gas that ran out of it on chain (reverted
 * without data: nothing applied; docs/relayer-latency.md, "A write alone from cached gas"). Such a
 * row is stored with gasFromCache and ResendState "pending". Once it is final reverted without
 * data, the write is sent again, pre-flighted, under the idempotency key
 * `cached-gas-retry/<row id>`, whoever does it: the live write() that sent it (its caller gets that
 * answer), or, when the relayer stopped or crashed before, the start-up recovery of the next start
 * (or of another instance on the same database). So it is sent again at most once, and not lost.
 * A refusal that stores nothing (payer check, node down) is tried again with back-off
 * (until-sent.ts). The row is then "settled", which the next start no longer looks at.
 */
import { ChainUnavailableError, RevertError, WriteTooLargeError, type OutboxRow, type WriteReceipt, type WriteRequest } from "../../ports";
import { diamondInterface, encodeCall } from "../abi";
import type { WriteProgress } from "../batch-target";
import { errorText } from "../rpc";
import type { WriteAnswers } from "./answer";
import type { WriterContext } from "./context";
import { NO_REVERT_DATA } from "./preflight";
import { sendUntilSent, type SendResult } from "./until-sent";

/** The idempotency scope of the retry (clients' scopes are master hashes or "anon:<ip>", never this). */
export const CACHED_GAS_RETRY_SCOPE = "cached-gas-retry";

/** The write() a call sent again goes through (ChainWriter.write, pre-flighted). */
export type KeyedWrite = (request: WriteRequest, progress?: WriteProgress) => Promise<WriteReceipt>;

/** The call a row holds, as a request, or null when its calldata does not decode to exactly it. */
export function requestOf(calldata: string): WriteRequest | null {
  const tx = diamondInterface.parseTransaction({ data: calldata });
  const args = tx ? (tx.args.toArray(true) as unknown[]) : [];
  if (!tx || encodeCall(tx.name, args) !== calldata) return null;
  return { method: tx.name, args };
}

/** What WriteAnswers.final rejects with for a row the node refused for good (answer.ts refusalOf). */
export function isRefusalOf(err: unknown): boolean {
  return err instanceof WriteTooLargeError || (err instanceof ChainUnavailableError && !err.queued);
}

export class CachedGasRetry {
  constructor(
    private readonly ctx: WriterContext,
    private readonly answers: WriteAnswers,
    private readonly write: KeyedWrite,
    private readonly stopped: () => boolean,
  ) {}

  /**
   * Live: row `id` (sent from cached gas) reverted without data. Once it is final, its receipt if a
   * reorg re-mined it with success; else the write sent again under its key, and that answer
   * (WriteAnswers.finalOrAgain: 503 queued past the write timeout, the retry going on).
   */
  onceFinal(id: number, request: WriteRequest, progress?: WriteProgress): Promise<WriteReceipt> {
    return this.answers.finalOrAgain(id, async () => {
      const r = await this.sendAgain(id, request, progress, false);
      if (r.sent && r.ok) return r.value;
      throw r.error;
    });
  }

  /** Start-up recovery of a row sent from cached gas: waits until it is final, then retries it if it ran out of gas. */
  async settle(row: OutboxRow): Promise<void> {
    try {
      await this.answers.final(row.id);
    } catch (err) {
      if (!(err instanceof RevertError)) {
        // Refused by the node for good (nothing applied; answered): settled. Stopped: left to the next
        // start. Anything else (a failed outbox read) is no answer about the row: thrown, and the
        // recovery watching the row tries again after a back-off (batch-recovery.ts).
        if (isRefusalOf(err)) await this.ctx.outbox.setResend(row.id, ["pending", "claimed"], "settled");
        else if (!this.stopped()) throw err;
        return;
      }
      if (err.errorName === NO_REVERT_DATA) {
        const request = requestOf(row.calldata);
        if (request === null) {
          this.ctx.log.error({ id: row.id }, "cached-gas recovery: the row's call could not be decoded; not sent again");
        } else {
          this.ctx.log.warn({ id: row.id, method: request.method }, "cached-gas recovery: a write that ran out of its cached gas is sent again, pre-flighted");
          const r = await this.sendAgain(row.id, request, undefined, true);
          if (!r.sent) return;
          if (!r.ok) this.ctx.log.warn({ id: row.id, err: errorText(r.error) }, "cached-gas recovery: the write sent again was not applied");
        }
      }
    }
    // Mined, reverted with its own error (answered as such), or sent again: nothing more to do.
    await this.ctx.outbox.setResend(row.id, ["pending", "claimed"], "settled");
  }

  /**
   * The keyed retry, with back-off on refusals that store nothing; the row is settled once the retry
   * is sent or answered for good (not when the relayer stops first: the next start sends it).
   * `recovery`: gives up when the live write settled the row meanwhile (it answered its caller).
   */
  private async sendAgain(id: number, request: WriteRequest, progress: WriteProgress | undefined, recovery: boolean): Promise<SendResult> {
    const keyed: WriteRequest = { ...request, idempotencyScope: CACHED_GAS_RETRY_SCOPE, idempotencyKey: String(id) };
    const r = await sendUntilSent(this.ctx, {
      send: () => this.write(keyed, progress),
      stored: async () => (await this.ctx.outbox.findByKey(CACHED_GAS_RETRY_SCOPE, String(id))) !== null,
      stopped: this.stopped,
      stillDue: recovery ? async () => (await this.ctx.outbox.get(id))?.resend !== "settled" : undefined,
      waitOn: id,
      about: { id, method: request.method },
    });
    if (r.sent) await this.ctx.outbox.setResend(id, ["pending", "claimed"], "settled");
    return r;
  }
}
