import { expect } from "chai";
import { apiKeyTextHash } from "../../../src/core";
import type { Db, SqlValue, Store } from "../../../src/relayer/store";
import { IndexQueries } from "../../../src/relayer/store/index-queries";
import { accountKey, bigGroup, type ScaleSpec } from "../../../bench/scale/dataset";
import { fillIndex } from "../../../bench/scale/fill";
import { BACKENDS } from "../support";
import { storePerSuite } from "./support";

// Every list page is one statement that finds its rows by a seek on the list's (scope, pos) index
// (store/index-queries.ts pageRange; bench/results/scale.md, "Postgres list pages"): a deep page
// costs what the first one does. Asserted on the plan of the exact statement each list runs, at
// its first, middle and last page: on Postgres the generic plan (what a prepared statement runs
// after its fifth execution) with sequential scans disabled, so the answer says which index can
// serve the page whatever the table's statistics; on SQLite its EXPLAIN QUERY PLAN.

const SPEC: ScaleSpec = { accounts: 20, groups: 30, actions: 30, wallets: 30, usageKeys: 12 };
const master = apiKeyTextHash(accountKey(0));

interface Recorded {
  sql: string;
  params: readonly SqlValue[];
}

/** `db` with every query and one recorded (text and parameters) before it runs. */
function recording(db: Db, seen: Recorded[]): Db {
  return new Proxy(db, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if ((key === "query" || key === "one") && typeof value === "function") {
        return (sql: string, params: readonly SqlValue[] = [], ...rest: unknown[]) => {
          seen.push({ sql, params });
          return (value as (...args: unknown[]) => unknown).call(target, sql, params, ...rest);
        };
      }
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A list, the index that must serve its pages, and how many members it has. */
interface ListCase {
  name: string;
  index: string;
  members: number;
  size: number;
  read(q: IndexQueries, pageNumber: number, pageSize: number): Promise<unknown>;
}

const LISTS: ListCase[] = [
  { name: "listGroups", index: "account_groups_account", members: SPEC.groups, size: 7, read: (q, n, s) => q.listGroups(master, { pageNumber: n, pageSize: s }) },
  { name: "listActions", index: "actions_account", members: SPEC.actions, size: 7, read: (q, n, s) => q.listActions(master, { pageNumber: n, pageSize: s }) },
  { name: "listWallets", index: "wallets_account", members: SPEC.wallets, size: 7, read: (q, n, s) => q.listWallets(master, { pageNumber: n, pageSize: s }) },
  { name: "listUsageKeys", index: "usage_keys_account", members: SPEC.usageKeys, size: 5, read: (q, n, s) => q.listUsageKeys(master, { pageNumber: n, pageSize: s }) },
  {
    name: "listActionsInGroup",
    index: "group_cids_pos",
    members: SPEC.actions,
    size: 7,
    read: (q, n, s) => q.listActionsInGroup(master, bigGroup(SPEC), { pageNumber: n, pageSize: s }),
  },
  {
    name: "listWalletsInGroup",
    index: "group_wallets_pos",
    members: SPEC.wallets,
    size: 7,
    read: (q, n, s) => q.listWalletsInGroup(master, bigGroup(SPEC), { pageNumber: n, pageSize: s }),
  },
];

/** First, middle and last page numbers of a list of `members` in pages of `size`. */
function positions(members: number, size: number): number[] {
  const count = Math.ceil(members / size);
  return [0, Math.floor((count - 1) / 2), count - 1];
}

/** A node of a Postgres JSON plan (the fields read here). */
interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Index Cond"?: string;
  Plans?: PlanNode[];
}

function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}

const literal = (v: SqlValue): string => (typeof v === "number" ? String(v) : `'${String(v).replace(/'/g, "''")}'`);

/** The generic plan of `sql` (as a prepared statement runs it), sequential scans disabled. */
async function genericPlan(store: Store, { sql, params }: Recorded): Promise<PlanNode[]> {
  return store.db.tx(async (tx) => {
    await tx.exec("SET LOCAL plan_cache_mode = force_generic_plan; SET LOCAL enable_seqscan = off");
    await tx.exec(`PREPARE list_plan AS ${sql}`);
    try {
      const rows = await tx.query<{ "QUERY PLAN": { Plan: PlanNode }[] }>(`EXPLAIN (FORMAT JSON) EXECUTE list_plan(${params.map(literal).join(", ")})`);
      return planNodes(rows[0]["QUERY PLAN"][0].Plan);
    } finally {
      await tx.exec("DEALLOCATE list_plan");
    }
  });
}

/** SQLite's EXPLAIN QUERY PLAN lines of `sql`. */
async function sqlitePlan(store: Store, { sql, params }: Recorded): Promise<string[]> {
  return (await store.db.query<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params)).map((r) => r.detail);
}

for (const backend of BACKENDS) {
  describe(`list pages use their (scope, pos) index (${backend})`, function () {
    this.timeout(60_000);
    const store = storePerSuite(backend, async (s) => {
      await fillIndex(s, SPEC, { perBlock: 100, journalBlocks: 2 });
    });

    for (const list of LISTS) {
      it(`${list.name}: each of its first, middle and last pages is one statement seeking its positions on ${list.index}`, async () => {
        for (const n of positions(list.members, list.size)) {
          const seen: Recorded[] = [];
          const page = (await list.read(new IndexQueries(recording(store().db, seen)), n, list.size)) as unknown[];
          expect(page, `page ${n}`).to.have.length(Math.min(list.size, list.members - n * list.size));
          expect(seen, `statements of page ${n}`).to.have.length(1);
          if (backend === "postgres") {
            const nodes = await genericPlan(store(), seen[0]);
            expect(nodes.filter((x) => x["Node Type"] === "Seq Scan").map((x) => x["Relation Name"]), `page ${n}: tables scanned`).to.deep.equal([]);
            const seek = nodes.find((x) => x["Index Name"] === list.index);
            expect(seek?.["Index Cond"], `page ${n}: the seek on ${list.index}`).to.match(/\(pos >= \$\d+\) AND \(pos < \$\d+\)/);
          } else {
            const lines = await sqlitePlan(store(), seen[0]);
            expect(lines.filter((l) => !l.startsWith("SEARCH ")), `page ${n}: lines that are not a seek`).to.deep.equal([]);
            expect(lines.some((l) => l.includes(`USING INDEX ${list.index} (`) && /pos>\? AND pos<\?/.test(l)), `page ${n}: ${lines.join("; ")}`).to.equal(true);
          }
        }
      });
    }
  });
}
