import { expect } from "chai";
import { ethers } from "hardhat";
import { BACKENDS, rejectionOf, storePerTest } from "../support";
import { CORE_MIGRATIONS, migrate, type Store } from "../../../src/relayer/store";
import type { Db, Queryable } from "../../../src/relayer/store/db";
import { OutboxStore } from "../../../src/relayer/store/outbox";

for (const backend of BACKENDS) {
  describe(`relayer store (${backend})`, function () {
    const testStore = storePerTest(backend);
    const store = (): Store => testStore().store;

    it("speaks one dialect: $n placeholders (repeated), booleans, upserts, RETURNING, BIGINT as number", async () => {
      const db = store().db;
      await db.exec("CREATE TABLE t (k TEXT PRIMARY KEY, n BIGINT NOT NULL, flag INTEGER NOT NULL, note TEXT)");
      const ins = await db.query<{ k: string; n: number }>(
        "INSERT INTO t (k, n, flag, note) VALUES ($1, $2, $3, $4) RETURNING k, n",
        ["a", 2 ** 40, true, null],
      );
      expect(ins).to.deep.equal([{ k: "a", n: 2 ** 40 }]);
      await db.run(
        "INSERT INTO t (k, n, flag) VALUES ($1, $2, $3) ON CONFLICT (k) DO UPDATE SET n = excluded.n + $2, flag = excluded.flag",
        ["a", 5, false],
      );
      expect(await db.one("SELECT k, n, flag, note FROM t WHERE k = $1 AND (n = $2 OR $2 IS NULL)", ["a", 10])).to.deep.equal({
        k: "a",
        n: 10,
        flag: 0,
        note: null,
      });
      expect(await db.run("UPDATE t SET note = $1 WHERE k = $2", ["x", "missing"])).to.equal(0);
      expect(await db.one("SELECT k FROM t WHERE k = $1", ["missing"])).to.equal(undefined);
    });

    it("transactions commit, roll back on error, and stay isolated under concurrency", async () => {
      const db = store().db;
      await db.exec("CREATE TABLE c (id INTEGER PRIMARY KEY, v BIGINT NOT NULL)");
      await db.run("INSERT INTO c (id, v) VALUES (1, 0)");
      const err = await rejectionOf(
        db.tx(async (tx) => {
          await tx.run("UPDATE c SET v = 100 WHERE id = 1");
          throw new Error("boom");
        }),
      );
      expect(err.message).to.equal("boom");
      expect(await db.one("SELECT v FROM c WHERE id = 1")).to.deep.equal({ v: 0 });
      // read-modify-write in 30 concurrent transactions that yield between read and write
      await Promise.all(
        Array.from({ length: 30 }, () =>
          db.tx(async (tx) => {
            const row = await tx.one<{ v: number }>(
              tx.dialect === "postgres" ? "SELECT v FROM c WHERE id = 1 FOR UPDATE" : "SELECT v FROM c WHERE id = 1",
            );
            await new Promise((r) => setTimeout(r, 1));
            await tx.run("UPDATE c SET v = $1 WHERE id = 1", [Number(row?.v) + 1]);
          }),
        ),
      );
      expect(await db.one("SELECT v FROM c WHERE id = 1")).to.deep.equal({ v: 30 });
    });

    it("allocates each payer nonce exactly once under concurrency and never moves the counter down", async () => {
      const { outbox } = store();
      const payer = "0x00000000000000000000000000000000000000aa";
      expect(await outbox.reconcileNonce(payer, 7)).to.equal(7);
      expect(await outbox.reconcileNonce(payer, 3)).to.equal(7);
      const ids: number[] = [];
      for (let i = 0; i < 40; i++) {
        const row = await outbox.insert({ kind: "call", requestHash: "0x01", method: "m", to: payer, calldata: "0x", payer, gasLimit: "1" });
        if (row) ids.push(row.id);
      }
      const signed = await Promise.all(
        ids.map((id) =>
          outbox.allocateAndSign(id, async (nonce) => ({
            rawTx: `0x${nonce}`,
            hash: ethers.id(String(nonce)),
            maxFeePerGas: "1",
            maxPriorityFeePerGas: "1",
            gasPrice: null,
          })),
        ),
      );
      expect(signed.map((r) => r?.nonce).sort((a, b) => Number(a) - Number(b))).to.deep.equal(ids.map((_, i) => 7 + i));
      // a second signing of the same row is refused and takes no nonce
      expect(await outbox.allocateAndSign(ids[0], async () => ({ rawTx: "0x", hash: "0x", maxFeePerGas: null, maxPriorityFeePerGas: null, gasPrice: null }))).to.equal(null);
      expect(await outbox.nextNonce(payer)).to.equal(47);
      expect(await outbox.reconcileNonce(payer, 50)).to.equal(50);
    });

    it("stores rows signed in one transaction: consecutive nonces in order, a taken key takes none", async () => {
      const { outbox } = store();
      const payer = "0x00000000000000000000000000000000000000bb";
      await outbox.reconcileNonce(payer, 3);
      const base = { kind: "call" as const, requestHash: "0x01", method: "m", to: payer, calldata: "0x", payer, gasLimit: "1" };
      await outbox.insert({ ...base, idemScope: "s", idemKey: "taken" });
      const signedWith: number[] = [];
      const rows = await outbox.insertSignedBatch(
        [
          { ...base, idemScope: "s", idemKey: "a" },
          { ...base, idemScope: "s", idemKey: "taken" },
          { ...base, idemScope: "s", idemKey: "b" },
          { ...base, idemScope: "s", idemKey: "a" }, // the same key twice in one batch
          { ...base },
        ],
        async (_row, nonce) => {
          signedWith.push(nonce);
          return { rawTx: `0x0${nonce}`, hash: ethers.id(String(nonce)), maxFeePerGas: "2", maxPriorityFeePerGas: "1", gasPrice: null };
        },
      );
      expect(rows.map((r) => r?.nonce ?? null)).to.deep.equal([3, null, 4, null, 5]);
      // A taken key is found by the insert, after signing: its signature is wasted, its nonce given back.
      expect(signedWith).to.deep.equal([3, 4, 4, 5, 5]);
      expect(rows[0]).to.deep.include({ status: "signed", attempts: 1, rawTx: "0x03", txHashes: [ethers.id("3")], maxFeePerGas: "2" });
      expect(await outbox.nextNonce(payer)).to.equal(6);
      // a failure rolls the whole batch back: no row, no nonce
      const err = await rejectionOf(
        outbox.insertSignedBatch([{ ...base, idemScope: "s", idemKey: "c" }], async () => {
          throw new Error("signer gone");
        }),
      );
      expect(err.message).to.equal("signer gone");
      expect(await outbox.findByKey("s", "c")).to.equal(null);
      expect(await outbox.nextNonce(payer)).to.equal(6);
    });

    it("stores a new row signed with two statements: the nonce taken, then one insert of the signed row", async () => {
      const db = store().db;
      const payer = "0x00000000000000000000000000000000000000cc";
      await store().outbox.reconcileNonce(payer, 0);
      const statements: string[] = [];
      const counting = <Q extends Pick<Db, "one" | "run" | "query">>(q: Q): Q =>
        new Proxy(q, {
          get(target, prop, receiver) {
            const v = Reflect.get(target, prop, receiver) as unknown;
            if ((prop === "one" || prop === "run" || prop === "query") && typeof v === "function") {
              return (sql: string, ...rest: unknown[]) => {
                statements.push(sql.trim().split(/\s+/)[0]);
                return (v as (...a: unknown[]) => unknown).call(target, sql, ...rest);
              };
            }
            if (prop === "tx" && typeof v === "function") {
              return <T>(fn: (tx: Queryable) => Promise<T>, o?: unknown) =>
                (v as (f: (tx: Queryable) => Promise<T>, o?: unknown) => Promise<T>).call(target, (tx) => fn(counting(tx)), o);
            }
            return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
          },
        });
      const outbox = new OutboxStore(counting(db));
      const base = { kind: "call" as const, requestHash: "0x01", method: "m", to: payer, calldata: "0x", payer, gasLimit: "1" };
      const [row] = await outbox.insertSignedBatch([{ ...base, idemScope: "s", idemKey: "one" }], async (_row, nonce) => ({
        rawTx: `0x0${nonce}`,
        hash: ethers.id(String(nonce)),
        maxFeePerGas: "2",
        maxPriorityFeePerGas: "1",
        gasPrice: null,
      }));
      expect(row).to.deep.include({ status: "signed", nonce: 0, attempts: 1, rawTx: "0x00", txHashes: [ethers.id("0")] });
      expect(statements).to.deep.equal(["UPDATE", "INSERT"]);
      expect(await outbox.get((row as { id: number }).id)).to.deep.equal(row);
    });

    it("concurrent transactions commit together, each atomic on its own; non-durable ones too", async () => {
      const db = store().db;
      await db.exec("CREATE TABLE g (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
      // requested in one turn of the event loop: on SQLite one group commit, one item failing
      const results = await Promise.allSettled([
        db.tx(async (tx) => {
          await tx.run("INSERT INTO g (id, v) VALUES (1, 'a')");
        }),
        db.tx(async (tx) => {
          await tx.run("INSERT INTO g (id, v) VALUES (2, 'b')");
          await tx.run("INSERT INTO g (id, v) VALUES (1, 'duplicate')"); // fails: rolls back id 2 too
        }),
        db.run("INSERT INTO g (id, v) VALUES (3, 'c')"),
        db.tx(async (tx) => tx.run("INSERT INTO g (id, v) VALUES (4, 'd')"), { durable: false }),
        db.tx(async (tx) => tx.run("INSERT INTO g (id, v) VALUES (5, 'e')"), { durable: false }),
        db.tx(async () => {
          throw new Error("nothing to do");
        }),
      ]);
      expect(results.map((r) => r.status)).to.deep.equal(["fulfilled", "rejected", "fulfilled", "fulfilled", "fulfilled", "rejected"]);
      expect((await db.query<{ id: number }>("SELECT id FROM g ORDER BY id")).map((r) => Number(r.id))).to.deep.equal([1, 3, 4, 5]);
      // and the database is usable afterwards (no transaction left open)
      await db.tx(async (tx) => tx.run("UPDATE g SET v = 'z' WHERE id = 1"));
      expect(await db.one("SELECT v FROM g WHERE id = 1")).to.deep.equal({ v: "z" });
    });

    it("records an idempotency key once per scope", async () => {
      const { outbox } = store();
      const base = { kind: "call" as const, requestHash: "0x01", method: "m", to: "0x", calldata: "0x", payer: "0xp", gasLimit: "1" };
      const first = await outbox.insert({ ...base, idemScope: "s", idemKey: "k" });
      expect(first).to.not.equal(null);
      expect(await outbox.insert({ ...base, idemScope: "s", idemKey: "k", requestHash: "0x02" })).to.equal(null);
      expect((await outbox.findByKey("s", "k"))?.requestHash).to.equal("0x01");
      expect(await outbox.insert({ ...base, idemScope: "t", idemKey: "k" })).to.not.equal(null);
      expect(await outbox.insert(base)).to.not.equal(null);
      expect(await outbox.insert(base)).to.not.equal(null);
    });

    it("runs migrations once, records them, and applies further modules' migrations", async () => {
      const again = await testStore().reopen();
      const ids = (await again.db.query<{ id: string }>("SELECT id FROM schema_migrations ORDER BY id")).map((r) => r.id);
      expect(ids).to.deep.equal(CORE_MIGRATIONS.map((m) => m.id).sort());
      expect(ids).to.include.members(["0001_index", "0002_outbox", "0003_master_is_admin_alias", "0004_outbox_finality", "0005_master_wallet"]);
      const extra = [{ id: "services/0001_test", up: "CREATE TABLE svc_things (id {{serial}}, name TEXT NOT NULL)" }];
      expect(await migrate(again.db, extra)).to.deep.equal(["services/0001_test"]);
      expect(await migrate(again.db, extra)).to.deep.equal([]);
      const row = await again.db.one<{ id: number }>("INSERT INTO svc_things (name) VALUES ($1) RETURNING id", ["x"]);
      expect(row?.id).to.equal(1);
    });
  });
}

describe("relayer store: SQLite group commit", function () {
  const testStore = storePerTest("sqlite");

  it("settles a non-durable transaction requested ahead of a durable one without waiting for the durable one's commit", async () => {
    const db = testStore().store.db;
    await db.exec("CREATE TABLE o (id INTEGER PRIMARY KEY)");
    const order: string[] = [];
    // requested in one turn of the event loop, the non-durable one first (a receipt's outcome,
    // then the next signed outbox row)
    const relaxed = db.tx(async (tx) => tx.run("INSERT INTO o (id) VALUES (1)"), { durable: false }).then(() => order.push("non-durable settled"));
    const durable = db.tx(async (tx) => {
      await new Promise((r) => setImmediate(r));
      order.push("durable ran");
      await tx.run("INSERT INTO o (id) VALUES (2)");
    });
    await Promise.all([relaxed, durable]);
    expect(order).to.deep.equal(["non-durable settled", "durable ran"]);
    expect((await db.query<{ id: number }>("SELECT id FROM o ORDER BY id")).map((r) => Number(r.id))).to.deep.equal([1, 2]);
  });
});
