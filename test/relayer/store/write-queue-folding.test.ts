import { expect } from "chai";
import fc from "fast-check";
import type { Queryable } from "../../../src/relayer/store";
import { WriteQueue, type QueuedWrite } from "../../../src/relayer/store/projection/write-queue";
import { BACKENDS, storePerTest } from "../support";

// The write queue (store/projection/write-queue.ts) batches, merges (Postgres) and folds column
// updates into the queued append of their row. Whatever it does, the tables must end as if every
// write had been applied alone, in order: the model here. Random writes over two set tables
// (account_groups: scoped appends; wallets: scoped appends with a table-wide counter), on rows
// that may exist before (the append then inserts nothing), with the queue sent at random points
// (a handler's read sends it).

type Op =
  | { op: "add"; t: "g" | "w"; id: number; a: number }
  | { op: "name"; t: "g" | "w"; id: number; name: string }
  | { op: "move"; t: "g" | "w"; id: number; pos: number }
  | { op: "drop"; t: "g" | "w"; id: number }
  | { op: "upsert"; id: number; a: number; name: string }
  | { op: "send" };

const account = (a: number): string => `acc${a}`;
const pkp = (id: number): string => `0xp${id}`;

function writeOf(o: Exclude<Op, { op: "send" }>, block: number): QueuedWrite {
  const table = o.op === "upsert" || o.t === "g" ? "account_groups" : "wallets";
  const key = table === "account_groups" ? [String(o.id)] : [pkp(o.id)];
  switch (o.op) {
    case "add":
      return o.t === "g"
        ? {
            kind: "append",
            table: "account_groups",
            row: { id: String(o.id), account: account(o.a), name: "", description: "", block_number: block },
            scope: { column: "account", value: account(o.a) },
            counters: [],
          }
        : {
            kind: "append",
            table: "wallets",
            row: { pkp: pkp(o.id), account: account(o.a), derivation: `d${o.id}`, name: "", description: "", block_number: block },
            scope: { column: "account", value: account(o.a) },
            counters: ["seq"],
          };
    case "name":
      return { kind: "set", table, key, changes: { name: o.name, description: `${o.name}!`, block_number: block } };
    case "move":
      return { kind: "set", table, key, changes: { pos: o.pos, block_number: block } };
    case "drop":
      return { kind: "delete", table, key };
    case "upsert":
      return {
        kind: "upsert",
        table: "account_groups",
        row: { id: String(o.id), account: account(o.a), name: o.name, description: "u", pos: 40 + o.id, block_number: block },
      };
  }
}

const names = fc.constantFrom("", "n", "it's", "$1 '$2'", "ü");
const t = fc.constantFrom("g" as const, "w" as const);
const id = fc.integer({ min: 1, max: 4 });
const a = fc.integer({ min: 0, max: 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant("add" as const), t, id, a }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant("name" as const), t, id, name: names }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant("move" as const), t, id, pos: fc.integer({ min: 0, max: 5 }) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("drop" as const), t, id }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("upsert" as const), id, a, name: names }), weight: 1 },
  { arbitrary: fc.constant({ op: "send" as const }), weight: 1 },
);
/** Rows present before the writes: group ids and wallet ids, each in account 0 or 1. */
const seedArb = fc.record({
  groups: fc.uniqueArray(fc.record({ id, a }), { selector: (r) => r.id, maxLength: 3 }),
  wallets: fc.uniqueArray(fc.record({ id, a }), { selector: (r) => r.id, maxLength: 3 }),
});
type Seed = { groups: { id: number; a: number }[]; wallets: { id: number; a: number }[] };

async function seed(tx: Queryable, s: Seed): Promise<void> {
  await tx.run("DELETE FROM account_groups");
  await tx.run("DELETE FROM wallets");
  for (const [i, g] of s.groups.entries())
    await tx.run("INSERT INTO account_groups (id, account, name, description, pos, block_number) VALUES ($1, $2, 'old', 'old', $3, 0)", [
      String(g.id),
      account(g.a),
      i,
    ]);
  for (const [i, w] of s.wallets.entries())
    await tx.run(
      "INSERT INTO wallets (pkp, account, derivation, name, description, pos, seq, block_number) VALUES ($1, $2, $3, 'old', 'old', $4, $5, 0)",
      [pkp(w.id), account(w.a), `d${w.id}`, i, 10 + i],
    );
}

async function dump(tx: Queryable): Promise<unknown> {
  const norm = (rows: Record<string, unknown>[]): unknown[] =>
    rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "bigint" || k === "pos" || k === "seq" || k === "block_number" ? Number(v) : v])));
  return {
    groups: norm(await tx.query("SELECT id, account, name, description, pos, block_number FROM account_groups ORDER BY id")),
    wallets: norm(await tx.query("SELECT pkp, account, derivation, name, description, pos, seq, block_number FROM wallets ORDER BY pkp")),
  };
}

for (const backend of BACKENDS) {
  describe(`projection write queue: folding and merging (${backend})`, function () {
    this.timeout(240_000);
    const testStore = storePerTest(backend);

    it("leaves the tables as the writes applied one by one in order leave them, for any writes", async () => {
      const db = testStore().store.db;
      await fc.assert(
        fc.asyncProperty(seedArb, fc.array(opArb, { maxLength: 25 }), async (s, ops) => {
          // The model: each write alone (a queue of one write is that write's statement), in order.
          const expected = await db.tx(async (tx) => {
            await seed(tx, s);
            for (const [i, o] of ops.entries()) {
              if (o.op === "send") continue;
              const one = new WriteQueue(tx.dialect);
              one.add(writeOf(o, i + 1));
              await tx.runMany(one.take());
            }
            return dump(tx);
          });
          const got = await db.tx(async (tx) => {
            await seed(tx, s);
            const q = new WriteQueue(tx.dialect);
            for (const [i, o] of ops.entries()) {
              if (o.op === "send") await tx.runMany(q.take());
              else q.add(writeOf(o, i + 1));
            }
            await tx.runMany(q.take());
            return dump(tx);
          });
          expect(got).to.deep.equal(expected);
        }),
        { numRuns: backend === "postgres" ? 150 : 300 },
      );
    });

    it("sends an append and the updates of its row that follow as one statement", () => {
      const q = new WriteQueue(backend);
      q.add(writeOf({ op: "add", t: "g", id: 1, a: 0 }, 1));
      q.add(writeOf({ op: "add", t: "g", id: 2, a: 0 }, 1));
      q.add(writeOf({ op: "name", t: "g", id: 1, name: "x" }, 2));
      q.add(writeOf({ op: "name", t: "g", id: 1, name: "y" }, 3));
      expect(q.size).to.equal(2);
      const sent = q.take();
      expect(sent).to.have.length(backend === "postgres" ? 1 : 2);
      expect(sent.map((st) => st.sql).join("\n")).not.to.match(/^UPDATE/m);
      expect(sent[0].params).to.include("y");
    });

    it("does not fold an update of a row whose append is repeated, or one that moves the row", () => {
      const q = new WriteQueue(backend);
      q.add(writeOf({ op: "add", t: "g", id: 1, a: 0 }, 1));
      q.add(writeOf({ op: "add", t: "g", id: 1, a: 1 }, 1));
      q.add(writeOf({ op: "name", t: "g", id: 1, name: "x" }, 2));
      q.add(writeOf({ op: "add", t: "w", id: 1, a: 0 }, 1));
      q.add(writeOf({ op: "move", t: "w", id: 1, pos: 3 }, 2));
      expect(q.size).to.equal(5);
    });
  });
}
