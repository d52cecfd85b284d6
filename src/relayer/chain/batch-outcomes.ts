/** A batchCalls receipt's events, split per call (batcher.ts step 3; writer/finality.ts, writer/batch-recovery.ts). */
import type { DecodedEvent } from "../ports";

export interface BatchCallOutcome {
  success: boolean;
  revertData: string;
  /** The call's own events (empty when it failed). */
  events: DecodedEvent[];
}

/**
 * Splits a batchCalls receipt's decoded events per call: BatchCallResult(index, ...) closes call
 * `index`, which owns the events since the previous BatchCallResult.
 */
export function splitBatchEvents(events: readonly DecodedEvent[]): Map<number, BatchCallOutcome> {
  const out = new Map<number, BatchCallOutcome>();
  let own: DecodedEvent[] = [];
  for (const e of events) {
    if (e.name !== "BatchCallResult") {
      own.push(e);
      continue;
    }
    out.set(Number(e.args.index), {
      success: e.args.success === true,
      revertData: typeof e.args.revertData === "string" ? e.args.revertData : "0x",
      events: own,
    });
    own = [];
  }
  return out;
}
