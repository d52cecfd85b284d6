/**
 * The relayer's side of one execution: the host operations it started (key requests, fetches)
 * and the fetch bytes the host holds for it.
 *
 * Nothing outlives its run (http-api.md §10, docs/lit-action-runtime.md): every host operation is
 * tracked with the run's AbortSignal; when the run ends, for whatever reason, `finish()` aborts
 * what is still under way and waits until all of it has settled, so the run's measured (and
 * billed) duration includes the host work it caused. Fetch bytes count against
 * max_fetch_bytes_in_flight from the moment they arrive until they are handed to the execution.
 */
import { setMaxListeners } from "events";
import type { ActionLimits } from "./limit-names";
import { breach } from "./run-budget";

/** Bytes the host holds for one execution's fetches at once (request bodies, response bodies). */
export interface ByteBudget {
  /** Takes `bytes` from the budget; throws a LimitBreach (nothing taken) when they do not fit. */
  take(bytes: number): void;
  /** Gives back bytes taken earlier. */
  give(bytes: number): void;
}

/** How long `finish()` waits for aborted host operations before giving up on them. */
const SETTLE_TIMEOUT_MS = 10_000;

export class HostRun {
  readonly started = process.hrtime.bigint();
  private readonly abort = new AbortController();
  private readonly pending = new Set<Promise<unknown>>();
  private inFlight = 0;

  constructor(private readonly limits: ActionLimits) {
    // One listener per host operation under way; their number is bounded by the run's budgets.
    setMaxListeners(0, this.abort.signal);
  }

  /** Aborted when the run ends: host operations still under way stop. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get ended(): boolean {
    return this.abort.signal.aborted;
  }

  /** The fetch bytes budget of this run. */
  readonly fetchBytes: ByteBudget = {
    take: (bytes: number) => {
      if (this.inFlight + bytes > this.limits.maxFetchBytesInFlight) throw breach("maxFetchBytesInFlight", this.limits);
      this.inFlight += bytes;
    },
    give: (bytes: number) => {
      this.inFlight = Math.max(0, this.inFlight - bytes);
    },
  };

  /** Tracks a host operation until it settles; `finish()` waits for it. */
  track<T>(operation: Promise<T>): Promise<T> {
    this.pending.add(operation);
    const forget = () => this.pending.delete(operation);
    operation.then(forget, forget);
    return operation;
  }

  /**
   * Ends the run: aborts every host operation still under way and resolves when all have settled
   * (at most SETTLE_TIMEOUT_MS). Returns the run's duration, host work included, in ms.
   */
  async finish(): Promise<number> {
    if (!this.abort.signal.aborted) this.abort.abort(new Error("the execution ended"));
    if (this.pending.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.pending]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, SETTLE_TIMEOUT_MS);
          timer.unref?.();
        }),
      ]);
      clearTimeout(timer);
    }
    return Number(process.hrtime.bigint() - this.started) / 1e6;
  }
}
