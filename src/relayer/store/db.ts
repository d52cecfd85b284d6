/**
 * One small database interface over SQLite (better-sqlite3, the default) and Postgres (pg, when
 * several relayer instances share one chain). Both speak one SQL dialect:
 * - placeholders are `$1`, `$2`, ... (translated to `?` for SQLite; a number may repeat);
 * - upserts use `ON CONFLICT (...) DO UPDATE SET col = excluded.col` / `DO NOTHING`;
 * - `RETURNING` works on INSERT/UPDATE/DELETE;
 * - booleans are stored as INTEGER 0/1 (a boolean parameter is sent as 0/1 to both);
 * - BIGINT columns come back as JavaScript numbers on both (values must stay below 2^53);
 * - never put a `$` inside a string literal of the SQL text.
 * Transactions: `tx(fn)` runs `fn` with a handle bound to one connection and commits when it
 * resolves, rolls back when it throws. SQLite has one connection, so statements and transactions
 * are serialised by a mutex (a statement outside a transaction waits for the open one to finish);
 * Postgres takes a dedicated pool client per transaction. Nested `tx` on a transaction handle
 * runs inside the outer transaction. Keep network I/O out of transactions.
 * Implementations: sqlite-db.ts (SqliteDb) and postgres-db.ts (PgDb).
 */
import type { Db } from "./db-interface";
import path from "path";
import { PgDb } from "./postgres-db";
import { SqliteDb, type SqliteDbOptions } from "./sqlite-db";

export { PgDb, PG_PREPARED_LIMIT, StatementNames } from "./postgres-db";
export { SqliteDb, type SqliteDbOptions } from "./sqlite-db";

export * from "./db-interface";

export interface OpenDbOptions {
  /** postgres://... selects Postgres; absent selects SQLite under dataDir. */
  databaseUrl?: string;
  /** Directory of the SQLite file (`relayer.sqlite`). */
  dataDir: string;
  /** SQLite file name inside dataDir (default relayer.sqlite). */
  sqliteFile?: string;
  /** Postgres schema to use (created when missing); default: the server's search_path. */
  schema?: string;
  /** Where a SQLite store's WAL checkpoints run (SqliteDbOptions.checkpoints; default "connection"). */
  sqliteCheckpoints?: SqliteDbOptions["checkpoints"];
  /** Below which EWMA (ms) a SQLite store's WAL sync runs inline (SqliteDbOptions.walInlineSyncBelowMs; default 2, 0 = never). */
  sqliteWalInlineSyncBelowMs?: number;
}

export async function openDb(opts: OpenDbOptions): Promise<Db> {
  const url = opts.databaseUrl?.trim();
  if (url) {
    if (!/^postgres(ql)?:\/\//i.test(url)) throw new Error("DATABASE_URL: expected a postgres:// or postgresql:// URL");
    return PgDb.connect(url, opts.schema);
  }
  const file = path.join(opts.dataDir, opts.sqliteFile ?? "relayer.sqlite");
  return new SqliteDb(file, {
    ...(opts.sqliteCheckpoints === undefined ? {} : { checkpoints: opts.sqliteCheckpoints }),
    ...(opts.sqliteWalInlineSyncBelowMs === undefined ? {} : { walInlineSyncBelowMs: opts.sqliteWalInlineSyncBelowMs }),
  });
}
