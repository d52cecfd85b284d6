/**
 * Two indexers sharing one Postgres index (projection-shared-cursor, projection-old-gap): a
 * Postgres store per test with the index reset to block 1, and "another indexer", a second
 * connection whose open transaction moves the cursor and holds the cursor row until the test
 * commits or rolls it back. Call `sharedCursorHarness` inside a describe: it adds the hooks.
 */
import { Client } from "pg";
import { PG_URL, makeStore, skipWithoutPostgres, type TestStore } from "../support";

/** Rows of `accounts`, by master hash. */
export async function accounts(ts: TestStore): Promise<string[]> {
  const rows = await ts.store.db.query<{ master: string }>("SELECT master FROM accounts ORDER BY master");
  return rows.map((r) => r.master);
}

export interface SharedCursorHarness {
  /** This test's store (this indexer's side). */
  store(): TestStore;
  /** Another indexer's transaction that moves the cursor to `block` (`hash`) and holds its row until COMMIT/ROLLBACK. */
  otherIndexerMoves(block: number, hash?: string | null): Promise<Client>;
  /** Resolves once a statement moving the cursor waits for the other indexer's lock. */
  whenWaiting(): Promise<void>;
}

export function sharedCursorHarness(): SharedCursorHarness {
  let ts: TestStore | null = null;
  let other: Client | null = null;

  beforeEach(async function () {
    await skipWithoutPostgres(this);
    ts = await makeStore("postgres");
    await ts.store.index.projection.reset(1);
  });

  afterEach(async () => {
    await other?.end().catch(() => undefined);
    other = null;
    await ts?.cleanup();
    ts = null;
  });

  const store = (): TestStore => {
    if (!ts) throw new Error("sharedCursorHarness: no store (used outside a test?)");
    return ts;
  };

  return {
    store,
    async otherIndexerMoves(block, hash = null) {
      const schema = (await store().store.db.one<{ s: string }>("SELECT current_schema() AS s"))?.s as string;
      other = new Client({ connectionString: PG_URL });
      await other.connect();
      await other.query(`SET search_path TO "${schema}"`);
      await other.query("BEGIN");
      await other.query("UPDATE index_cursor SET block = $1, block_hash = $2 WHERE id = 1", [block, hash]);
      return other;
    },
    async whenWaiting() {
      const observer = new Client({ connectionString: PG_URL });
      await observer.connect();
      try {
        for (let i = 0; i < 500; i++) {
          const r = await observer.query<{ n: string }>(
            `SELECT COUNT(*) AS n FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE index_cursor%'`,
          );
          if (Number(r.rows[0].n) > 0) return;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        throw new Error("no statement ever waited for the cursor row");
      } finally {
        await observer.end();
      }
    },
  };
}
