import type { Queryable } from "../db";

/**
 * The index tables the projection writes and their primary keys. Every write goes through
 * RowWriter (journal.ts), which needs the key to record and restore a row's previous image.
 */
export const INDEX_TABLES = {
  bindings: ["hash"],
  accounts: ["master"],
  account_groups: ["id"],
  group_cids: ["group_id", "cid"],
  group_wallets: ["group_id", "wallet"],
  actions: ["account", "cid"],
  wallets: ["pkp"],
  usage_keys: ["hash"],
  balances: ["hash"],
  config: ["item"],
  node_config: ["item"],
  pricing: ["item_id"],
} as const satisfies Record<string, readonly string[]>;

export type IndexTable = keyof typeof INDEX_TABLES;

export function isIndexTable(name: string): name is IndexTable {
  return Object.prototype.hasOwnProperty.call(INDEX_TABLES, name);
}

/** The number of rows in each index table (after a rebuild, for its report). */
export async function indexRowCounts(db: Queryable): Promise<Record<IndexTable, number>> {
  const rows = {} as Record<IndexTable, number>;
  for (const table of Object.keys(INDEX_TABLES) as IndexTable[]) {
    const r = await db.one<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`);
    rows[table] = Number(r?.n ?? 0);
  }
  return rows;
}
