/**
 * The API key of a request (http-api.md §1): `Authorization: Bearer <key>` (scheme
 * case-insensitive, key = the second token) first, then `X-Api-Key: <key>`, both trimmed; an
 * empty or non-Bearer Authorization falls through. A header credential is always hashed as key
 * text: a `0x` + 64-hex value is NOT taken as a hash here (that shortcut is only for usage keys
 * named in request bodies), so knowing a key's hash never authenticates.
 *
 * Cost per request (docs/relayer-latency.md, "CPU per request"): the key text's SHA-256 digest
 * (native, about a microsecond) is the rate limiter's bucket key and the key of a bounded cache of
 * apiKeyHash values, so the pure-JS keccak runs once per distinct key instead of once per request.
 */
import * as crypto from "crypto";
import type { IncomingHttpHeaders } from "http";
import { type Hash32, apiKeyTextHash } from "../../core";

const first = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? "") : (v ?? ""));

const WHITESPACE = /\s+/;

/** The credential text, or null when the request carries none. */
export function credentialOf(headers: IncomingHttpHeaders): string | null {
  const auth = first(headers.authorization).trim();
  if (auth !== "") {
    const [scheme, key] = auth.split(WHITESPACE);
    if (scheme !== undefined && scheme.toLowerCase() === "bearer" && key !== undefined && key !== "") return key;
  }
  const apiKey = first(headers["x-api-key"]).trim();
  return apiKey === "" ? null : apiKey;
}

/** The X-Wallet-Auth header (trimmed), or null when absent or empty. */
export function walletAuthOf(headers: IncomingHttpHeaders): string | null {
  const value = first(headers["x-wallet-auth"]).trim();
  return value === "" ? null : value;
}

type OneShotHash = (algorithm: string, data: string, encoding: "base64") => string;
// crypto.hash (Node >= 20.12) is the one-shot form; older Node 20 releases take the Hash object path.
const oneShot = (crypto as { hash?: OneShotHash }).hash;

/**
 * The base64 SHA-256 digest of a credential's text: the per-key rate-limit bucket's key and the
 * hash cache's key. A one-way digest, so neither keeps a credential's text beyond its request.
 */
export function credentialDigest(credential: string): string {
  return oneShot !== undefined
    ? oneShot("sha256", credential, "base64")
    : crypto.createHash("sha256").update(credential).digest("base64");
}

/**
 * A bounded least-recently-used map credential digest -> apiKeyHash. Its memory is bounded
 * whatever keys callers send: at most `maxEntries` entries of fixed size (a 44-character digest
 * and a 66-character hash; never the key text, whose length the caller chooses). A flood of
 * distinct keys only evicts entries, which then cost one keccak again. A hit answers faster than
 * a miss, which tells a caller only whether the exact key it sent was sent recently: it must
 * already know the key, and learns nothing about any other (the lookup is by the digest).
 */
export class CredentialHashCache {
  private readonly entries = new Map<string, Hash32>();
  /** Hashes computed (cache misses) since the cache was made. */
  computed = 0;

  constructor(readonly maxEntries = 10_000) {}

  get size(): number {
    return this.entries.size;
  }

  /** apiKeyHash of `credential`, whose credentialDigest is `digest`. */
  hashOf(credential: string, digest: string): Hash32 {
    const cached = this.entries.get(digest);
    if (cached !== undefined) {
      this.entries.delete(digest); // re-inserted last: the map stays ordered by last use
      this.entries.set(digest, cached);
      return cached;
    }
    const hash = apiKeyTextHash(credential);
    this.computed++;
    this.entries.set(digest, hash);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    return hash;
  }
}

/** The process's apiKeyHash cache (keccak is deterministic: one cache serves every app). */
export const credentialHashes = new CredentialHashCache();

/** apiKeyHash = keccak256(UTF-8 bytes of the key text as sent): src/core's apiKeyTextHash, never a hash pass-through. */
export const credentialHash = (credential: string): Hash32 =>
  credentialHashes.hashOf(credential, credentialDigest(credential));
