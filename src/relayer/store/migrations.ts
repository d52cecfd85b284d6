/**
 * Versioned schema migrations. Each migration has a unique id (ordered: the list order is the
 * apply order) and runs once; applied ids are recorded in `schema_migrations`. All pending
 * migrations run in one transaction (Postgres additionally takes an advisory lock, so instances
 * starting together do not race). Other modules may append their own migrations through
 * `openStore({ migrations })`; prefix their ids (e.g. "services/0001_billing") so they never
 * collide with these.
 *
 * SQL is the common dialect of db.ts; `{{serial}}` expands to an auto-increment integer primary key.
 */
import type { Queryable } from "./db";

export interface Migration {
  id: string;
  /** SQL statements, or a function for anything SQL alone cannot express. */
  up: string | ((db: Queryable) => Promise<void>);
}

export const CORE_MIGRATIONS: readonly Migration[] = [
  {
    id: "0001_index",
    up: `
      CREATE TABLE bindings (
        hash TEXT PRIMARY KEY,
        master TEXT NOT NULL,
        kind TEXT NOT NULL
      );
      CREATE TABLE accounts (
        master TEXT PRIMARY KEY,
        managed INTEGER NOT NULL,
        admin TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        pos BIGINT NOT NULL
      );
      CREATE TABLE account_groups (
        id TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        pos BIGINT NOT NULL
      );
      CREATE INDEX account_groups_account ON account_groups (account, pos);
      CREATE TABLE group_cids (
        group_id TEXT NOT NULL,
        cid TEXT NOT NULL,
        pos BIGINT NOT NULL,
        PRIMARY KEY (group_id, cid)
      );
      CREATE TABLE group_wallets (
        group_id TEXT NOT NULL,
        wallet TEXT NOT NULL,
        pos BIGINT NOT NULL,
        PRIMARY KEY (group_id, wallet)
      );
      CREATE TABLE actions (
        account TEXT NOT NULL,
        cid TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        pos BIGINT NOT NULL,
        PRIMARY KEY (account, cid)
      );
      CREATE INDEX actions_account ON actions (account, pos);
      CREATE TABLE wallets (
        pkp TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        derivation TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        pos BIGINT NOT NULL,
        seq BIGINT NOT NULL
      );
      CREATE INDEX wallets_account ON wallets (account, pos);
      CREATE TABLE usage_keys (
        hash TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        expiration TEXT NOT NULL DEFAULT '0',
        create_groups INTEGER NOT NULL DEFAULT 0,
        delete_groups INTEGER NOT NULL DEFAULT 0,
        create_pkps INTEGER NOT NULL DEFAULT 0,
        manage_ipfs TEXT NOT NULL DEFAULT '[]',
        add_pkp TEXT NOT NULL DEFAULT '[]',
        remove_pkp TEXT NOT NULL DEFAULT '[]',
        execute_in TEXT NOT NULL DEFAULT '[]',
        pos BIGINT NOT NULL
      );
      CREATE INDEX usage_keys_account ON usage_keys (account, pos);
      CREATE TABLE balances (
        hash TEXT PRIMARY KEY,
        amount TEXT NOT NULL
      );
      CREATE TABLE config (
        item TEXT PRIMARY KEY,
        val TEXT NOT NULL
      );
      CREATE TABLE node_config (
        item TEXT PRIMARY KEY,
        val TEXT NOT NULL,
        pos BIGINT NOT NULL
      );
      CREATE TABLE pricing (
        item_id TEXT PRIMARY KEY,
        price TEXT NOT NULL,
        pos BIGINT NOT NULL
      );
      CREATE TABLE index_cursor (
        id INTEGER PRIMARY KEY,
        block BIGINT NOT NULL,
        block_hash TEXT
      );
    `,
  },
  {
    id: "0002_outbox",
    up: `
      CREATE TABLE outbox (
        id {{serial}},
        kind TEXT NOT NULL,
        idem_scope TEXT,
        idem_key TEXT,
        request_hash TEXT NOT NULL,
        method TEXT NOT NULL,
        to_address TEXT NOT NULL,
        calldata TEXT NOT NULL,
        value TEXT NOT NULL DEFAULT '0',
        payer TEXT NOT NULL,
        nonce BIGINT,
        status TEXT NOT NULL,
        tx_hashes TEXT NOT NULL DEFAULT '[]',
        raw_tx TEXT,
        gas_limit TEXT NOT NULL,
        max_fee_per_gas TEXT,
        max_priority_fee_per_gas TEXT,
        gas_price TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        error_name TEXT,
        error_args TEXT,
        error_message TEXT,
        block_number BIGINT,
        mined_hash TEXT,
        gas_used TEXT,
        result TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        sent_at BIGINT,
        UNIQUE (idem_scope, idem_key)
      );
      CREATE INDEX outbox_status ON outbox (status);
      CREATE INDEX outbox_payer_nonce ON outbox (payer, nonce);
      CREATE TABLE payers (
        address TEXT PRIMARY KEY,
        next_nonce BIGINT NOT NULL
      );
    `,
  },
  {
    // Account.masterIsAdminAlias of the contract: the master hash is the alias of the wallet that
    // created (or was converted to) the account; it executes only while that wallet is admin.
    id: "0003_master_is_admin_alias",
    up: `ALTER TABLE accounts ADD COLUMN master_is_admin_alias INTEGER NOT NULL DEFAULT 0;`,
  },
  {
    // Finality of outbox rows: the block a receipt was seen in, and whether it is deep enough that
    // no reorg is expected to undo it (chain/writer/finality.ts). Rows recorded before count as final.
    id: "0004_outbox_finality",
    up: `
      ALTER TABLE outbox ADD COLUMN block_hash TEXT;
      ALTER TABLE outbox ADD COLUMN final INTEGER NOT NULL DEFAULT 0;
      UPDATE outbox SET final = 1 WHERE status IN ('mined', 'reverted', 'failed');
      CREATE INDEX outbox_final ON outbox (final, status);
    `,
  },
  {
    // Account.masterWallet of the contract (event MasterWalletSet): the wallet an unmanaged account's
    // master hash belongs to; the master hash executes only while that wallet is the admin.
    id: "0005_master_wallet",
    up: `ALTER TABLE accounts ADD COLUMN master_wallet TEXT;`,
  },
  {
    // The index follows reorgs (docs/finality.md): every index row names the block that last wrote
    // it (block_number; NULL for rows written before this migration, until a reindex); the row
    // changes of the blocks inside the reorg window are journaled with the row's previous image
    // (prior_row, JSON; NULL = the row did not exist) so they can be undone; index_blocks keeps the
    // hashes of those blocks for the parent-hash continuity check and the fork-point search.
    id: "0006_index_journal",
    up: `
      ALTER TABLE bindings ADD COLUMN block_number BIGINT;
      ALTER TABLE accounts ADD COLUMN block_number BIGINT;
      ALTER TABLE account_groups ADD COLUMN block_number BIGINT;
      ALTER TABLE group_cids ADD COLUMN block_number BIGINT;
      ALTER TABLE group_wallets ADD COLUMN block_number BIGINT;
      ALTER TABLE actions ADD COLUMN block_number BIGINT;
      ALTER TABLE wallets ADD COLUMN block_number BIGINT;
      ALTER TABLE usage_keys ADD COLUMN block_number BIGINT;
      ALTER TABLE balances ADD COLUMN block_number BIGINT;
      ALTER TABLE config ADD COLUMN block_number BIGINT;
      ALTER TABLE node_config ADD COLUMN block_number BIGINT;
      ALTER TABLE pricing ADD COLUMN block_number BIGINT;
      CREATE TABLE index_journal (
        seq {{serial}},
        block BIGINT NOT NULL,
        tbl TEXT NOT NULL,
        row_key TEXT NOT NULL,
        prior_row TEXT
      );
      CREATE INDEX index_journal_block ON index_journal (block);
      CREATE TABLE index_blocks (
        block BIGINT PRIMARY KEY,
        hash TEXT NOT NULL,
        parent_hash TEXT
      );
    `,
  },
  {
    // Scale (bench/results/scale.md): the next position of the accounts set and the next wallet seq
    // are MAX() lookups that scanned the whole table without these (a fill of a million accounts was
    // quadratic); a group's actions and wallets are paged in their set order (group_id, pos).
    id: "0007_scale_indexes",
    up: `
      CREATE INDEX accounts_pos ON accounts (pos);
      CREATE INDEX wallets_seq ON wallets (seq);
      CREATE INDEX group_cids_pos ON group_cids (group_id, pos);
      CREATE INDEX group_wallets_pos ON group_wallets (group_id, pos);
    `,
  },
  {
    // Sent again after a crash (docs/finality.md): whether a row's gas came from its shape's cached
    // estimate, and whether its call(s) may still have to be sent again once its outcome is final
    // (ResendState in ports/outbox.ts: 0 none, 1 pending, 2 claimed, 3 settled).
    id: "0008_outbox_resend",
    up: `
      ALTER TABLE outbox ADD COLUMN gas_from_cache INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE outbox ADD COLUMN resend INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX outbox_resend ON outbox (resend, status);
    `,
  },
];

function expand(sql: string, dialect: Queryable["dialect"]): string {
  return sql.replace(/\{\{serial\}\}/g, dialect === "sqlite" ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY");
}

/** Applies the migrations not yet recorded; returns the ids applied now. */
export async function migrate(db: Queryable, migrations: readonly Migration[]): Promise<string[]> {
  const ids = new Set<string>();
  for (const m of migrations) {
    if (ids.has(m.id)) throw new Error(`migration ${m.id}: duplicate id`);
    ids.add(m.id);
  }
  return db.tx(async (tx) => {
    if (tx.dialect === "postgres") await tx.query("SELECT pg_advisory_xact_lock(8142023417)");
    await tx.exec("CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)");
    const applied = new Set((await tx.query<{ id: string }>("SELECT id FROM schema_migrations")).map((r) => r.id));
    const done: string[] = [];
    for (const m of migrations) {
      if (applied.has(m.id)) continue;
      if (typeof m.up === "string") await tx.exec(expand(m.up, tx.dialect));
      else await m.up(tx);
      await tx.run("INSERT INTO schema_migrations (id, applied_at) VALUES ($1, $2)", [m.id, Date.now()]);
      done.push(m.id);
    }
    return done;
  });
}
