/**
 * The indexed state: everything the diamond's events say, rebuilt into tables, and the
 * IndexReader over them. `applyBlock` applies one block's decoded events and advances the cursor
 * in one transaction (guarded, so two indexers sharing a Postgres database never apply a block
 * twice).
 *
 * Lists keep the contract's order: every on-chain EnumerableSet is mirrored with a `pos` column
 * that follows the same add (append) and remove (move the last element into the hole) rules, so
 * a page of the index equals the same page of the contract's list* view.
 */
import type {
  AccountRow,
  ActionRow,
  Address,
  BindingRow,
  DecodedEvent,
  GroupRow,
  HashKind,
  Hex32,
  IndexReader,
  Page,
  Uint,
  UsageKeyRow,
  WalletRow,
} from "../ports";
import type { Db, Queryable, SqlValue, TxOptions } from "./db";
import { chainSecuredHash, storableText } from "../../core";

/** Diamond configuration as the events set it. */
export interface IndexedConfig {
  owner: Address | null;
  apiPayers: Address[];
  adminApiPayer: Address | null;
  configOperator: Address | null;
  pricingOperator: Address | null;
  requestedApiPayerCount: Uint;
  rebalanceAmount: Uint;
  initializedVersion: Uint;
}

export interface NodeConfigEntry {
  key: string;
  value: string;
}

export interface PricingEntry {
  itemId: Uint;
  price: Uint;
}

const ZERO32 = `0x${"0".repeat(64)}`;
const HASH_RE = /^0x[0-9a-f]{64}$/;

/** Normalises a 32-byte value (hex of any case, or decimal) to `0x` + 64 lowercase hex. */
export function toHex32(value: string | bigint): Hex32 {
  if (typeof value === "string" && HASH_RE.test(value.toLowerCase())) return value.toLowerCase();
  const n = BigInt(value);
  if (n < 0n || n >= 1n << 256n) throw new Error(`not a 32-byte value: ${value}`);
  return `0x${n.toString(16).padStart(64, "0")}`;
}

/** Normalises a uint (decimal or 0x hex) to a decimal string. */
export function toUint(value: string | bigint | number): Uint {
  return BigInt(value).toString();
}

export function toAddress(value: string): Address {
  const hex = value.toLowerCase().startsWith("0x") ? value.slice(2) : value;
  if (!/^[0-9a-fA-F]{40}$/.test(hex)) throw new Error(`not an address: ${value}`);
  return `0x${hex.toLowerCase()}`;
}

// ------------------------------------------------------------------ rows

interface BindingDb {
  hash: string;
  master: string;
  kind: string;
}
interface AccountDb {
  master: string;
  managed: number;
  admin: string;
  name: string;
  description: string;
  master_is_admin_alias: number;
  master_wallet: string | null;
}
interface GroupDb {
  id: string;
  account: string;
  name: string;
  description: string;
}
interface ActionDb {
  account: string;
  cid: string;
  name: string;
  description: string;
}
interface WalletDb {
  pkp: string;
  account: string;
  derivation: string;
  name: string;
  description: string;
}
interface UsageKeyDb {
  hash: string;
  account: string;
  name: string;
  description: string;
  expiration: string;
  create_groups: number;
  delete_groups: number;
  create_pkps: number;
  manage_ipfs: string;
  add_pkp: string;
  remove_pkp: string;
  execute_in: string;
  amount: string | null;
}

const USAGE_KEY_SELECT = `
  SELECT k.hash, k.account, k.name, k.description, k.expiration, k.create_groups, k.delete_groups,
         k.create_pkps, k.manage_ipfs, k.add_pkp, k.remove_pkp, k.execute_in, b.amount
  FROM usage_keys k LEFT JOIN balances b ON b.hash = k.hash`;

function usageKeyRow(r: UsageKeyDb): UsageKeyRow {
  const list = (s: string): Uint[] => JSON.parse(s) as Uint[];
  return {
    hash: r.hash,
    account: r.account,
    name: r.name,
    description: r.description,
    expiration: r.expiration,
    balance: r.amount ?? "0",
    createGroups: Number(r.create_groups) === 1,
    deleteGroups: Number(r.delete_groups) === 1,
    createPKPs: Number(r.create_pkps) === 1,
    manageIPFSIdsInGroups: list(r.manage_ipfs),
    addPkpToGroups: list(r.add_pkp),
    removePkpFromGroups: list(r.remove_pkp),
    executeInGroups: list(r.execute_in),
  };
}

function accountRow(r: AccountDb): AccountRow {
  return {
    master: r.master,
    managed: Number(r.managed) === 1,
    admin: r.admin,
    name: r.name,
    description: r.description,
    masterIsAdminAlias: Number(r.master_is_admin_alias) === 1,
    masterWallet: r.master_wallet ?? null,
  };
}

function walletRow(r: WalletDb): WalletRow {
  return { pkp: r.pkp, account: r.account, derivation: r.derivation, name: r.name, description: r.description };
}

function pageArgs(page: Page): [number, number] {
  const size = Math.max(0, Math.floor(page.pageSize));
  const number = Math.max(0, Math.floor(page.pageNumber));
  return [size, number * size];
}

// ------------------------------------------------------------------ event arguments

type Args = DecodedEvent["args"];

function str(args: Args, name: string): string {
  const v = args[name];
  if (typeof v !== "string") throw new Error(`event argument ${name}: expected a string`);
  return v;
}
/**
 * A text argument (a name, a description, a node configuration entry) as it can be stored: a
 * wallet can write any bytes on-chain, and a NUL (refused by Postgres) or a lone surrogate is
 * replaced by U+FFFD, so such an event never stalls the indexer (docs/relayer-untrusted-input.md).
 */
function text(args: Args, name: string): string {
  return storableText(str(args, name));
}
function bool(args: Args, name: string): boolean {
  const v = args[name];
  if (typeof v !== "boolean") throw new Error(`event argument ${name}: expected a boolean`);
  return v;
}
function strList(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || value.some((x) => typeof x !== "string")) {
    throw new Error(`event argument ${name}: expected a list of strings`);
  }
  return value as string[];
}
function record(args: Args, name: string): Record<string, unknown> {
  const v = args[name];
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error(`event argument ${name}: expected a tuple`);
  return v as Record<string, unknown>;
}

// ------------------------------------------------------------------ ordered sets

/** Tables mirroring an on-chain EnumerableSet: scope column (or none) + member column + pos. */
interface SetSpec {
  table: string;
  scope?: string;
  member: string;
}
const SETS = {
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

async function nextPos(tx: Queryable, set: SetSpec, scope?: string): Promise<number> {
  const where = set.scope ? ` WHERE ${set.scope} = $1` : "";
  const row = await tx.one<{ p: number }>(
    `SELECT COALESCE(MAX(pos) + 1, 0) AS p FROM ${set.table}${where}`,
    set.scope ? [scope] : [],
  );
  return Number(row?.p ?? 0);
}

/** EnumerableSet.remove: delete the member and move the last one into its position. */
async function swapRemove(tx: Queryable, set: SetSpec, scope: string | undefined, member: string): Promise<boolean> {
  const sc = set.scope ? `${set.scope} = $1 AND ` : "";
  const base: SqlValue[] = set.scope ? [scope] : [];
  const n = base.length;
  const row = await tx.one<{ pos: number }>(`SELECT pos FROM ${set.table} WHERE ${sc}${set.member} = $${n + 1}`, [
    ...base,
    member,
  ]);
  if (!row) return false;
  const last = await tx.one<{ p: number }>(
    `SELECT MAX(pos) AS p FROM ${set.table}${set.scope ? ` WHERE ${set.scope} = $1` : ""}`,
    base,
  );
  await tx.run(`DELETE FROM ${set.table} WHERE ${sc}${set.member} = $${n + 1}`, [...base, member]);
  const pos = Number(row.pos);
  const lastPos = Number(last?.p ?? pos);
  if (lastPos !== pos) {
    await tx.run(`UPDATE ${set.table} SET pos = $${n + 1} WHERE ${sc}pos = $${n + 2}`, [...base, pos, lastPos]);
  }
  return true;
}

async function setConfig(tx: Queryable, item: string, val: string): Promise<void> {
  await tx.run("INSERT INTO config (item, val) VALUES ($1, $2) ON CONFLICT (item) DO UPDATE SET val = excluded.val", [
    item,
    val,
  ]);
}

async function addBalance(tx: Queryable, hash: string, delta: bigint): Promise<void> {
  const row = await tx.one<{ amount: string }>("SELECT amount FROM balances WHERE hash = $1", [hash]);
  const next = BigInt(row?.amount ?? "0") + delta;
  if (next < 0n) throw new Error(`index: balance of ${hash} would become negative`);
  await tx.run(
    "INSERT INTO balances (hash, amount) VALUES ($1, $2) ON CONFLICT (hash) DO UPDATE SET amount = excluded.amount",
    [hash, next.toString()],
  );
}

async function upsertBinding(tx: Queryable, hash: string, master: string, kind: HashKind): Promise<void> {
  await tx.run(
    `INSERT INTO bindings (hash, master, kind) VALUES ($1, $2, $3)
     ON CONFLICT (hash) DO UPDATE SET master = excluded.master, kind = excluded.kind`,
    [hash, master, kind],
  );
}

/** Applies decoded diamond events, in log order, to the index (call inside a transaction). */
export async function applyEvents(tx: Queryable, events: readonly DecodedEvent[]): Promise<void> {
  for (const e of events) await applyEvent(tx, e);
}

async function applyEvent(tx: Queryable, e: DecodedEvent): Promise<void> {
  const a = e.args;
  switch (e.name) {
    // ---- accounts and bindings
    case "AccountCreated": {
      const master = str(a, "apiKeyHash");
      const managed = bool(a, "managed");
      const masterIsAdminAlias = !managed && chainSecuredHash(str(a, "admin")) === master.toLowerCase();
      await upsertBinding(tx, master, master, "Master");
      await tx.run(
        `INSERT INTO accounts (master, managed, admin, name, description, pos, master_is_admin_alias)
         VALUES ($1, $2, $3, '', '', $4, $5) ON CONFLICT (master) DO NOTHING`,
        [master, managed, str(a, "admin"), await nextPos(tx, SETS.accounts), masterIsAdminAlias],
      );
      return;
    }
    case "AccountMetadataSet":
      await tx.run("UPDATE accounts SET name = $2, description = $3 WHERE master = $1", [
        str(a, "apiKeyHash"),
        text(a, "name"),
        text(a, "description"),
      ]);
      return;
    case "AdminAliasBound":
      await upsertBinding(tx, str(a, "aliasHash"), str(a, "masterApiKeyHash"), "AdminAlias");
      return;
    case "AccountConvertedToChainSecured": {
      const master = str(a, "apiKeyHash");
      const admin = str(a, "newAdminWalletAddress");
      const aliasIsMaster = chainSecuredHash(admin) === master.toLowerCase();
      await tx.run(
        `UPDATE accounts SET managed = 0, admin = $2,
           master_is_admin_alias = CASE WHEN $3 = 1 THEN 1 ELSE master_is_admin_alias END WHERE master = $1`,
        [master, admin, aliasIsMaster ? 1 : 0],
      );
      return;
    }
    case "MasterWalletSet":
      await tx.run("UPDATE accounts SET master_wallet = $2 WHERE master = $1", [
        str(a, "masterApiKeyHash"),
        str(a, "wallet"),
      ]);
      return;
    case "AddressAliasReclaimed":
      // Reserved for the wallet: no account may bind it as a usage key (a tombstone of no account).
      await upsertBinding(tx, str(a, "aliasHash"), ZERO32, "RemovedUsageKey");
      return;
    case "ChainSecuredAccountOwnershipTransferred":
      await tx.run("UPDATE accounts SET admin = $2 WHERE master = $1", [
        str(a, "masterApiKeyHash"),
        str(a, "newAdminWalletAddress"),
      ]);
      return;

    // ---- actions
    case "ActionAdded": {
      const account = str(a, "accountApiKeyHash");
      await tx.run(
        `INSERT INTO actions (account, cid, name, description, pos) VALUES ($1, $2, '', '', $3)
         ON CONFLICT (account, cid) DO NOTHING`,
        [account, str(a, "actionHash"), await nextPos(tx, SETS.actions, account)],
      );
      return;
    }
    case "ActionMetadataSet":
      await tx.run("UPDATE actions SET name = $3, description = $4 WHERE account = $1 AND cid = $2", [
        str(a, "apiKeyHash"),
        str(a, "actionHash"),
        text(a, "name"),
        text(a, "description"),
      ]);
      return;
    case "ActionRemoved":
      await swapRemove(tx, SETS.actions, str(a, "accountApiKeyHash"), str(a, "actionHash"));
      return;

    // ---- groups
    case "GroupAdded": {
      const account = str(a, "apiKeyHash");
      await tx.run(
        `INSERT INTO account_groups (id, account, name, description, pos) VALUES ($1, $2, '', '', $3)
         ON CONFLICT (id) DO NOTHING`,
        [str(a, "groupId"), account, await nextPos(tx, SETS.groups, account)],
      );
      return;
    }
    case "GroupMetadataSet":
      await tx.run("UPDATE account_groups SET name = $2, description = $3 WHERE id = $1", [
        str(a, "groupId"),
        text(a, "name"),
        text(a, "description"),
      ]);
      return;
    case "GroupUpdated":
      return;
    case "GroupRemoved": {
      const id = str(a, "groupId");
      await swapRemove(tx, SETS.groups, str(a, "apiKeyHash"), id);
      await tx.run("DELETE FROM group_cids WHERE group_id = $1", [id]);
      await tx.run("DELETE FROM group_wallets WHERE group_id = $1", [id]);
      return;
    }
    case "ActionAddedToGroup": {
      const id = str(a, "groupId");
      await tx.run(
        "INSERT INTO group_cids (group_id, cid, pos) VALUES ($1, $2, $3) ON CONFLICT (group_id, cid) DO NOTHING",
        [id, str(a, "action"), await nextPos(tx, SETS.groupCids, id)],
      );
      return;
    }
    case "ActionRemovedFromGroup":
      await swapRemove(tx, SETS.groupCids, str(a, "groupId"), str(a, "action"));
      return;
    case "PkpAddedToGroup": {
      const id = str(a, "groupId");
      await tx.run(
        "INSERT INTO group_wallets (group_id, wallet, pos) VALUES ($1, $2, $3) ON CONFLICT (group_id, wallet) DO NOTHING",
        [id, str(a, "pkpId"), await nextPos(tx, SETS.groupWallets, id)],
      );
      return;
    }
    case "PkpRemovedFromGroup":
      await swapRemove(tx, SETS.groupWallets, str(a, "groupId"), str(a, "pkpId"));
      return;

    // ---- wallets
    case "WalletDerivationRegistered": {
      const account = str(a, "apiKeyHash");
      const seq = await tx.one<{ p: number }>("SELECT COALESCE(MAX(seq) + 1, 0) AS p FROM wallets");
      await tx.run(
        `INSERT INTO wallets (pkp, account, derivation, name, description, pos, seq) VALUES ($1, $2, $3, '', '', $4, $5)
         ON CONFLICT (pkp) DO NOTHING`,
        [str(a, "pkpId"), account, str(a, "derivationPath"), await nextPos(tx, SETS.wallets, account), Number(seq?.p ?? 0)],
      );
      return;
    }
    case "WalletMetadataSet":
      await tx.run("UPDATE wallets SET name = $2, description = $3 WHERE pkp = $1", [
        str(a, "pkpId"),
        text(a, "name"),
        text(a, "description"),
      ]);
      return;

    // ---- usage keys
    case "UsageApiKeySet": {
      const account = str(a, "accountApiKeyHash");
      const hash = str(a, "usageApiKeyHash");
      await upsertBinding(tx, hash, account, "UsageKey");
      await tx.run(
        "INSERT INTO usage_keys (hash, account, pos) VALUES ($1, $2, $3) ON CONFLICT (hash) DO NOTHING",
        [hash, account, await nextPos(tx, SETS.usageKeys, account)],
      );
      return;
    }
    case "UsageApiKeyPermissionsSet": {
      const hash = str(a, "usageApiKeyHash");
      const p = record(a, "permissions");
      const field = (k: string): string => {
        const v = p[k];
        if (typeof v !== "string") throw new Error(`event argument permissions.${k}: expected a string`);
        return v;
      };
      const flag = (k: string): boolean => p[k] === true;
      const json = (k: string): string => JSON.stringify(strList(p[k], `permissions.${k}`));
      await tx.run(
        `UPDATE usage_keys SET expiration = $2, create_groups = $3, delete_groups = $4, create_pkps = $5,
           manage_ipfs = $6, add_pkp = $7, remove_pkp = $8, execute_in = $9 WHERE hash = $1`,
        [
          hash,
          field("expiration"),
          flag("createGroups"),
          flag("deleteGroups"),
          flag("createPKPs"),
          json("manageIPFSIdsInGroups"),
          json("addPkpToGroups"),
          json("removePkpFromGroups"),
          json("executeInGroups"),
        ],
      );
      await tx.run(
        "INSERT INTO balances (hash, amount) VALUES ($1, $2) ON CONFLICT (hash) DO UPDATE SET amount = excluded.amount",
        [hash, field("balance")],
      );
      return;
    }
    case "UsageApiKeyMetadataSet":
      await tx.run("UPDATE usage_keys SET name = $2, description = $3 WHERE hash = $1", [
        str(a, "usageApiKeyHash"),
        text(a, "name"),
        text(a, "description"),
      ]);
      return;
    case "UsageApiKeyRemoved": {
      const account = str(a, "accountApiKeyHash");
      const hash = str(a, "usageApiKeyHash");
      await upsertBinding(tx, hash, account, "RemovedUsageKey");
      await swapRemove(tx, SETS.usageKeys, account, hash);
      await tx.run("DELETE FROM balances WHERE hash = $1", [hash]);
      return;
    }

    // ---- billing
    case "ApiKeyCredited":
      await addBalance(tx, str(a, "apiKeyHash"), BigInt(str(a, "amount")));
      return;
    case "ApiKeyDebited":
      await addBalance(tx, str(a, "apiKeyHash"), -BigInt(str(a, "amount")));
      return;
    case "PricingUpdated": {
      const id = str(a, "pricingItemId");
      await tx.run(
        `INSERT INTO pricing (item_id, price, pos) VALUES ($1, $2, $3)
         ON CONFLICT (item_id) DO UPDATE SET price = excluded.price`,
        [id, str(a, "price"), await nextPos(tx, SETS.pricing)],
      );
      return;
    }

    // ---- configuration
    case "ApiPayersUpdated":
      await setConfig(tx, "apiPayers", JSON.stringify(strList(a.newApiPayers, "newApiPayers")));
      return;
    case "AdminApiPayerUpdated":
      await setConfig(tx, "adminApiPayer", str(a, "newAdminApiPayerAccount"));
      return;
    case "ConfigOperatorUpdated":
      await setConfig(tx, "configOperator", str(a, "newConfigOperator"));
      return;
    case "PricingOperatorUpdated":
      await setConfig(tx, "pricingOperator", str(a, "newPricingOperator"));
      return;
    case "RebalanceAmountUpdated":
      await setConfig(tx, "rebalanceAmount", str(a, "newRebalanceAmount"));
      return;
    case "RequestedApiPayerCountUpdated":
      await setConfig(tx, "requestedApiPayerCount", str(a, "newCount"));
      return;
    case "OwnershipTransferred":
      await setConfig(tx, "owner", str(a, "newOwner"));
      return;
    case "Initialized":
      await setConfig(tx, "initializedVersion", str(a, "version"));
      return;
    case "NodeConfigurationSet": {
      const key = text(a, "key");
      if (bool(a, "removed")) {
        await swapRemove(tx, SETS.nodeConfig, undefined, key);
      } else {
        await tx.run(
          `INSERT INTO node_config (item, val, pos) VALUES ($1, $2, $3)
           ON CONFLICT (item) DO UPDATE SET val = excluded.val`,
          [key, text(a, "value"), await nextPos(tx, SETS.nodeConfig)],
        );
      }
      return;
    }
    default:
      // ServerTriggered, DiamondCut and anything unknown carry no indexed state.
      return;
  }
}

// ------------------------------------------------------------------ the store

export class IndexStore implements IndexReader {
  constructor(private readonly db: Db) {}

  /**
   * Applies the events of `block` and moves the cursor to it, atomically. Returns false (and
   * applies nothing) when the cursor is already at or past `block`.
   */
  async applyBlock(
    block: number,
    blockHash: string | null,
    events: readonly DecodedEvent[],
    options?: TxOptions,
  ): Promise<boolean> {
    return this.db.tx(async (tx) => {
      if (!(await this.advance(tx, block, blockHash))) return false;
      await applyEvents(tx, events);
      return true;
    }, options);
  }

  /** Moves the cursor forward to `block` (blocks without events). */
  async advanceCursor(block: number, blockHash: string | null = null, options?: TxOptions): Promise<boolean> {
    return this.db.tx((tx) => this.advance(tx, block, blockHash), options);
  }

  /** Creates the cursor at `block` (the block before the first one to index) if there is none. */
  async initCursor(block: number): Promise<void> {
    await this.db.run("INSERT INTO index_cursor (id, block, block_hash) VALUES (1, $1, NULL) ON CONFLICT (id) DO NOTHING", [
      block,
    ]);
  }

  private async advance(tx: Queryable, block: number, blockHash: string | null): Promise<boolean> {
    // The UPDATE takes the cursor row's lock (Postgres), so a concurrent indexer waits and then
    // sees the new block number.
    const changed = await tx.run("UPDATE index_cursor SET block = $1, block_hash = $2 WHERE id = 1 AND block < $1", [
      block,
      blockHash,
    ]);
    if (changed > 0) return true;
    const exists = await tx.one("SELECT block FROM index_cursor WHERE id = 1");
    if (exists) return false;
    await tx.run("INSERT INTO index_cursor (id, block, block_hash) VALUES (1, $1, $2)", [block, blockHash]);
    return true;
  }

  // ---- IndexReader

  async indexedBlock(): Promise<number> {
    const row = await this.db.one<{ block: number }>("SELECT block FROM index_cursor WHERE id = 1");
    return row ? Number(row.block) : -1;
  }

  async binding(hash: Hex32): Promise<BindingRow | null> {
    const row = await this.db.one<BindingDb>("SELECT hash, master, kind FROM bindings WHERE hash = $1", [toHex32(hash)]);
    return row ? { hash: row.hash, master: row.master, kind: row.kind as HashKind } : null;
  }

  async resolve(hash: Hex32): Promise<BindingRow | null> {
    const b = await this.binding(hash);
    return b && b.kind !== "RemovedUsageKey" ? b : null;
  }

  async account(master: Hex32): Promise<AccountRow | null> {
    const row = await this.db.one<AccountDb>(
      "SELECT master, managed, admin, name, description, master_is_admin_alias, master_wallet FROM accounts WHERE master = $1",
      [toHex32(master)],
    );
    return row ? accountRow(row) : null;
  }

  async usageKey(hash: Hex32): Promise<UsageKeyRow | null> {
    const row = await this.db.one<UsageKeyDb>(`${USAGE_KEY_SELECT} WHERE k.hash = $1`, [toHex32(hash)]);
    return row ? usageKeyRow(row) : null;
  }

  async group(id: Uint): Promise<GroupRow | null> {
    const gid = toUint(id);
    const row = await this.db.one<GroupDb>("SELECT id, account, name, description FROM account_groups WHERE id = $1", [gid]);
    if (!row) return null;
    const cids = await this.db.query<{ cid: string }>("SELECT cid FROM group_cids WHERE group_id = $1 ORDER BY pos", [gid]);
    const wallets = await this.db.query<{ wallet: string }>(
      "SELECT wallet FROM group_wallets WHERE group_id = $1 ORDER BY pos",
      [gid],
    );
    return {
      id: row.id,
      account: row.account,
      name: row.name,
      description: row.description,
      cids: cids.map((r) => r.cid),
      wallets: wallets.map((r) => r.wallet),
    };
  }

  async wallet(pkp: Address): Promise<WalletRow | null> {
    const row = await this.db.one<WalletDb>(
      "SELECT pkp, account, derivation, name, description FROM wallets WHERE pkp = $1",
      [toAddress(pkp)],
    );
    return row ? walletRow(row) : null;
  }

  async walletByDerivation(derivation: Uint): Promise<WalletRow | null> {
    const row = await this.db.one<WalletDb>(
      "SELECT pkp, account, derivation, name, description FROM wallets WHERE derivation = $1",
      [toUint(derivation)],
    );
    return row ? walletRow(row) : null;
  }

  async action(account: Hex32, cid: Hex32): Promise<ActionRow | null> {
    const row = await this.db.one<ActionDb>(
      "SELECT account, cid, name, description FROM actions WHERE account = $1 AND cid = $2",
      [toHex32(account), toHex32(cid)],
    );
    return row ?? null;
  }

  async listGroups(account: Hex32, page: Page): Promise<GroupRow[]> {
    const [limit, offset] = pageArgs(page);
    const rows = await this.db.query<GroupDb>(
      "SELECT id, account, name, description FROM account_groups WHERE account = $1 ORDER BY pos LIMIT $2 OFFSET $3",
      [toHex32(account), limit, offset],
    );
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const marks = ids.map((_, i) => `$${i + 1}`).join(", ");
    const cids = await this.db.query<{ group_id: string; cid: string }>(
      `SELECT group_id, cid FROM group_cids WHERE group_id IN (${marks}) ORDER BY group_id, pos`,
      ids,
    );
    const wallets = await this.db.query<{ group_id: string; wallet: string }>(
      `SELECT group_id, wallet FROM group_wallets WHERE group_id IN (${marks}) ORDER BY group_id, pos`,
      ids,
    );
    return rows.map((r) => ({
      id: r.id,
      account: r.account,
      name: r.name,
      description: r.description,
      cids: cids.filter((c) => c.group_id === r.id).map((c) => c.cid),
      wallets: wallets.filter((w) => w.group_id === r.id).map((w) => w.wallet),
    }));
  }

  async listActions(account: Hex32, page: Page): Promise<ActionRow[]> {
    const [limit, offset] = pageArgs(page);
    return this.db.query<ActionDb>(
      "SELECT account, cid, name, description FROM actions WHERE account = $1 ORDER BY pos LIMIT $2 OFFSET $3",
      [toHex32(account), limit, offset],
    );
  }

  async listWallets(account: Hex32, page: Page): Promise<WalletRow[]> {
    const [limit, offset] = pageArgs(page);
    const rows = await this.db.query<WalletDb>(
      "SELECT pkp, account, derivation, name, description FROM wallets WHERE account = $1 ORDER BY pos LIMIT $2 OFFSET $3",
      [toHex32(account), limit, offset],
    );
    return rows.map(walletRow);
  }

  async listUsageKeys(account: Hex32, page: Page): Promise<UsageKeyRow[]> {
    const [limit, offset] = pageArgs(page);
    const rows = await this.db.query<UsageKeyDb>(`${USAGE_KEY_SELECT} WHERE k.account = $1 ORDER BY k.pos LIMIT $2 OFFSET $3`, [
      toHex32(account),
      limit,
      offset,
    ]);
    return rows.map(usageKeyRow);
  }

  // ---- beyond IndexReader

  /** Actions a group lists (as listActionsInGroup: the wildcard 0 appears with empty metadata). */
  async listActionsInGroup(account: Hex32, groupId: Uint, page: Page): Promise<ActionRow[]> {
    const [limit, offset] = pageArgs(page);
    const acct = toHex32(account);
    const rows = await this.db.query<{ cid: string; name: string | null; description: string | null }>(
      `SELECT c.cid, a.name, a.description FROM group_cids c
       LEFT JOIN actions a ON a.account = $1 AND a.cid = c.cid
       WHERE c.group_id = $2 ORDER BY c.pos LIMIT $3 OFFSET $4`,
      [acct, toUint(groupId), limit, offset],
    );
    return rows.map((r) => ({ account: acct, cid: r.cid, name: r.name ?? "", description: r.description ?? "" }));
  }

  /** Wallets a group lists (as listWalletsInGroup: the wildcard address(0) appears with derivation 0). */
  async listWalletsInGroup(account: Hex32, groupId: Uint, page: Page): Promise<WalletRow[]> {
    const [limit, offset] = pageArgs(page);
    const acct = toHex32(account);
    const rows = await this.db.query<{
      wallet: string;
      derivation: string | null;
      name: string | null;
      description: string | null;
    }>(
      `SELECT g.wallet, w.derivation, w.name, w.description FROM group_wallets g
       LEFT JOIN wallets w ON w.pkp = g.wallet
       WHERE g.group_id = $1 ORDER BY g.pos LIMIT $2 OFFSET $3`,
      [toUint(groupId), limit, offset],
    );
    return rows.map((r) => ({
      pkp: r.wallet,
      account: acct,
      derivation: r.derivation ?? "0",
      name: r.name ?? "",
      description: r.description ?? "",
    }));
  }

  /** The balance kept on-chain for `hash` (a master or usage key hash, as apiKeyBalance keys it). */
  async balance(hash: Hex32): Promise<Uint> {
    const row = await this.db.one<{ amount: string }>("SELECT amount FROM balances WHERE hash = $1", [toHex32(hash)]);
    return row?.amount ?? "0";
  }

  /** All account master hashes in creation order (indexToAccountHashAt). */
  async accountHashes(): Promise<Hex32[]> {
    return (await this.db.query<{ master: string }>("SELECT master FROM accounts ORDER BY pos")).map((r) => r.master);
  }

  async config(): Promise<IndexedConfig> {
    const rows = await this.db.query<{ item: string; val: string }>("SELECT item, val FROM config");
    const m = new Map(rows.map((r) => [r.item, r.val]));
    const addr = (k: string): Address | null => m.get(k) ?? null;
    return {
      owner: addr("owner"),
      apiPayers: JSON.parse(m.get("apiPayers") ?? "[]") as Address[],
      adminApiPayer: addr("adminApiPayer"),
      configOperator: addr("configOperator"),
      pricingOperator: addr("pricingOperator"),
      requestedApiPayerCount: m.get("requestedApiPayerCount") ?? "0",
      rebalanceAmount: m.get("rebalanceAmount") ?? "0",
      initializedVersion: m.get("initializedVersion") ?? "0",
    };
  }

  /** Node configuration entries in the contract's key order (nodeConfigurationValues). */
  async nodeConfiguration(): Promise<NodeConfigEntry[]> {
    const rows = await this.db.query<{ item: string; val: string }>("SELECT item, val FROM node_config ORDER BY pos");
    return rows.map((r) => ({ key: r.item, value: r.val }));
  }

  /** Pricing entries in the order the items were first set (pricingItemIds / pricingAt). */
  async pricing(): Promise<PricingEntry[]> {
    const rows = await this.db.query<{ item_id: string; price: string }>("SELECT item_id, price FROM pricing ORDER BY pos");
    return rows.map((r) => ({ itemId: r.item_id, price: r.price }));
  }
}

export { ZERO32 };
