import { expect } from "chai";
import fc from "fast-check";
import os from "os";
import { Client } from "pg";
import { PgDb, StatementNames, openStore, type Store } from "../../../src/relayer/store";
import { BACKENDS, PG_URL, makeStore, skipUnlessAvailable, skipWithoutPostgres, type TestStore } from "../support";
import { accountHash, cidHash, toEvent, walletAddress } from "./support";

// The query side's fixed reads run as named prepared statements on Postgres (store/db.ts
// QueryOptions.prepare): parsed once per connection instead of parse and plan on every call
// (bench/results/scale.md, "Postgres reads"). The names are bounded per database.

const SEED = Number(process.env.FC_SEED ?? 1616);

describe("StatementNames (names of prepared statements)", () => {
  it("gives a text the same name every time it is asked", () => {
    const names = new StatementNames(10);
    const a = names.nameOf("SELECT 1 WHERE $1 = 1");
    expect(a).to.be.a("string");
    expect(names.nameOf("SELECT 2 WHERE $1 = 1")).to.not.equal(a);
    expect(names.nameOf("SELECT 1 WHERE $1 = 1")).to.equal(a);
  });

  it("names at most `limit` distinct texts, each its own name, and none after the bound", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }), fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 60 }), (limit, picks) => {
        const names = new StatementNames(limit);
        const given = new Map<string, string | undefined>();
        const firstSeen: string[] = [];
        for (const p of picks) {
          const text = `SELECT ${p}`;
          if (!given.has(text)) firstSeen.push(text);
          const name = names.nameOf(text);
          if (given.has(text)) expect(name, "stable").to.equal(given.get(text));
          given.set(text, name);
        }
        const named = [...given.values()].filter((n) => n !== undefined);
        expect(new Set(named).size, "unique").to.equal(named.length);
        expect(names.size).to.equal(Math.min(limit, firstSeen.length));
        // The first `limit` texts seen are the named ones.
        firstSeen.forEach((text, i) => expect(given.get(text) !== undefined, text).to.equal(i < limit));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});

describe("prepared reads on Postgres", function () {
  this.timeout(60_000);
  const schema = `prepared_${process.pid}_${Date.now().toString(36)}`;
  let db: PgDb | null = null;

  before(async function () {
    await skipWithoutPostgres(this);
  });

  afterEach(async () => {
    await db?.close();
    db = null;
  });

  after(async () => {
    const c = new Client({ connectionString: PG_URL });
    try {
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } catch {
      /* no server: the suite was skipped */
    } finally {
      await c.end().catch(() => undefined);
    }
  });

  const prepared = async (t: { query: PgDb["query"] }): Promise<string[]> =>
    (await t.query<{ statement: string }>("SELECT statement FROM pg_prepared_statements ORDER BY prepare_time")).map((r) => r.statement);

  it("runs a read marked prepare as a named prepared statement of its connection", async () => {
    db = await PgDb.connect(PG_URL, schema);
    const text = "SELECT $1::int + 1 AS x";
    const seen = await db.tx(async (t) => {
      expect(await t.query(text, [41], { prepare: true })).to.deep.equal([{ x: 42 }]);
      expect(await t.query(text, [1], { prepare: true })).to.deep.equal([{ x: 2 }]);
      return prepared(t);
    });
    expect(seen).to.deep.equal([text]);
    expect(db.preparedTexts).to.equal(1);
  });

  it("runs an unmarked statement unnamed", async () => {
    db = await PgDb.connect(PG_URL, schema);
    const seen = await db.tx(async (t) => {
      expect(await t.query("SELECT $1::int + 2 AS x", [1])).to.deep.equal([{ x: 3 }]);
      return prepared(t);
    });
    expect(seen).to.deep.equal([]);
  });

  it("runs the texts past the bound unnamed, with the right answers", async () => {
    db = await PgDb.connect(PG_URL, schema, 2);
    const seen = await db.tx(async (t) => {
      for (let i = 0; i < 5; i++) expect(await t.query(`SELECT $1::int + ${i} AS x`, [10], { prepare: true })).to.deep.equal([{ x: 10 + i }]);
      return prepared(t);
    });
    expect(seen).to.deep.equal(["SELECT $1::int + 0 AS x", "SELECT $1::int + 1 AS x"]);
    expect(db.preparedTexts).to.equal(2);
  });

  it("answers each caller with its own parameters when many connections of the pool run one prepared text at once", async () => {
    db = await PgDb.connect(PG_URL, schema);
    const pg = db;
    const text = "SELECT $1::int * 2 AS x, pg_backend_pid() AS pid";
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => pg.query<{ x: number; pid: number }>(text, [i], { prepare: true })),
    );
    answers.forEach((rows, i) => expect(rows[0].x).to.equal(2 * i));
    expect(new Set(answers.map((rows) => rows[0].pid)).size, "connections used").to.be.above(1);
  });
});

for (const backend of BACKENDS) {
  describe(`groupMembership over id lists (${backend})`, function () {
    this.timeout(120_000);
    let ts: TestStore | null = null;
    let store: Store;
    const GROUPS = 130;

    before(async function () {
      await skipUnlessAvailable(this, backend);
      ts = await makeStore(backend);
      store = ts.store;
      const events = [toEvent({ kind: "account", a: 0 }), toEvent({ kind: "action", a: 0, c: 1 })];
      for (let g = 1; g <= GROUPS; g++) {
        events.push(toEvent({ kind: "group", a: 0, g }));
        if (g % 3 === 0) events.push(toEvent({ kind: "cidIn", g, c: 1 }));
        if (g % 5 === 0) events.push(toEvent({ kind: "pkpIn", g, p: 1 }));
      }
      // Group 15 also lists both wildcards.
      events.push({ name: "ActionAddedToGroup", args: { groupId: "15", action: `0x${"0".repeat(64)}` } });
      events.push({ name: "PkpAddedToGroup", args: { groupId: "15", pkpId: `0x${"0".repeat(40)}` } });
      await store.index.applyBlock(1, null, events);
    });

    after(async () => {
      await ts?.cleanup();
    });

    const ASKED: [string, string | null, string | null][] = [
      ["a cid and a wallet", cidHash(1), walletAddress(1)],
      ["a cid", cidHash(1), null],
      ["a wallet", null, walletAddress(1)],
    ];
    for (const [what, cid, wallet] of ASKED) {
      it(`answers every listed group once, as the one-group reads answer it, for any count of ids (over one chunk too), asked about ${what}`, async () => {
        const single = new Map<string, unknown>();
        for (let g = 1; g <= GROUPS + 2; g++) {
          for (const m of await store.index.groupMembership([String(g)], cid, wallet)) single.set(m.id, m);
        }
        await fc.assert(
          fc.asyncProperty(fc.array(fc.integer({ min: 1, max: GROUPS + 2 }), { minLength: 1, maxLength: 230 }), async (ids) => {
            const got = await store.index.groupMembership(ids.map(String), cid, wallet);
            const want = [...new Set(ids.map(String))].filter((id) => single.has(id));
            expect(got.map((m) => m.id).sort()).to.deep.equal([...want].sort());
            for (const m of got) expect(m).to.deep.equal(single.get(m.id));
          }),
          { seed: SEED, numRuns: 40 },
        );
      });
    }

    it("answers the members and wildcards a group lists, and false for the member not asked about and its wildcard", async () => {
      const both = await store.index.groupMembership(["15", "30"], cidHash(1), walletAddress(1));
      const byId = new Map(both.map((m) => [m.id, m]));
      expect(byId.get("15")).to.deep.equal({
        id: "15",
        account: accountHash(0),
        cid: true,
        anyCid: true,
        anyCidRegistered: true,
        wallet: true,
        anyWallet: true,
      });
      expect(byId.get("30")).to.deep.equal({
        id: "30",
        account: accountHash(0),
        cid: true,
        anyCid: false,
        anyCidRegistered: false,
        wallet: true,
        anyWallet: false,
      });
      const [cidOnly] = await store.index.groupMembership(["15"], cidHash(1), null);
      expect(cidOnly).to.include({ cid: true, anyCid: true, anyCidRegistered: true, wallet: false, anyWallet: false });
      const [walletOnly] = await store.index.groupMembership(["15"], null, walletAddress(1));
      expect(walletOnly).to.include({ cid: false, anyCid: false, anyCidRegistered: false, wallet: true, anyWallet: true });
    });

    it("leaves out the groups that list nothing asked about, and answers nothing when nothing is asked", async () => {
      // Groups 1, 2, 4 and 7 list neither action 1 nor wallet 1 nor a wildcard; 3 lists the action, 5 the wallet.
      const got = await store.index.groupMembership(["1", "2", "3", "4", "5", "7"], cidHash(1), walletAddress(1));
      expect(got.map((m) => m.id).sort()).to.deep.equal(["3", "5"]);
      expect(await store.index.groupMembership(["15", "30"], null, null)).to.deep.equal([]);
      expect(await store.index.groupMembership([], cidHash(1), walletAddress(1))).to.deep.equal([]);
    });

    it("admits through a group's CID wildcard only a cid registered to the group's account", async () => {
      const [unregistered] = await store.index.groupMembership(["15"], cidHash(2), null);
      expect(unregistered).to.include({ cid: false, anyCid: true, anyCidRegistered: false });
      const [noWildcard] = await store.index.groupMembership(["30"], cidHash(1), null);
      expect(noWildcard).to.include({ cid: true, anyCid: false, anyCidRegistered: false });
    });
  });
}

describe("the index's reads on Postgres", function () {
  this.timeout(60_000);
  let store: Store | null = null;
  const schema = `prepared_ix_${process.pid}_${Date.now().toString(36)}`;

  before(async function () {
    await skipWithoutPostgres(this);
  });

  after(async () => {
    if (store !== null) {
      await store.db.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await store.close();
    }
  });

  it("run as prepared statements (the credential read and a page read each get a name)", async () => {
    store = await openStore({ dataDir: os.tmpdir(), databaseUrl: PG_URL, schema });
    const db = store.db as PgDb;
    const before = db.preparedTexts;
    await store.index.credential(accountHash(0));
    await store.index.listGroups(accountHash(0), { pageNumber: 0, pageSize: 10 });
    expect(db.preparedTexts - before).to.equal(2);
  });
});
