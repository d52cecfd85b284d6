/**
 * Where the relayer keeps Lit Action code (docs/relayer-untrusted-input.md, "Lit Action code storage"),
 * so that lit_action can run code by its CID:
 *
 * - code kept for an account (table `lit_action_code`, shared by content; `lit_action_code_owners`
 *   records which accounts kept which CID and its size): counts against the account's quota
 *   (`lit_action_code_quota` holds each account's running total, updated with a conditional
 *   update in the same transaction, so concurrent puts never exceed it). Kept code stays.
 * - code from anonymous callers (get_lit_action_ipfs_id without a key, code fetched from an IPFS
 *   gateway, code over an account's quota): a cache (`lit_action_code_cache`) bounded in total
 *   bytes (oldest entries evicted first) whose entries expire after a time to live. So anonymous
 *   callers cannot grow the database, and "compute the CID, then run by ipfs_id" keeps working,
 *   across the instances sharing one database too.
 *
 * `get` verifies the code against its CID before returning it (a tampered row is never run).
 * Sizes are UTF-8 bytes.
 */
import { litActionCid, storableText } from "../../core";
import { CodeQuotaExceededError, type Hash32 } from "../ports";
import type { Queryable } from "./db";
import type { Migration } from "./migrations";

/** Needs the `lit_action_code` table (migration actions/0001_code_store), applied before these. */
export const ACTION_CODE_MIGRATIONS: readonly Migration[] = [
  {
    id: "code-storage/0001_quota_and_cache",
    up: `
      CREATE TABLE lit_action_code_owners (
        account TEXT NOT NULL,
        cid TEXT NOT NULL,
        bytes BIGINT NOT NULL,
        created_at_ms BIGINT NOT NULL,
        PRIMARY KEY (account, cid)
      );
      CREATE TABLE lit_action_code_quota (
        account TEXT PRIMARY KEY,
        bytes BIGINT NOT NULL
      );
      CREATE TABLE lit_action_code_cache (
        cid TEXT PRIMARY KEY,
        code TEXT NOT NULL,
        bytes BIGINT NOT NULL,
        expires_at_ms BIGINT NOT NULL
      );
      CREATE INDEX lit_action_code_cache_expiry ON lit_action_code_cache (expires_at_ms);
      CREATE TABLE lit_action_code_cache_size (
        id INTEGER PRIMARY KEY,
        bytes BIGINT NOT NULL
      );
      INSERT INTO lit_action_code_cache_size (id, bytes) VALUES (1, 0);
    `,
  },
];

export interface CodeStorageLimits {
  /** Bytes of code one account may keep (LIT_ACTION_CODE_QUOTA_BYTES). */
  quotaBytes: number;
  /** Bytes the anonymous cache holds at most, all entries together (LIT_ACTION_CODE_CACHE_BYTES). */
  cacheBytes: number;
  /** How long a cached entry lives, from its last put (LIT_ACTION_CODE_CACHE_TTL_SECONDS). */
  cacheTtlSeconds: number;
}

export const DEFAULT_CODE_STORAGE_LIMITS: Readonly<CodeStorageLimits> = {
  quotaBytes: 16 * 1024 * 1024,
  cacheBytes: 16 * 1024 * 1024,
  cacheTtlSeconds: 3600,
};

/** Cached entries evicted per statement while making room. */
const EVICT_BATCH = 64;

const num = (v: unknown): number => Number(v ?? 0);

export class SqlActionCodeStore {
  private readonly nowMs: () => number;
  /** Bytes evicted from the cache since its last VACUUM (Postgres). */
  private freedSinceVacuum = 0;
  private vacuuming: Promise<void> | null = null;

  constructor(
    private readonly db: Queryable,
    readonly limits: CodeStorageLimits = DEFAULT_CODE_STORAGE_LIMITS,
    nowMs?: () => number,
  ) {
    this.nowMs = nowMs ?? Date.now;
  }

  /**
   * Keeps `code` (whose CID is `cid`): for `owner` when given (CodeQuotaExceededError when it
   * would exceed the owner's quota; keeping the same CID again costs nothing), otherwise in the
   * anonymous cache. Text a database cannot store (a NUL) is not kept at all.
   */
  async put(cid: string, code: string, owner?: Hash32): Promise<void> {
    if (storableText(code) !== code) return;
    if (owner === undefined) await this.cache(cid, code);
    else await this.keep(owner, cid, code);
  }

  /** The code whose CID is `cid` (kept, or cached and not expired), verified; null when unknown. */
  async get(cid: string): Promise<string | null> {
    const kept = await this.db.one<{ code: string }>("SELECT code FROM lit_action_code WHERE cid = $1", [cid]);
    const row =
      kept ??
      (await this.db.one<{ code: string }>(
        "SELECT code FROM lit_action_code_cache WHERE cid = $1 AND expires_at_ms > $2",
        [cid, this.nowMs()],
      ));
    if (row === undefined) return null;
    return (await litActionCid(row.code)) === cid ? row.code : null;
  }

  /** Bytes of code kept for `account` (what counts against its quota). */
  async usedBytes(account: Hash32): Promise<number> {
    const r = await this.db.one<{ bytes: number }>("SELECT bytes FROM lit_action_code_quota WHERE account = $1", [account]);
    return num(r?.bytes);
  }

  /** Bytes held by the anonymous cache (expired entries included until the next put evicts them). */
  async cachedBytes(): Promise<number> {
    const r = await this.db.one<{ bytes: number }>("SELECT bytes FROM lit_action_code_cache_size WHERE id = 1");
    return num(r?.bytes);
  }

  private async keep(account: Hash32, cid: string, code: string): Promise<void> {
    const bytes = Buffer.byteLength(code, "utf8");
    const { quotaBytes } = this.limits;
    await this.db.tx(async (tx) => {
      const added = await tx.run(
        `INSERT INTO lit_action_code_owners (account, cid, bytes, created_at_ms) VALUES ($1, $2, $3, $4)
         ON CONFLICT (account, cid) DO NOTHING`,
        [account, cid, bytes, this.nowMs()],
      );
      if (added === 0) return; // kept for this account already
      await tx.run("INSERT INTO lit_action_code_quota (account, bytes) VALUES ($1, 0) ON CONFLICT (account) DO NOTHING", [
        account,
      ]);
      // One conditional update: concurrent puts of one account can never pass the quota together.
      const fits = await tx.run(
        "UPDATE lit_action_code_quota SET bytes = bytes + $2 WHERE account = $1 AND bytes + $2 <= $3",
        [account, bytes, quotaBytes],
      );
      if (fits === 0) {
        const used = await tx.one<{ bytes: number }>("SELECT bytes FROM lit_action_code_quota WHERE account = $1", [account]);
        throw new CodeQuotaExceededError(quotaBytes, num(used?.bytes), bytes); // rolls the owner row back
      }
      await tx.run(
        "INSERT INTO lit_action_code (cid, code, created_at) VALUES ($1, $2, $3) ON CONFLICT (cid) DO NOTHING",
        [cid, code, Math.floor(this.nowMs() / 1000)],
      );
      await this.dropCached(tx, cid); // kept for good: the cached copy is no longer needed
    });
  }

  private async cache(cid: string, code: string): Promise<void> {
    const bytes = Buffer.byteLength(code, "utf8");
    const { cacheBytes, cacheTtlSeconds } = this.limits;
    if (bytes > cacheBytes || cacheTtlSeconds <= 0) return;
    const now = this.nowMs();
    const expiresAt = now + cacheTtlSeconds * 1000;
    const freed = await this.db.tx(async (tx) => {
      // Taken first: the size row's lock serialises cache changes (Postgres; SQLite has one writer).
      await tx.run("UPDATE lit_action_code_cache_size SET bytes = bytes WHERE id = 1");
      if ((await tx.one("SELECT 1 AS x FROM lit_action_code WHERE cid = $1", [cid])) !== undefined) return 0;
      const refreshed = await tx.run("UPDATE lit_action_code_cache SET expires_at_ms = $2 WHERE cid = $1", [cid, expiresAt]);
      if (refreshed > 0) return 0;
      const expired = await tx.query<{ cid: string; bytes: number }>(
        "DELETE FROM lit_action_code_cache WHERE expires_at_ms <= $1 RETURNING cid, bytes",
        [now],
      );
      let total = num((await tx.one<{ bytes: number }>("SELECT bytes FROM lit_action_code_cache_size WHERE id = 1"))?.bytes);
      const before = total;
      total -= expired.reduce((sum, r) => sum + num(r.bytes), 0);
      // Make room, oldest (soonest to expire) first.
      while (total + bytes > cacheBytes) {
        const oldest = await tx.query<{ cid: string; bytes: number }>(
          `SELECT cid, bytes FROM lit_action_code_cache ORDER BY expires_at_ms, cid LIMIT ${EVICT_BATCH}`,
        );
        if (oldest.length === 0) break;
        for (const r of oldest) {
          if (total + bytes <= cacheBytes) break;
          await tx.run("DELETE FROM lit_action_code_cache WHERE cid = $1", [r.cid]);
          total -= num(r.bytes);
        }
      }
      await tx.run("INSERT INTO lit_action_code_cache (cid, code, bytes, expires_at_ms) VALUES ($1, $2, $3, $4)", [
        cid,
        code,
        bytes,
        expiresAt,
      ]);
      await tx.run("UPDATE lit_action_code_cache_size SET bytes = $1 WHERE id = 1", [Math.max(0, total) + bytes]);
      return before - total;
    });
    await this.reclaim(freed);
  }

  /**
   * Postgres keeps the space of deleted rows until a VACUUM marks it reusable (autovacuum may come
   * much later for a table of few large rows), so evicting alone would let churn grow the table
   * without bound. After every quarter of the cache's size freed, the cache table is vacuumed
   * (one at a time per process; the put waits for it): its size stays near the bound. SQLite
   * reuses freed pages by itself.
   */
  private async reclaim(freedBytes: number): Promise<void> {
    if (this.db.dialect !== "postgres" || freedBytes <= 0) return;
    this.freedSinceVacuum += freedBytes;
    if (this.freedSinceVacuum < this.limits.cacheBytes / 4 || this.vacuuming !== null) return;
    this.freedSinceVacuum = 0;
    this.vacuuming = this.db
      .exec("VACUUM lit_action_code_cache")
      .catch(() => undefined) // the next eviction tries again
      .finally(() => {
        this.vacuuming = null;
      });
    await this.vacuuming;
  }

  private async dropCached(tx: Queryable, cid: string): Promise<void> {
    if ((await tx.one("SELECT 1 AS x FROM lit_action_code_cache WHERE cid = $1", [cid])) === undefined) return;
    // The size row first, as in cache(): one lock order, so the two never deadlock.
    await tx.run("UPDATE lit_action_code_cache_size SET bytes = bytes WHERE id = 1");
    const gone = await tx.query<{ bytes: number }>("DELETE FROM lit_action_code_cache WHERE cid = $1 RETURNING bytes", [cid]);
    if (gone.length > 0) {
      await tx.run("UPDATE lit_action_code_cache_size SET bytes = bytes - $1 WHERE id = 1", [num(gone[0].bytes)]);
    }
  }
}
