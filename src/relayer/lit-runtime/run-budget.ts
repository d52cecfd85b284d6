/**
 * The budgets of one execution, kept where its isolate runs (the sandbox worker): every host
 * callback charges its count and bytes here before it does any work (http-api.md §10,
 * docs/lit-action-runtime.md), and the first fatal problem (a breached limit, the timeout, an
 * abort) is recorded as the run's error. No imports but limit-names: the worker loads it.
 */
import { type ActionLimits, limitMessage } from "./limit-names";

/** A limit breached inside an execution; the message names the limit and its value. */
export class LimitBreach extends Error {
  constructor(
    readonly limit: keyof ActionLimits,
    message: string,
  ) {
    super(message);
    this.name = "LimitBreach";
  }
}

/** What each limit's breach says (the text before ": limit ... exceeded"). */
const WHAT: Partial<Record<keyof ActionLimits, string>> = {
  timeoutMs: "execution timed out",
  memoryLimitMb: "out of memory",
  maxConsoleLogLength: "console output too large",
  maxConsoleCalls: "too many console calls",
  maxResponseLength: "response too large",
  maxFetchCount: "too many fetches",
  maxKeyRequests: "too many key requests",
  maxKeyRequestBytes: "key request data too large",
  maxRandomCalls: "too many getRandomValues calls",
  maxRandomBytes: "too many random bytes",
  maxFetchBytesInFlight: "fetch data in flight too large",
};

/** The breach of `limit`: its message names the limit and its value. */
export function breach(limit: keyof ActionLimits, limits: ActionLimits): LimitBreach {
  return new LimitBreach(limit, limitMessage(limit, limits, WHAT[limit] ?? "limit exceeded"));
}

export class RunBudget {
  /** The first fatal problem; it becomes the run's error. */
  failure: string | null = null;
  logs = "";
  private readonly used = new Map<keyof ActionLimits, number>();

  constructor(readonly limits: ActionLimits) {}

  /** Adds `amount` to the run's use of `limit`; throws its LimitBreach when that exceeds the limit. */
  charge(limit: keyof ActionLimits, amount = 1): void {
    const total = (this.used.get(limit) ?? 0) + amount;
    if (total > this.limits[limit]) throw breach(limit, this.limits);
    this.used.set(limit, total);
  }

  /** Appends one console line (charged as a call and as bytes, "\n" included). */
  log(line: string): void {
    this.charge("maxConsoleCalls");
    const text = `${line}\n`;
    this.charge("maxConsoleLogLength", Buffer.byteLength(text, "utf8"));
    this.logs += text;
  }

  /** Records the first failure. */
  fail(message: string): void {
    this.failure ??= message;
  }
}
