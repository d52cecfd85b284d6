/**
 * Sending a call again on the writer's own initiative (a start-up recovery, or the retry of a write
 * that ran out of its cached gas), under an idempotency key, until it is sent: a refusal that
 * leaves nothing stored (the payer check failing, PayersUnavailableError; the node unreachable for
 * the pre-flight, ChainUnavailableError not queued) is not an answer for a call nobody can send
 * again by hand, so it is tried again after a back-off (doubling, capped) until a row is stored
 * under the key or the relayer stops (docs/finality.md, "Sent again after a crash"). The wait is a
 * timer that stop() cuts short (RowEvents.notifyAll), never a busy loop; every attempt goes
 * through write(), whose payer gate re-runs the payer check at most once a second.
 */
import { ChainUnavailableError, PayersUnavailableError, type WriteReceipt } from "../../ports";
import { errorText } from "../rpc";
import type { WriterContext } from "./context";

/** First wait after a refusal (ms); doubled after each, up to BACKOFF_MAX_MS. */
export const BACKOFF_FIRST_MS = 250;
export const BACKOFF_MAX_MS = 15_000;

export interface KeyedSend {
  /** One attempt: the keyed write. */
  send(): Promise<WriteReceipt>;
  /** Whether a row is stored under the key (then an error is that row's answer, not a refusal). */
  stored(): Promise<boolean>;
  /** The relayer stops: no more attempts (the next start makes them). */
  stopped(): boolean;
  /** Still to be sent (re-read before each attempt after a refusal); absent: always. */
  stillDue?(): Promise<boolean>;
  /** The row the waits are keyed on (stop() wakes every wait). */
  waitOn: number;
  /** Log fields naming the call. */
  about: Record<string, unknown>;
  /** The back-off (ms); default BACKOFF_FIRST_MS doubling up to BACKOFF_MAX_MS. */
  backoff?: { firstMs: number; maxMs: number };
}

/**
 * How the attempts ended: `sent` (a row stored under the key, or a final answer that stores none,
 * such as the pre-flight's RevertError) with its receipt or error; or not sent: the relayer
 * stopped, or the call is no longer due, before any attempt stored a row.
 */
export type SendResult =
  | { sent: true; ok: true; value: WriteReceipt }
  | { sent: true; ok: false; error: unknown }
  | { sent: false; error: ChainUnavailableError };

/** A refusal that stored nothing and that a later attempt may get past. */
export function isRefusalToRetry(err: unknown): boolean {
  return err instanceof PayersUnavailableError || (err instanceof ChainUnavailableError && !err.queued);
}

export async function sendUntilSent(ctx: Pick<WriterContext, "log" | "rows">, s: KeyedSend): Promise<SendResult> {
  const notSent = (why: string): SendResult => ({ sent: false, error: new ChainUnavailableError(why, true) });
  const { firstMs, maxMs } = s.backoff ?? { firstMs: BACKOFF_FIRST_MS, maxMs: BACKOFF_MAX_MS };
  let delay = firstMs;
  for (;;) {
    try {
      return { sent: true, ok: true, value: await s.send() };
    } catch (err) {
      if (!isRefusalToRetry(err) || (await s.stored())) return { sent: true, ok: false, error: err };
      if (s.stopped()) return notSent("relayer stopped before the call was sent again; the next start sends it");
      const refusal = err instanceof PayersUnavailableError ? "refused by the payer check" : "not sent, the chain unavailable";
      ctx.log.warn({ ...s.about, err: errorText(err), retryInMs: delay }, `a call sent again was ${refusal}; tried again after a back-off`);
      await ctx.rows.waitFor(s.waitOn, delay);
      delay = Math.min(delay * 2, maxMs);
      if (s.stopped()) return notSent("relayer stopped before the call was sent again; the next start sends it");
      if (s.stillDue && !(await s.stillDue())) return notSent("the call is no longer due to be sent again");
    }
  }
}
