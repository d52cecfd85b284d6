/**
 * Tables mirroring an on-chain EnumerableSet keep the contract's order in a `pos` column that
 * follows the same rules: add appends, remove moves the last member into the hole. A page of the
 * index therefore equals the same page of the contract's list* view.
 */
import type { SqlValue } from "../db";
import type { Row, RowWriter } from "./journal";
import { INDEX_TABLES, type IndexTable } from "./tables";

export interface SetSpec {
  table: IndexTable;
  /** Column scoping the set (the account, the group), or none for a diamond-wide set. */
  scope?: string;
  member: string;
}

export const SETS = {
  accounts: { table: "accounts", member: "master" },
  groups: { table: "account_groups", scope: "account", member: "id" },
  groupCids: { table: "group_cids", scope: "group_id", member: "cid" },
  groupWallets: { table: "group_wallets", scope: "group_id", member: "wallet" },
  actions: { table: "actions", scope: "account", member: "cid" },
  wallets: { table: "wallets", scope: "account", member: "pkp" },
  usageKeys: { table: "usage_keys", scope: "account", member: "hash" },
  nodeConfig: { table: "node_config", member: "item" },
  pricing: { table: "pricing", member: "item_id" },
} satisfies Record<string, SetSpec>;

function scopeWhere(set: SetSpec): string {
  return set.scope ? ` WHERE ${set.scope} = $1` : "";
}

/** The position the next member of the set takes. */
export async function nextPos(w: RowWriter, set: SetSpec, scope?: string): Promise<number> {
  const row = await w.tx.one<{ p: number }>(
    `SELECT COALESCE(MAX(pos) + 1, 0) AS p FROM ${set.table}${scopeWhere(set)}`,
    set.scope ? [scope] : [],
  );
  return Number(row?.p ?? 0);
}

/** The key of a set member's row (the table's primary key columns, in order). */
function memberKey(set: SetSpec, scope: string | undefined, member: string): SqlValue[] {
  // A primary key of two columns is (scope, member); of one, the member alone.
  return INDEX_TABLES[set.table].length === 2 ? [scope, member] : [member];
}

/**
 * Adds `row` as the set's last member unless it is a member already; each of `counters` (a
 * table-wide sequence column) takes one past its highest value.
 */
export async function addMember(
  w: RowWriter,
  set: SetSpec,
  scope: string | undefined,
  row: Row,
  counters: readonly string[] = [],
): Promise<void> {
  const member = row[set.member];
  if (typeof member !== "string") throw new Error(`${set.table}: member ${set.member} missing`);
  // A member of another scope under the same key (a one-column key) is a member already.
  await w.insertAtEnd(set.table, row, set.scope ? { column: set.scope, value: scope } : undefined, counters);
}

/** EnumerableSet.remove: deletes the member and moves the last one into its position. */
export async function removeMember(w: RowWriter, set: SetSpec, scope: string | undefined, member: string): Promise<boolean> {
  const key = memberKey(set, scope, member);
  const row = await w.get(set.table, key);
  if (!row) return false;
  if (set.scope && row[set.scope] !== scope) return false;
  const pos = Number(row.pos);
  const last = await w.tx.one<Row>(
    `SELECT * FROM ${set.table}${scopeWhere(set)} ORDER BY pos DESC LIMIT 1`,
    set.scope ? [scope] : [],
  );
  await w.remove(set.table, key);
  if (last && Number(last.pos) !== pos) {
    const lastMember = last[set.member];
    if (typeof lastMember !== "string") throw new Error(`${set.table}: member ${set.member} missing`);
    await w.set(set.table, memberKey(set, scope, lastMember), { pos });
  }
  return true;
}
