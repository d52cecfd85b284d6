/**
 * Where Lit Action code is kept so lit_action can later run it by CID, and the quota error a kept
 * code can hit.
 */
import type { Hash32 } from "./values";

/**
 * Lit Action code kept for an account would exceed the account's quota (docs/relayer-untrusted-input.md,
 * "Lit Action code storage"). Thrown by a code store's `put` with an owner; nothing was kept.
 */
export class CodeQuotaExceededError extends Error {
  constructor(
    /** The account's quota in bytes. */
    readonly quotaBytes: number,
    /** Bytes of code already kept for the account. */
    readonly usedBytes: number,
    /** Bytes of the code that did not fit. */
    readonly codeBytes: number,
  ) {
    super(`Lit Action code quota exceeded: ${usedBytes} of ${quotaBytes} bytes used, the code needs ${codeBytes}`);
    this.name = "CodeQuotaExceededError";
  }
}

/** Where code submitted for hashing is kept so that lit_action can later run it by CID. */
export interface CodeStore {
  /**
   * Keeps `code` (whose CID is `cid`). With `owner` (an account's master hash) it is kept for that
   * account and counts against the account's quota (CodeQuotaExceededError above when it would
   * exceed it); without, it goes at most into a bounded, expiring cache
   * (docs/relayer-untrusted-input.md, "Lit Action code storage").
   */
  put(cid: string, code: string, owner?: Hash32): Promise<void>;
}

/** A CodeStore that can also read code back by CID (lit-runtime/code-store.ts, store/code-store.ts). */
export interface ContentStore extends CodeStore {
  /** The code whose CID is `cid`, verified against it; null when unknown. */
  get(cid: string): Promise<string | null>;
}
