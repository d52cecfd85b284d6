/**
 * Several JSON-RPC endpoints as one (RPC_URLS), for providers that fail, lag and rate-limit.
 *
 *  - Failover: calls go to the current endpoint; one that cannot be reached (connection refused,
 *    timeout, HTTP 5xx, garbage) is set aside for `cooldownMs` and the call is tried on the next,
 *    which becomes current (sticky: traffic does not flip back and forth, so reads see one node's
 *    view for as long as it works). Within one call each endpoint is tried at most once for a
 *    transport error: when every endpoint failed, the call fails with the last error (callers
 *    retry at their own pace: the worker tick, the indexer's backoff). A JSON-RPC error answer
 *    (a revert, "nonce too low") is the node's answer and is returned as is.
 *  - Rate limits: an endpoint answering 429 (or a JSON-RPC "rate limit" error) is not asked again
 *    before its Retry-After has passed (capped at `maxRetryAfterMs`; without the header an
 *    exponential backoff from `backoffBaseMs`); the call goes to another endpoint meanwhile, or
 *    waits for the earliest one to be free again - at most `maxRateLimitRetries` waits and
 *    `rateLimitBudgetMs` in total per call, then it fails (a transport error to the caller:
 *    503 for a write, nothing stored).
 *  - Batches go to one endpoint as a whole (one node's consistent view); entries refused for the
 *    rate limit are retried as above.
 * Per-request timeouts are the endpoints' own (HttpRpc, RPC_TIMEOUT_MS).
 */
import type { ChainLogger } from "./log";
import { RpcRateLimitError, errorText, isTransportError, sendAll, type RpcCall, type RpcLike, type RpcSettled } from "./rpc";

export interface FailoverEndpoint {
  /** For logs and status (the URL; never a credential: redact it before). */
  name: string;
  rpc: RpcLike;
}

export interface FailoverOptions {
  /** An unreachable endpoint is passed over for this long (ms). Default 5000. */
  cooldownMs?: number;
  /** Longest Retry-After honoured (ms); longer ones are cut to this. Default 10 000. */
  maxRetryAfterMs?: number;
  /** Backoff after a 429 without Retry-After: base, doubling per consecutive 429, capped (ms). Default 250 / 8000. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Waits for rate limits per call, and the total time waited per call (ms). Default 8 / 30 000. */
  maxRateLimitRetries?: number;
  rateLimitBudgetMs?: number;
  logger?: ChainLogger;
  /** Injectable clock and sleep (tests). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface FailoverStatus {
  current: string;
  endpoints: { name: string; down: boolean; rateLimitedForMs: number }[];
  failovers: number;
  rateLimited: number;
  rateLimitWaits: number;
}

interface EndpointState {
  ep: FailoverEndpoint;
  downUntil: number;
  limitedUntil: number;
  /** Consecutive 429s (backoff exponent without Retry-After). */
  limits: number;
}

export class FailoverRpc implements RpcLike {
  private readonly eps: EndpointState[];
  private current = 0;
  private readonly o: Required<Omit<FailoverOptions, "logger">> & { logger?: ChainLogger };
  readonly stats = { failovers: 0, rateLimited: 0, rateLimitWaits: 0 };

  constructor(endpoints: readonly FailoverEndpoint[], opts: FailoverOptions = {}) {
    if (endpoints.length === 0) throw new Error("FailoverRpc: at least one endpoint is required");
    this.eps = endpoints.map((ep) => ({ ep, downUntil: 0, limitedUntil: 0, limits: 0 }));
    this.o = {
      cooldownMs: opts.cooldownMs ?? 5000,
      maxRetryAfterMs: opts.maxRetryAfterMs ?? 10_000,
      backoffBaseMs: opts.backoffBaseMs ?? 250,
      backoffMaxMs: opts.backoffMaxMs ?? 8000,
      maxRateLimitRetries: opts.maxRateLimitRetries ?? 8,
      rateLimitBudgetMs: opts.rateLimitBudgetMs ?? 30_000,
      now: opts.now ?? Date.now,
      sleep: opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      logger: opts.logger,
    };
  }

  send(method: string, params: unknown[]): Promise<unknown> {
    return this.run((rpc) => rpc.send(method, params));
  }

  async sendBatch(calls: readonly RpcCall[]): Promise<RpcSettled[]> {
    return this.batch(calls, 0);
  }

  status(): FailoverStatus {
    const now = this.o.now();
    return {
      current: this.eps[this.current].ep.name,
      endpoints: this.eps.map((s) => ({ name: s.ep.name, down: s.downUntil > now, rateLimitedForMs: Math.max(0, s.limitedUntil - now) })),
      ...this.stats,
    };
  }

  private async batch(calls: readonly RpcCall[], depth: number): Promise<RpcSettled[]> {
    const settled = await this.run(async (rpc, state) => {
      const r = await sendAll(rpc, calls);
      const first = r[0];
      // The whole request failed (one error for every entry): an endpoint failure, not the calls'.
      if (first && !first.ok && isTransportError(first.error) && r.every((x) => !x.ok && x.error === first.error)) throw first.error;
      // Some entries refused for the rate limit: that endpoint is not asked again before it allows.
      let wait: number | null = null;
      for (const x of r) {
        if (!x.ok && x.error instanceof RpcRateLimitError) wait = Math.max(wait ?? 0, this.limitFor(state, x.error));
      }
      if (wait !== null) state.limitedUntil = this.o.now() + wait;
      return r;
    });
    // Entries the provider refused for its rate limit: again, after the wait (bounded).
    const limited = settled.flatMap((r, i) => (!r.ok && r.error instanceof RpcRateLimitError ? [i] : []));
    if (limited.length === 0 || depth >= this.o.maxRateLimitRetries) return settled;
    const again = await this.batch(
      limited.map((i) => calls[i]),
      depth + 1,
    );
    const out = [...settled];
    limited.forEach((i, k) => {
      out[i] = again[k];
    });
    return out;
  }

  /** Runs `attempt` on the current endpoint, failing over and honouring rate limits (file comment). */
  private async run<T>(attempt: (rpc: RpcLike, state: EndpointState) => Promise<T>): Promise<T> {
    const failed = new Set<number>();
    let waits = 0;
    let waited = 0;
    let last: unknown = null;
    for (;;) {
      const i = this.pick(failed);
      if (i === null) throw last ?? new Error("FailoverRpc: no endpoint left");
      const s = this.eps[i];
      const wait = s.limitedUntil - this.o.now();
      if (wait > 0) {
        // Every endpoint not failed in this call is rate limited: wait for the earliest.
        if (waits >= this.o.maxRateLimitRetries || waited + wait > this.o.rateLimitBudgetMs) {
          throw last ?? new RpcRateLimitError("rate limited by every RPC endpoint", wait);
        }
        waits++;
        waited += wait;
        this.stats.rateLimitWaits++;
        await this.o.sleep(wait);
        continue;
      }
      try {
        const result = await attempt(s.ep.rpc, s);
        s.downUntil = 0;
        s.limits = 0;
        this.switchTo(i);
        return result;
      } catch (err) {
        last = err;
        const now = this.o.now();
        if (err instanceof RpcRateLimitError) {
          s.limitedUntil = now + this.limitFor(s, err);
          continue;
        }
        if (!isTransportError(err)) throw err;
        failed.add(i);
        s.downUntil = now + this.o.cooldownMs;
        if (this.eps.length > 1) {
          this.o.logger?.warn({ endpoint: s.ep.name, err: errorText(err) }, "RPC endpoint unreachable; trying the next");
        }
      }
    }
  }

  /**
   * The endpoint to try: from the current one on, the first that is neither failed in this call
   * nor set aside (down) nor rate limited; else the rate-limited one free the soonest; else (all
   * down) the first not failed in this call. Null when every endpoint failed in this call.
   */
  private pick(failed: ReadonlySet<number>): number | null {
    const now = this.o.now();
    const n = this.eps.length;
    let limited: number | null = null;
    let down: number | null = null;
    for (let k = 0; k < n; k++) {
      const i = (this.current + k) % n;
      if (failed.has(i)) continue;
      const s = this.eps[i];
      if (s.downUntil > now) {
        if (down === null) down = i;
      } else if (s.limitedUntil > now) {
        if (limited === null || s.limitedUntil < this.eps[limited].limitedUntil) limited = i;
      } else {
        return i;
      }
    }
    return limited ?? down;
  }

  /** How long an endpoint that answered `err` is left alone: its Retry-After (capped), else the backoff. */
  private limitFor(s: EndpointState, err: RpcRateLimitError): number {
    this.stats.rateLimited++;
    const backoff = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** Math.min(s.limits, 16));
    s.limits++;
    return Math.min(this.o.maxRetryAfterMs, err.retryAfterMs ?? backoff);
  }

  private switchTo(i: number): void {
    if (i === this.current) return;
    this.o.logger?.warn({ from: this.eps[this.current].ep.name, to: this.eps[i].ep.name }, "RPC failover");
    this.stats.failovers++;
    this.current = i;
  }
}

/** A URL without its credentials or path secrets, for logs (API keys often sit in the path). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.length > 1 ? "/..." : ""}`;
  } catch {
    return "(invalid URL)";
  }
}
