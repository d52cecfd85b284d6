/**
 * The replay store of wallet signatures in the relayer's database (SQLite or Postgres): one row
 * per consumed digest, kept until its validity window has passed. The claim is a single
 * INSERT ... ON CONFLICT DO NOTHING, so two instances (or two concurrent requests) cannot both
 * accept one signature.
 */
import type { Hash32, ReplayStore } from "../ports";
import type { Queryable } from "./db";
import type { Migration } from "./migrations";

export const WALLET_SIGNATURE_MIGRATIONS: readonly Migration[] = [
  {
    id: "chain-secured/0001_used_signatures",
    up: `
      CREATE TABLE used_wallet_signatures (
        digest TEXT PRIMARY KEY,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX used_wallet_signatures_expiry ON used_wallet_signatures (expires_at);
    `,
  },
];

export class SqlReplayStore implements ReplayStore {
  private lastPrune = 0;

  constructor(
    private readonly db: Queryable,
    private readonly now: () => number = () => Date.now() / 1000,
  ) {}

  async claim(key: Hash32, expiresAt: number): Promise<boolean> {
    const now = Math.floor(this.now());
    if (now - this.lastPrune >= 60) {
      this.lastPrune = now;
      await this.db.run("DELETE FROM used_wallet_signatures WHERE expires_at < $1", [now]);
    }
    const changed = await this.db.run(
      "INSERT INTO used_wallet_signatures (digest, expires_at) VALUES ($1, $2) ON CONFLICT (digest) DO NOTHING",
      [key.toLowerCase(), Math.ceil(expiresAt)],
    );
    return changed === 1;
  }

  async release(key: Hash32): Promise<void> {
    await this.db.run("DELETE FROM used_wallet_signatures WHERE digest = $1", [key.toLowerCase()]);
  }
}
