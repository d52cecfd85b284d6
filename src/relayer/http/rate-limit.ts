/**
 * In-memory token buckets: per API key, per client IP, and a stricter per-IP bucket for the
 * unauthenticated minting endpoints (new_account and the signature-minting ones). A request over
 * any limit gets 429 with Retry-After before its body is parsed. Health, readiness and metrics
 * are exempt.
 */
import type { FastifyInstance } from "fastify";
import type { RateLimitRule } from "../config";
import { ServiceError } from "../services/errors";
import { credentialsOf, pathOf } from "./request-context";

export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

const TAKEN: TakeResult = Object.freeze({ ok: true });

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly rule: RateLimitRule,
    /** Seconds (fractional). */
    private readonly now: () => number = () => Date.now() / 1000,
    private readonly maxEntries = 100_000,
  ) {}

  get enabled(): boolean {
    return this.rule.perSecond > 0;
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Takes one token for `key`. */
  take(key: string): TakeResult {
    if (!this.enabled) return TAKEN;
    const now = this.now();
    const previous = this.buckets.get(key);
    const tokens =
      previous === undefined
        ? this.rule.burst
        : Math.min(this.rule.burst, previous.tokens + Math.max(0, now - previous.at) * this.rule.perSecond);
    const bucket = previous ?? { tokens, at: now };
    if (previous !== undefined) this.buckets.delete(key); // re-inserted last: the map stays ordered by last use
    bucket.at = now;
    if (tokens >= 1) {
      bucket.tokens = tokens - 1;
      this.buckets.set(key, bucket);
      if (this.buckets.size > this.maxEntries) this.prune();
      return TAKEN;
    }
    bucket.tokens = tokens;
    this.buckets.set(key, bucket);
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / this.rule.perSecond)) };
  }

  /** Drops the least recently used buckets beyond maxEntries (a dropped bucket restarts full). */
  private prune(): void {
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= this.maxEntries) return;
      this.buckets.delete(key);
    }
  }
}

export interface RateLimits {
  perKey: TokenBuckets;
  perIp: TokenBuckets;
  minting: TokenBuckets;
}

export function createRateLimits(
  rules: { perKey: RateLimitRule; perIp: RateLimitRule; newAccount: RateLimitRule },
  now?: () => number,
): RateLimits {
  return {
    perKey: new TokenBuckets(rules.perKey, now),
    perIp: new TokenBuckets(rules.perIp, now),
    minting: new TokenBuckets(rules.newAccount, now),
  };
}

/** The longer of `wait` and the wait a take result asks for. */
const waitOf = (r: TakeResult, wait: number): number => (r.ok ? wait : Math.max(wait, r.retryAfterSeconds));

const EXEMPT = new Set(["/health", "/ready", "/metrics"]);

export function installRateLimits(app: FastifyInstance, limits: RateLimits, mintingPaths: ReadonlySet<string>): void {
  // A thrown ServiceError goes to the error handler as a rejected async hook's would.
  app.addHook("onRequest", (request, _reply, done) => {
    if (request.method === "OPTIONS") return done();
    const path = pathOf(request.url);
    if (EXEMPT.has(path)) return done();
    const ip = request.ip;
    let wait = waitOf(limits.perIp.take(ip), 0);
    if (mintingPaths.has(path)) wait = waitOf(limits.minting.take(ip), wait);
    // A one-way digest as the bucket key: credentials are never kept in memory longer than a
    // request. The digest is the request's own (request-context.ts), shared with the endpoint.
    const digest = limits.perKey.enabled ? credentialsOf(request).digest : null;
    if (digest !== null) wait = waitOf(limits.perKey.take(digest), wait);
    if (wait > 0) throw new ServiceError("RateLimited", "RateLimited", `rate limit exceeded; retry in ${wait} s`, wait);
    done();
  });
}
