/**
 * The relayer's database: indexed diamond state, indexer cursor, transaction outbox and payer
 * nonces, in SQLite (default, `<dataDir>/relayer.sqlite`, WAL) or Postgres (`databaseUrl`).
 *
 *   const store = await openStore({ dataDir: "./data" });                 // SQLite
 *   const store = await openStore({ dataDir, databaseUrl: process.env.DATABASE_URL }); // Postgres
 *   store.index   IndexStore  (implements IndexReader of ../ports, plus config/balances/extras)
 *   store.outbox  OutboxStore (used by the chain layer)
 *   store.db      Db          (one SQL dialect for both; see db.ts) for other modules' tables,
 *                             whose migrations go in `openStore({ migrations })`
 *   await store.close()
 */
import { openDb, type Db, type OpenDbOptions } from "./db";
import { IndexStore } from "./index-store";
import { CORE_MIGRATIONS, migrate, type Migration } from "./migrations";
import { OutboxStore } from "./outbox";

export * from "./db";
export * from "./index-store";
export * from "./migrations";
export * from "./outbox";
export * from "./ledger";
export * from "./action-code";
export * from "./code-store";
export * from "./usage-recorder";
export * from "./dev-intents";
export * from "./replay-store";
export { Mutex } from "./mutex";

export interface StoreOptions {
  /** postgres:// URL (DATABASE_URL); absent or empty selects SQLite. */
  databaseUrl?: string;
  /** Directory for the SQLite file (created if missing). */
  dataDir: string;
  /** SQLite file name inside dataDir (default relayer.sqlite). */
  sqliteFile?: string;
  /** Postgres schema (created if missing); default: the server's search_path (usually public). */
  schema?: string;
  /** Where a SQLite store's WAL checkpoints run (SqliteDbOptions.checkpoints; default "connection"). */
  sqliteCheckpoints?: OpenDbOptions["sqliteCheckpoints"];
  /** Below which EWMA (ms) a SQLite store's WAL sync runs inline (SqliteDbOptions.walInlineSyncBelowMs; default 2, 0 = never). */
  sqliteWalInlineSyncBelowMs?: OpenDbOptions["sqliteWalInlineSyncBelowMs"];
  /** Further migrations, applied after the core ones (ids must be unique, e.g. "services/0001_x"). */
  migrations?: readonly Migration[];
}

export interface Store {
  db: Db;
  index: IndexStore;
  outbox: OutboxStore;
  dialect: Db["dialect"];
  close(): Promise<void>;
}

export async function openStore(opts: StoreOptions): Promise<Store> {
  const db = await openDb(opts);
  try {
    await migrate(db, [...CORE_MIGRATIONS, ...(opts.migrations ?? [])]);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  return {
    db,
    index: new IndexStore(db),
    outbox: new OutboxStore(db),
    dialect: db.dialect,
    close: () => db.close(),
  };
}
