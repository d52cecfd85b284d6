/**
 * In-memory token buckets: per API key, per client IP, and a stricter per-IP bucket for the
 * unauthenticated minting endpoints (new_account and the signature-minting ones). A request over
 * any limit gets 429 with Retry-After before its body is parsed. Health, readiness and metrics
 * are exempt.
 */
import { createHash } from "crypto";
import type { FastifyInstance } from "fastify";
import type { RateLimitRule } from "../config";
import { ServiceError } from "../services/errors";
import { credentialOf } from "./credentials";

export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

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
    if (!this.enabled) return { ok: true };
    const now = this.now();
    const previous = this.buckets.get(key);
    const tokens =
      previous === undefined
        ? this.rule.burst
        : Math.min(this.rule.burst, previous.tokens + Math.max(0, now - previous.at) * this.rule.perSecond);
    this.buckets.delete(key); // re-inserted last: the map stays ordered by last use
    if (tokens >= 1) {
      this.buckets.set(key, { tokens: tokens - 1, at: now });
      this.prune();
      return { ok: true };
    }
    this.buckets.set(key, { tokens, at: now });
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

const EXEMPT = new Set(["/health", "/ready", "/metrics"]);

export function installRateLimits(app: FastifyInstance, limits: RateLimits, mintingPaths: ReadonlySet<string>): void {
  app.addHook("onRequest", async (request) => {
    if (request.method === "OPTIONS") return;
    const path = request.url.split("?")[0] ?? "";
    if (EXEMPT.has(path)) return;
    const results: TakeResult[] = [limits.perIp.take(request.ip)];
    if (mintingPaths.has(path)) results.push(limits.minting.take(request.ip));
    const credential = credentialOf(request.headers);
    if (credential !== null) {
      // A one-way digest as the bucket key: credentials are never kept in memory longer than a request.
      results.push(limits.perKey.take(createHash("sha256").update(credential).digest("base64")));
    }
    const wait = results.reduce((max, r) => (r.ok ? max : Math.max(max, r.retryAfterSeconds)), 0);
    if (wait > 0) throw new ServiceError("RateLimited", "RateLimited", `rate limit exceeded; retry in ${wait} s`, wait);
  });
}
