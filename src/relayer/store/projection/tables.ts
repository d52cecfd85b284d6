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
