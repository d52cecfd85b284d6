import { expect } from "chai";
import type { Db, Queryable, Statement } from "../../../src/relayer/store";
import { Projection } from "../../../src/relayer/store/projection";
import type { DecodedEvent } from "../../../src/relayer/ports";
import { BACKENDS, storePerTest } from "../support";
import { accountHash, blockHash, cidHash, usageHash, walletAddress } from "./support";

// The diamond emits an entity's metadata (and a usage key's permissions) right after adding it, in
// the same transaction. The write queue folds those column updates into the queued append of the
// row (store/projection/write-queue.ts): the row is inserted once with its final columns, no
// UPDATE follows it (no dead row version on Postgres, one statement less on SQLite).

/** `db` recording the SQL text of every statement sent through it (runMany and queryAfter included). */
function recording(db: Db): { db: Db; sql: string[] } {
  const sql: string[] = [];
  const wrap = <Q extends Queryable>(q: Q): Q =>
    new Proxy(q, {
      get(target, prop, receiver) {
        const v: unknown = Reflect.get(target, prop, receiver);
        if (typeof v !== "function") return v;
        return (...args: unknown[]) => {
          if (prop === "query" || prop === "one" || prop === "run" || prop === "exec") sql.push(String(args[0]));
          if (prop === "runMany" || prop === "queryAfter") for (const st of args[0] as Statement[]) sql.push(st.sql);
          if (prop === "queryAfter") sql.push(String(args[1]));
          if (prop === "tx") {
            const fn = args[0] as (tx: Queryable) => Promise<unknown>;
            return target.tx((tx) => fn(wrap(tx)), args[1] as undefined);
          }
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  return { db: wrap(db), sql };
}

const flat = (s: string): string => s.replace(/\s+/g, " ").trim();

const account: DecodedEvent = {
  name: "AccountCreated",
  args: { apiKeyHash: accountHash(0), managed: true, admin: walletAddress(99) },
};

interface Case {
  what: string;
  table: string;
  events: DecodedEvent[];
  /** The row's key condition and the columns it must end with. */
  where: string;
  expected: Record<string, unknown>;
}

const CASES: Case[] = [
  {
    what: "a group added and named",
    table: "account_groups",
    events: [
      { name: "GroupAdded", args: { apiKeyHash: accountHash(0), groupId: "7" } },
      { name: "GroupMetadataSet", args: { groupId: "7", name: "g", description: "it's" } },
    ],
    where: "id = '7'",
    expected: { name: "g", description: "it's", pos: 0 },
  },
  {
    what: "an action added and named",
    table: "actions",
    events: [
      { name: "ActionAdded", args: { accountApiKeyHash: accountHash(0), actionHash: cidHash(1) } },
      { name: "ActionMetadataSet", args: { apiKeyHash: accountHash(0), actionHash: cidHash(1), name: "a", description: "d" } },
    ],
    where: `cid = '${cidHash(1)}'`,
    expected: { name: "a", description: "d", pos: 0 },
  },
  {
    what: "a usage key set with its permissions and metadata",
    table: "usage_keys",
    events: [
      { name: "UsageApiKeySet", args: { accountApiKeyHash: accountHash(0), usageApiKeyHash: usageHash(1) } },
      {
        name: "UsageApiKeyPermissionsSet",
        args: {
          usageApiKeyHash: usageHash(1),
          permissions: {
            expiration: "1700000000",
            balance: "5",
            createGroups: true,
            deleteGroups: false,
            createPKPs: true,
            manageIPFSIdsInGroups: ["1"],
            addPkpToGroups: [],
            removePkpFromGroups: [],
            executeInGroups: ["1", "2"],
          },
        },
      },
      { name: "UsageApiKeyMetadataSet", args: { usageApiKeyHash: usageHash(1), name: "k", description: "d" } },
    ],
    where: `hash = '${usageHash(1)}'`,
    expected: { name: "k", description: "d", expiration: "1700000000", create_groups: 1, create_pkps: 1, execute_in: '["1","2"]' },
  },
  {
    what: "a wallet registered and named",
    table: "wallets",
    events: [
      { name: "WalletDerivationRegistered", args: { apiKeyHash: accountHash(0), pkpId: walletAddress(1), derivationPath: "1001" } },
      { name: "WalletMetadataSet", args: { pkpId: walletAddress(1), name: "w", description: "d" } },
    ],
    where: `pkp = '${walletAddress(1)}'`,
    expected: { name: "w", description: "d", pos: 0, seq: 0 },
  },
];

for (const backend of BACKENDS) {
  describe(`index projection: a row added and updated in one block is written once (${backend})`, function () {
    this.timeout(60_000);
    const testStore = storePerTest(backend);

    for (const c of CASES) {
      for (const journal of [false, true]) {
        it(`inserts ${c.what} with its final columns and never updates it (${journal ? "journaled" : "unjournaled"})`, async () => {
          const store = testStore().store;
          const rec = recording(store.db);
          const projection = new Projection(rec.db);
          await projection.reset(1);
          const outcome = await projection.applyBlock(1, blockHash("main", 1), null, [account, ...c.events], { journal });
          expect(outcome).to.equal("applied");
          const writes = rec.sql.map(flat).filter((s) => new RegExp(`^(INSERT INTO|UPDATE) ${c.table}\\b`).test(s));
          expect(writes, writes.join("\n")).to.have.length(1);
          expect(writes[0]).to.match(new RegExp(`^INSERT INTO ${c.table}\\b`));
          const row = await store.db.one<Record<string, unknown>>(`SELECT * FROM ${c.table} WHERE ${c.where}`);
          const got: Record<string, unknown> = {};
          for (const k of Object.keys(c.expected)) got[k] = typeof row?.[k] === "bigint" ? Number(row[k]) : row?.[k];
          expect(got).to.deep.equal(c.expected);
          expect(Number(row?.block_number)).to.equal(1);
        });
      }
    }

    it("still updates a row the block's add finds present (added in an earlier block)", async () => {
      const store = testStore().store;
      const projection = new Projection(store.db);
      await projection.reset(1);
      const add: DecodedEvent = { name: "GroupAdded", args: { apiKeyHash: accountHash(0), groupId: "7" } };
      expect(await projection.applyBlock(1, blockHash("main", 1), null, [account, add], { journal: false })).to.equal("applied");
      const named: DecodedEvent = { name: "GroupMetadataSet", args: { groupId: "7", name: "again", description: "x" } };
      const second: DecodedEvent = { name: "GroupAdded", args: { apiKeyHash: accountHash(0), groupId: "8" } };
      expect(
        await projection.applyBlock(2, blockHash("main", 2), null, [add, second, named], { journal: false }),
      ).to.equal("applied");
      const rows = await store.db.query<{ id: string; name: string; pos: number | string; block_number: number | string }>(
        "SELECT id, name, pos, block_number FROM account_groups ORDER BY id",
      );
      expect(rows.map((r) => [r.id, r.name, Number(r.pos), Number(r.block_number)])).to.deep.equal([
        ["7", "again", 0, 2],
        ["8", "", 1, 2],
      ]);
    });
  });
}
