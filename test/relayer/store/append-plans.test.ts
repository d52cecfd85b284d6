import { expect } from "chai";
import { apiKeyTextHash } from "../../../src/core";
import type { SqlValue, Statement, Store } from "../../../src/relayer/store";
import { WriteQueue, type QueuedWrite } from "../../../src/relayer/store/projection/write-queue";
import { accountKey, actionHash, bigGroup, type ScaleSpec } from "../../../bench/scale/dataset";
import { fillIndex } from "../../../bench/scale/fill";
import { makeStore, skipWithoutPostgres, type TestStore } from "../support";

// On Postgres a block's batch of appends to one table is one statement (store/projection/write-queue.ts),
// which must find the batch's members already present by probing the table's primary key once per
// member, and each scope's highest position by a seek on its (scope, pos) index: never by reading
// the whole table, which a block would then pay for at every size of the index (docs/finality.md,
// "Writes of a block"). Asserted on the executed plan (EXPLAIN ANALYZE, rolled back) of the exact
// statement the queue sends (its parameters inlined as literals, as PgDb.runMany sends it), with
// sequential scans and nested-loop joins disabled: the plan the planner would pick where hashing
// the table looks cheaper than probing it (a small table, as here, or a large batch). The statement
// has no join to disable; a NOT EXISTS it could turn into a hash anti-join or a hashed subplan does.

const SPEC: ScaleSpec = { accounts: 40, groups: 30, actions: 30, wallets: 30, usageKeys: 2 };
const BATCH = 300;
/** Members of each batch that the fill added already (the append inserts nothing for them, or updates their folded columns). */
const PRESENT = 10;
const master = apiKeyTextHash(accountKey(0));

/** A batch of appends to one table, the index its scope's (or its table's) highest position is sought on. */
interface AppendCase {
  name: string;
  table: string;
  positions: string;
  writes(block: number): QueuedWrite[];
}

const CASES: AppendCase[] = [
  {
    name: "accounts (no scope)",
    table: "accounts",
    positions: "accounts_pos",
    writes: (block) =>
      Array.from({ length: BATCH }, (_, i) => {
        const m = i < PRESENT ? apiKeyTextHash(accountKey(i)) : apiKeyTextHash(`append-plans-${i}`);
        return {
          kind: "append",
          table: "accounts",
          row: { master: m, managed: true, admin: "0xad", name: "", description: "", master_is_admin_alias: false, block_number: block },
          scope: null,
          counters: [],
        };
      }),
  },
  {
    name: "account_groups (scoped, with folded metadata)",
    table: "account_groups",
    positions: "account_groups_account",
    writes: (block) =>
      Array.from({ length: BATCH }, (_, i): QueuedWrite[] => {
        const id = String(i < PRESENT ? i + 1 : 10_000 + i);
        return [
          {
            kind: "append",
            table: "account_groups",
            row: { id, account: master, name: "", description: "", block_number: block },
            scope: { column: "account", value: master },
            counters: [],
          },
          { kind: "set", table: "account_groups", key: [id], changes: { name: `g${i}`, description: "d", block_number: block } },
        ];
      }).flat(),
  },
  {
    name: "wallets (scoped, a table-wide counter)",
    table: "wallets",
    positions: "wallets_account",
    writes: (block) =>
      Array.from({ length: BATCH }, (_, i) => ({
        kind: "append",
        table: "wallets",
        row: { pkp: `0xappend${i}`, account: master, derivation: `append-${i}`, name: "", description: "", block_number: block },
        scope: { column: "account", value: master },
        counters: ["seq"],
      })),
  },
  {
    name: "group_cids (scoped, a two-column key)",
    table: "group_cids",
    positions: "group_cids_pos",
    writes: (block) =>
      Array.from({ length: BATCH }, (_, i) => ({
        kind: "append",
        table: "group_cids",
        row: { group_id: bigGroup(SPEC), cid: i < PRESENT ? actionHash(i) : `0xappend${i}`, block_number: block },
        scope: { column: "group_id", value: bigGroup(SPEC) },
        counters: [],
      })),
  },
];

/** A node of a Postgres JSON plan (the fields read here). */
interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Index Cond"?: string;
  "Actual Loops"?: number;
  Plans?: PlanNode[];
}

function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}

/** A literal of a parameter as PgDb.runMany inlines it (booleans as 0/1). */
const literal = (v: SqlValue): string =>
  typeof v === "boolean" ? (v ? "1" : "0") : typeof v === "number" ? String(v) : `'${String(v).replace(/'/g, "''")}'`;

const inline = ({ sql, params }: Statement): string => sql.replace(/\$(\d+)/g, (_m, n: string) => literal(params[Number(n) - 1]));

class RolledBack extends Error {}

/** The executed plan of `st` with sequential scans and nested-loop joins disabled; its writes rolled back. */
async function executedPlan(store: Store, st: Statement): Promise<PlanNode[]> {
  let nodes: PlanNode[] = [];
  await store.db
    .tx(async (tx) => {
      await tx.exec("SET LOCAL enable_seqscan = off; SET LOCAL enable_nestloop = off");
      const rows = await tx.query<{ "QUERY PLAN": { Plan: PlanNode }[] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${inline(st)}`);
      nodes = planNodes(rows[0]["QUERY PLAN"][0].Plan);
      throw new RolledBack();
    })
    .catch((err: unknown) => {
      if (!(err instanceof RolledBack)) throw err;
    });
  return nodes;
}

describe("a batch of appends probes the table by index, never reads it whole (postgres)", function () {
  this.timeout(120_000);
  let ts: TestStore | null = null;
  let store: Store;

  before(async function () {
    await skipWithoutPostgres(this);
    ts = await makeStore("postgres");
    store = ts.store;
    await fillIndex(store, SPEC, { perBlock: 100, journalBlocks: 2 });
    await store.db.exec("ANALYZE");
  });

  after(async () => {
    await ts?.cleanup();
  });

  for (const c of CASES) {
    it(`${c.name}: one statement, a primary-key probe per member and a seek on ${c.positions}, no full scan`, async () => {
      const queue = new WriteQueue("postgres");
      for (const w of c.writes(1_000)) queue.add(w);
      const statements = queue.take();
      expect(statements, "statements of the batch").to.have.length(1);
      const nodes = await executedPlan(store, statements[0]);
      const scans = nodes.filter((n) => n["Relation Name"] === c.table && n["Node Type"] !== "ModifyTable");
      expect(
        scans.filter((n) => n["Index Cond"] === undefined).map((n) => `${n["Node Type"]} ${n["Index Name"] ?? ""}`),
        "scans of the whole table",
      ).to.deep.equal([]);
      const probe = scans.find((n) => n["Index Name"] === `${c.table}_pkey`);
      expect(probe?.["Actual Loops"], "primary-key probes (one per member)").to.equal(BATCH);
      const seek = scans.find((n) => n["Index Name"] === c.positions);
      expect(seek?.["Node Type"], `the seek of the highest position on ${c.positions}`).to.match(/Index (Only )?Scan/);
    });
  }
});
