/**
 * The SQLite commit's disk sync off the event loop (store/db.ts, store/wal-sync.ts;
 * docs/relayer-latency.md "The SQLite commit off the event loop"): WAL + synchronous=NORMAL, then
 * an fdatasync of the -wal file before a durable transaction's caller hears of it. The tests
 * observe the syncs through SqliteDb's `walFileSync` seam, which still syncs for real; a second,
 * read-only connection tells which rows a completed sync covered.
 */
import fs from "fs";
import os from "os";
import path from "path";
import { expect } from "chai";
import fc from "fast-check";
import Database from "better-sqlite3";
import { SqliteDb } from "../../../src/relayer/store";
import { fdatasync, type FileSync } from "../../../src/relayer/store/wal-sync";

interface Harness {
  db: SqliteDb;
  /** Ids in table o as of the end of the last completed WAL sync. */
  synced: () => Set<number>;
  syncs: () => number;
  /** While set, each WAL sync waits for it before syncing. */
  gate: { wait: Promise<void> | null };
  /** Sets the gate; the function returned opens it (also done by close). */
  hold(): () => void;
  close(): Promise<void>;
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

async function open(): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "relayer-wal-sync-"));
  const file = path.join(dir, "db.sqlite");
  let reader: Database.Database | null = null;
  let synced = new Set<number>();
  let syncs = 0;
  const gate: { wait: Promise<void> | null } = { wait: null };
  let opening: () => void = () => undefined;
  const walFileSync: FileSync = async (fd) => {
    syncs++;
    if (gate.wait) await gate.wait;
    await fdatasync(fd);
    reader ??= new Database(file, { readonly: true });
    const exists = reader.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'o'").get() as { n: number };
    if (exists.n > 0) {
      synced = new Set((reader.prepare("SELECT id FROM o").all() as { id: number }[]).map((r) => Number(r.id)));
    }
  };
  const db = new SqliteDb(file, { walFileSync });
  await db.exec("CREATE TABLE o (id INTEGER PRIMARY KEY)");
  return {
    db,
    synced: () => synced,
    syncs: () => syncs,
    gate,
    hold: () => {
      gate.wait = new Promise<void>((r) => (opening = r));
      return () => opening();
    },
    close: async () => {
      gate.wait = null;
      opening();
      await db.close();
      reader?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe("relayer store: SQLite commit synced off the event loop", function () {
  let h: Harness | null = null;
  const harness = async (): Promise<Harness> => (h = await open());
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  it("settles a durable transaction only after the -wal file holding its commit is synced", async () => {
    const { db, synced } = await harness();
    const seenAtSettle: boolean[] = [];
    await Promise.all(
      [1, 2, 3].map((id) => db.tx(async (tx) => tx.run("INSERT INTO o (id) VALUES ($1)", [id])).then(() => seenAtSettle.push(synced().has(id)))),
    );
    expect(seenAtSettle).to.deep.equal([true, true, true]);
  });

  it("keeps the event loop serving other work while the sync is under way", async () => {
    const { db, hold, syncs } = await harness();
    const release = hold();
    const before = syncs();
    let settled = false;
    const write = db.tx(async (tx) => tx.run("INSERT INTO o (id) VALUES (1)")).then(() => (settled = true));
    for (let i = 0; i < 50 && syncs() === before; i++) await turn();
    // the sync has started and waits: timers and I/O callbacks still run, the caller waits
    expect(syncs()).to.equal(before + 1);
    await new Promise((r) => setTimeout(r, 5));
    expect(settled).to.equal(false);
    release();
    await write;
    expect(settled).to.equal(true);
  });

  it("holds other statements back until the pending commit is synced (nothing reads it before it is durable)", async () => {
    const { db, hold, syncs, synced } = await harness();
    const release = hold();
    const before = syncs();
    const write = db.tx(async (tx) => tx.run("INSERT INTO o (id) VALUES (7)"));
    for (let i = 0; i < 50 && syncs() === before; i++) await turn();
    expect(syncs()).to.equal(before + 1);
    let durableWhenRead: boolean | null = null;
    const read = db.query<{ id: number }>("SELECT id FROM o").then((rows) => {
      durableWhenRead = synced().has(7);
      return rows.map((r) => Number(r.id));
    });
    for (let i = 0; i < 5; i++) await turn();
    expect(durableWhenRead).to.equal(null);
    release();
    await write;
    expect(await read).to.deep.equal([7]);
    expect(durableWhenRead).to.equal(true);
  });

  it("syncs the -wal file beside the real database file when the path given is a symbolic link", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "relayer-wal-link-"));
    fs.mkdirSync(path.join(dir, "real"));
    const real = path.join(dir, "real", "db.sqlite");
    fs.writeFileSync(real, "");
    const link = path.join(dir, "db.sqlite");
    fs.symlinkSync(real, link);
    const synced: string[] = [];
    const db = new SqliteDb(link, {
      walFileSync: async (fd) => {
        await fdatasync(fd);
        synced.push(fs.readlinkSync(`/proc/self/fd/${fd}`));
      },
    });
    try {
      await db.exec("CREATE TABLE o (id INTEGER PRIMARY KEY)");
      await db.tx(async (tx) => tx.run("INSERT INTO o (id) VALUES (1)"));
      expect(fs.existsSync(`${real}-wal`)).to.equal(true);
      expect(synced).to.have.length(2);
      expect(new Set(synced)).to.deep.equal(new Set([`${real}-wal`]));
    } finally {
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("commits a group of non-durable transactions only without syncing the -wal file", async () => {
    const { db, syncs } = await harness();
    const before = syncs();
    await Promise.all([1, 2].map((id) => db.tx(async (tx) => tx.run("INSERT INTO o (id) VALUES ($1)", [id]), { durable: false })));
    expect(syncs()).to.equal(before);
    await db.tx(async (tx) => tx.run("INSERT INTO o (id) VALUES (3)"));
    expect(syncs()).to.equal(before + 1);
  });

  it("reports every committed durable transaction only once a completed sync covers it, whatever the mix of transactions", async () => {
    const { db, synced } = await harness();
    let next = 1;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.array(fc.record({ durable: fc.boolean(), fails: fc.boolean(), yields: fc.boolean() }), { minLength: 1, maxLength: 6 }),
          { minLength: 1, maxLength: 4 },
        ),
        async (turns) => {
          const reported: { id: number; durable: boolean; covered: boolean }[] = [];
          const pending: Promise<unknown>[] = [];
          for (const group of turns) {
            for (const spec of group) {
              const id = next++;
              const p = db
                .tx(
                  async (tx) => {
                    if (spec.yields) await turn();
                    await tx.run("INSERT INTO o (id) VALUES ($1)", [id]);
                    if (spec.fails) throw new Error("rolled back");
                  },
                  { durable: spec.durable },
                )
                .then(
                  () => reported.push({ id, durable: spec.durable, covered: synced().has(id) }),
                  () => undefined,
                );
              pending.push(p);
            }
            await turn();
          }
          await Promise.all(pending);
          for (const r of reported) if (r.durable) expect(r, `transaction ${r.id}`).to.include({ covered: true });
        },
      ),
      { numRuns: 40 },
    );
  });
});
