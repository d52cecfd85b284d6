/**
 * The SQLite WAL sync inline on the event loop while it is fast (store/wal-sync.ts,
 * store/wal-sync-placement.ts; docs/relayer-latency.md, "Ninth pass: the WAL sync inline while it
 * is fast"), through SqliteDb: the store's `walFileSyncInline` seam still syncs for real, a
 * `walFileSync` (pool) seam counts pool syncs, and a read-only connection tells which rows a
 * completed sync covered.
 */
import fs from "fs";
import os from "os";
import path from "path";
import { expect } from "chai";
import Database from "better-sqlite3";
import { SqliteDb, type SqliteDbOptions } from "../../../src/relayer/store";
import { fdatasync } from "../../../src/relayer/store/wal-sync";

interface Harness {
  db: SqliteDb;
  /** Ids in table o as of the end of the last completed inline sync. */
  synced: () => Set<number>;
  inlineSyncs: () => number;
  poolSyncs: () => number;
  /** While set, the next inline syncs throw it. */
  failWith: { err: Error | null };
  close(): Promise<void>;
}

async function open(options: SqliteDbOptions = {}): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "relayer-wal-inline-"));
  const file = path.join(dir, "db.sqlite");
  let reader: Database.Database | null = null;
  let synced = new Set<number>();
  let inline = 0;
  let pool = 0;
  const failWith: { err: Error | null } = { err: null };
  // A clock that makes every inline sync take 0.1 ms and every pool sync 1 ms: the placement keeps
  // them inline, its pool probes included.
  let t = 0;
  const db = new SqliteDb(file, {
    walFileSyncInline: (fd) => {
      inline++;
      t += 0.1;
      if (failWith.err) throw failWith.err;
      fs.fdatasyncSync(fd);
      reader ??= new Database(file, { readonly: true });
      const exists = reader.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'o'").get() as { n: number };
      if (exists.n > 0) synced = new Set((reader.prepare("SELECT id FROM o").all() as { id: number }[]).map((r) => Number(r.id)));
    },
    walFileSync: async (fd) => {
      pool++;
      t += 1;
      await fdatasync(fd);
    },
    walSyncClock: () => t,
    ...options,
  });
  await db.exec("CREATE TABLE o (id INTEGER PRIMARY KEY)");
  return {
    db,
    synced: () => synced,
    inlineSyncs: () => inline,
    poolSyncs: () => pool,
    failWith,
    close: async () => {
      failWith.err = null;
      await db.close();
      reader?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe("relayer store: SQLite WAL sync inline while it is fast", function () {
  let h: Harness | null = null;
  const harness = async (options?: SqliteDbOptions): Promise<Harness> => (h = await open(options));
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  it("settles a durable transaction only after the inline sync of its commit ran", async () => {
    const { db, synced, poolSyncs } = await harness();
    const seenAtSettle: boolean[] = [];
    await Promise.all(
      [1, 2, 3].map((id) => db.tx(async (tx) => tx.run("INSERT INTO o (id) VALUES ($1)", [id])).then(() => seenAtSettle.push(synced().has(id)))),
    );
    expect(seenAtSettle).to.deep.equal([true, true, true]);
    expect(poolSyncs()).to.equal(0);
    expect(db.walSyncStatus()?.place).to.equal("inline");
  });

  it("rejects every caller of the group when the inline sync throws", async () => {
    const { db, failWith } = await harness();
    const eio = Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" });
    failWith.err = eio;
    const outcomes = await Promise.allSettled([1, 2, 3].map((id) => db.tx(async (tx) => tx.run("INSERT INTO o (id) VALUES ($1)", [id]))));
    expect(outcomes.map((o) => (o.status === "rejected" ? o.reason : o.status))).to.deep.equal([eio, eio, eio]);
  });

  it("commits a group of non-durable transactions only without an inline sync", async () => {
    const { db, inlineSyncs, poolSyncs } = await harness();
    const before = inlineSyncs();
    await Promise.all([1, 2].map((id) => db.tx(async (tx) => tx.run("INSERT INTO o (id) VALUES ($1)", [id]), { durable: false })));
    expect([inlineSyncs(), poolSyncs()]).to.deep.equal([before, 0]);
    await db.tx(async (tx) => tx.run("INSERT INTO o (id) VALUES (3)"));
    expect(inlineSyncs()).to.equal(before + 1);
  });

  it("syncs on the thread pool only when inline syncs are disabled (walInlineSyncBelowMs 0)", async () => {
    const { db, inlineSyncs, poolSyncs } = await harness({ walInlineSyncBelowMs: 0 });
    await db.tx(async (tx) => tx.run("INSERT INTO o (id) VALUES (1)"));
    expect(inlineSyncs()).to.equal(0);
    expect(poolSyncs()).to.equal(2);
  });

  it("never syncs inline when a test injects only the pool sync", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "relayer-wal-inline-"));
    let pool = 0;
    const db = new SqliteDb(path.join(dir, "db.sqlite"), {
      walFileSync: async (fd) => {
        pool++;
        await fdatasync(fd);
      },
    });
    try {
      await db.exec("CREATE TABLE o (id INTEGER PRIMARY KEY)");
      for (let i = 1; i <= 40; i++) await db.tx(async (tx) => tx.run("INSERT INTO o (id) VALUES ($1)", [i]));
      expect(pool).to.equal(41);
      expect(db.walSyncStatus()?.inlineSyncs).to.equal(0);
    } finally {
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
