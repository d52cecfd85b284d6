/** The batching front's wait for a batch row to be final (batcher.ts sendBatch; docs/finality.md). */
import { ChainUnavailableError, type WriteReceipt } from "../ports";
import type { ChainLogger } from "./log";

export type Settled = { ok: true; value: WriteReceipt } | { ok: false; error: unknown };

/**
 * Waits for the batch row's final outcome. When `deadline` passes first, the calls still open
 * are answered (`rejectOpen`) as a write that cannot be confirmed in time is (ChainUnavailableError,
 * queued: 503 ChainUnavailable), and the wait goes on: the row stays tracked, and what the final
 * chain says is still carried out (a call not applied is sent alone then, exactly once), with no
 * one left to answer (docs/finality.md).
 */
export async function awaitFinal(
  outcome: Promise<WriteReceipt>,
  id: number,
  open: number,
  rejectOpen: (err: unknown) => void,
  deadline: number,
  log: ChainLogger,
): Promise<Settled> {
  const settled = outcome.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), Math.max(0, deadline - Date.now()));
  });
  const first = await Promise.race([settled, late]);
  clearTimeout(timer);
  if (first !== null) return first;
  const err = new ChainUnavailableError(`batch transaction #${id} not final in time; its calls stay tracked and are settled once it is final`, true);
  log.warn({ id, calls: open }, "a batch's calls waited for it to be final past the write timeout; answered as queued, still tracked");
  rejectOpen(err);
  return settled;
}
