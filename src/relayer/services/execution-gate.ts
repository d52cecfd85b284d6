/**
 * How many Lit Action executions run at once: at most `total` in all, at most `perAccount` for one
 * account, and at most `queuedPerAccount` more of one account waiting (http-api.md §10: executions
 * are limited per account as well as in total, so that one account cannot hold every slot). Waiting
 * executions start in arrival order, skipping those of an account that is at its limit.
 */
import { ServiceError } from "./errors";

export interface ExecutionGateOptions {
  total: number;
  perAccount: number;
  queuedPerAccount: number;
}

/** A place in the gate: wait for the slot, then release it (or cancel before starting). */
export interface ExecutionTicket {
  /** Resolves when the execution may start. */
  start(): Promise<void>;
  /** Frees the slot (after the run) or the place in the queue (when it never started). Idempotent. */
  release(): void;
}

interface Waiter {
  account: string;
  wake: () => void;
}

export class ExecutionGate {
  private running = 0;
  private readonly runningBy = new Map<string, number>();
  private readonly admittedBy = new Map<string, number>();
  private readonly waiting: Waiter[] = [];

  constructor(private readonly o: ExecutionGateOptions) {}

  /**
   * Admits an execution of `account`, or throws RateLimited (429) when the account already has
   * `perAccount` running and `queuedPerAccount` waiting. Call before charging for it.
   */
  admit(account: string): ExecutionTicket {
    const admitted = this.admittedBy.get(account) ?? 0;
    if (admitted >= this.o.perAccount + this.o.queuedPerAccount) {
      throw new ServiceError(
        "RateLimited",
        "TooManyExecutions",
        `this account already has ${admitted} Lit Action executions running or waiting (at most ${this.o.perAccount} run at once, ${this.o.queuedPerAccount} more may wait)`,
        1,
      );
    }
    this.admittedBy.set(account, admitted + 1);
    let state: "admitted" | "waiting" | "running" | "released" = "admitted";
    let waiter: Waiter | undefined;
    return {
      start: async () => {
        if (state !== "admitted") throw new Error(`ticket is ${state}`);
        if (this.canRun(account)) {
          this.occupy(account);
          state = "running";
          return;
        }
        state = "waiting";
        await new Promise<void>((resolve) => {
          waiter = { account, wake: resolve };
          this.waiting.push(waiter);
        });
        state = "running";
      },
      release: () => {
        if (state === "released") return;
        const was = state;
        state = "released";
        this.decrement(this.admittedBy, account);
        if (was === "running") {
          this.running--;
          this.decrement(this.runningBy, account);
          this.wakeNext();
        } else if (was === "waiting" && waiter !== undefined) {
          const i = this.waiting.indexOf(waiter);
          if (i >= 0) this.waiting.splice(i, 1);
        }
      },
    };
  }

  /** Runs `fn` in a slot of `account` (admission, wait, run, release). */
  async run<T>(account: string, fn: () => Promise<T>): Promise<T> {
    const ticket = this.admit(account);
    try {
      await ticket.start();
      return await fn();
    } finally {
      ticket.release();
    }
  }

  private canRun(account: string): boolean {
    return this.running < this.o.total && (this.runningBy.get(account) ?? 0) < this.o.perAccount;
  }

  private occupy(account: string): void {
    this.running++;
    this.runningBy.set(account, (this.runningBy.get(account) ?? 0) + 1);
  }

  private decrement(map: Map<string, number>, account: string): void {
    const n = (map.get(account) ?? 0) - 1;
    if (n <= 0) map.delete(account);
    else map.set(account, n);
  }

  /** Starts the longest-waiting executions whose accounts are below their limit, while slots are free. */
  private wakeNext(): void {
    for (let i = 0; i < this.waiting.length && this.running < this.o.total; ) {
      const w = this.waiting[i];
      if (this.canRun(w.account)) {
        this.waiting.splice(i, 1);
        this.occupy(w.account);
        w.wake();
      } else i++;
    }
  }
}
