/**
 * The query side of the index: the reads the services use (IndexReader of ../ports, plus lists
 * inside groups, balances, configuration). Lists keep the contract's order (the `pos` columns the
 * projection maintains, projection/sets.ts).
 *
 * While the indexer has stopped on a reorg deeper than the reorg window, the index may hold rows
 * the chain no longer has: `markUnavailable(reason)` makes every read throw IndexUnavailableError
 * (the services answer 503) until the index is rebuilt, so nothing is served as true that is not.
 */
import {
  IndexUnavailableError,
  type AccountRow,
  type ActionRow,
  type Address,
  type BindingRow,
  type CredentialRows,
  type GroupMembership,
  type GroupRow,
  type GroupSummary,
  type Hash32,
  type HashKind,
  type IndexReader,
  type Page,
  type Uint,
  type UsageKeyRow,
  type WalletRow,
} from "../ports";

export { IndexUnavailableError };
import type { Db, Dialect, QueryOptions } from "./db";
import { toAddress, toUint } from "./projection/values";
import { toHash32 } from "../../core/hashing";

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

/**
 * The group lists of usage keys, parsed once per distinct JSON text: a key is read on every request
 * it authenticates (credential), and parsing its four lists of up to 50 ids each time was ~5 KB of
 * garbage per request (bench/results/scale.md, "The SQLite tail"). The arrays are frozen (they are
 * shared between reads; nothing writes to them). Keyed by the text itself, so a changed list is a
 * new entry; at most PARSED_LISTS_MAX texts are kept, the oldest dropped first.
 */
const parsedLists = new Map<string, Uint[]>();
const PARSED_LISTS_MAX = 1_000;

function groupList(text: string): Uint[] {
  let list = parsedLists.get(text);
  if (list === undefined) {
    list = Object.freeze(JSON.parse(text) as Uint[]) as Uint[];
    if (parsedLists.size >= PARSED_LISTS_MAX) parsedLists.delete(parsedLists.keys().next().value as string);
    parsedLists.set(text, list);
  }
  return list;
}

function usageKeyRow(r: UsageKeyDb): UsageKeyRow {
  const list = groupList;
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

/** One row of IndexQueries.credential: the binding, its account (LEFT JOIN) and a usage key's row with its balance. */
const CREDENTIAL_SELECT = `
  SELECT b.hash AS b_hash, b.master AS b_master, b.kind AS b_kind,
         a.master, a.managed, a.admin, a.name, a.description, a.master_is_admin_alias, a.master_wallet,
         k.hash AS k_hash, k.account AS k_account, k.name AS k_name, k.description AS k_description,
         k.expiration, k.create_groups, k.delete_groups, k.create_pkps, k.manage_ipfs, k.add_pkp,
         k.remove_pkp, k.execute_in, kb.amount
  FROM bindings b
  LEFT JOIN accounts a ON a.master = b.master
  LEFT JOIN usage_keys k ON b.kind = 'UsageKey' AND k.hash = b.hash
  LEFT JOIN balances kb ON kb.hash = k.hash
  WHERE b.hash = $1 AND b.kind <> 'RemovedUsageKey'`;

type CredentialDb = { b_hash: string; b_master: string; b_kind: string } & {
  [K in keyof AccountDb]: AccountDb[K] | null;
} & { k_hash: string | null; k_account: string; k_name: string; k_description: string } & Omit<
    UsageKeyDb,
    "hash" | "account" | "name" | "description"
  >;

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

/**
 * A page as a range of set positions: [first, first + size). The `pos` columns hold every set's
 * members at positions 0..n-1 with no hole (projection/sets.ts keeps EnumerableSet's order: add
 * appends, remove moves the last member into the hole), so page k is the rows with
 * k*size <= pos < (k+1)*size, found by a seek on the (scope, pos) index: a deep page costs what the
 * first one does, unlike LIMIT/OFFSET, which walks every row before the page.
 */
/** A boolean column (SQLite: 0/1; Postgres: true/false). */
const flag = (v: unknown): boolean => v === true || Number(v) === 1;

const ZERO_HASH = `0x${"0".repeat(64)}`;
const ZERO_ADDRESS = `0x${"0".repeat(40)}`;

/** What IndexReader.groupMembership answers for one group. */

function pageRange(page: Page): [number, number] {
  const size = Math.max(0, Math.floor(page.pageSize));
  const number = Math.max(0, Math.floor(page.pageNumber));
  return [number * size, number * size + size];
}

/** The reads below have fixed texts: prepared statements on Postgres (db.ts QueryOptions). */
const PREPARED: QueryOptions = { prepare: true };

const membershipTexts = new Map<string, string>();

/**
 * groupMembership's statement for the member tests asked for (a cid: `$1`, then the zero hash `$2`;
 * a wallet: the next two parameters, then the zero address) over the group ids of its last
 * parameter. It reads only the list entries that match: a seek per (group, member) on the lists'
 * primary keys, and the group's row for a match only, so a group that lists nothing asked about
 * costs its seeks and no row (the earlier form fetched every group's row and tested each with
 * EXISTS; with 50 ids it cost Postgres 4x the server time and the relayer 3x the client time of
 * this one: bench/results/scale.md, "Round trips per probe"). The ids go as ONE parameter, a
 * Postgres text[] literal or, on SQLite, a JSON array: a list of 50 parameters cost Postgres more
 * than the reads. A cid row also carries the CID wildcard's admission test (the cid is an action of
 * the group's account, LibAccess.groupPermitsAction), one more seek for a matching row only.
 */
function membershipSql(dialect: Dialect, withCid: boolean, withWallet: boolean, oneId: boolean): string {
  const key = `${dialect}:${withCid}:${withWallet}:${oneId}`;
  let text = membershipTexts.get(key);
  if (text === undefined) {
    const idsParam = `$${(withCid ? 2 : 0) + (withWallet ? 2 : 0) + 1}`;
    // One id (the write pre-checks of one group) as a plain parameter: Postgres plans an array
    // parameter of one element anew on every call (its custom plan looks cheaper than the generic).
    const inIds = (column: string): string =>
      oneId
        ? `${column} = ${idsParam}`
        : dialect === "postgres"
          ? `${column} = ANY(${idsParam}::text[])`
          : `${column} IN (SELECT value FROM json_each(${idsParam}))`;
    const parts: string[] = [];
    if (withCid) {
      parts.push(`SELECT x.group_id AS id, g.account, 'c' AS t, x.cid AS m,
           EXISTS (SELECT 1 FROM actions r WHERE r.account = g.account AND r.cid = $1) AS reg
         FROM group_cids x JOIN account_groups g ON g.id = x.group_id
         WHERE x.cid IN ($1, $2) AND ${inIds("x.group_id")}`);
    }
    if (withWallet) {
      const w = withCid ? 3 : 1;
      parts.push(`SELECT y.group_id AS id, g.account, 'w' AS t, y.wallet AS m, false AS reg
         FROM group_wallets y JOIN account_groups g ON g.id = y.group_id
         WHERE y.wallet IN ($${w}, $${w + 1}) AND ${inIds("y.group_id")}`);
    }
    text = parts.join("\n         UNION ALL\n         ");
    membershipTexts.set(key, text);
  }
  return text;
}

/** groupMembership's id list as one parameter (decimal ids: no quoting in either form; one id as itself). */
const idListParam = (dialect: Dialect, ids: readonly string[]): string =>
  ids.length === 1 ? ids[0] : dialect === "postgres" ? `{${ids.join(",")}}` : JSON.stringify(ids);

export class IndexQueries implements IndexReader {
  private unavailable: string | null = null;

  constructor(protected readonly db: Db) {}

  /** Refuse every read with IndexUnavailableError (reason) / serve again (null). */
  markUnavailable(reason: string | null): void {
    this.unavailable = reason;
  }

  /** Why reads are refused, or null. */
  get unavailableReason(): string | null {
    return this.unavailable;
  }

  private check(): void {
    if (this.unavailable !== null) throw new IndexUnavailableError(this.unavailable);
  }

  async indexedBlock(): Promise<number> {
    const row = await this.db.one<{ block: number }>("SELECT block FROM index_cursor WHERE id = 1", [], PREPARED);
    return row ? Number(row.block) : -1;
  }

  async binding(hash: Hash32): Promise<BindingRow | null> {
    this.check();
    const row = await this.db.one<BindingDb>("SELECT hash, master, kind FROM bindings WHERE hash = $1", [toHash32(hash)], PREPARED);
    return row ? { hash: row.hash, master: row.master, kind: row.kind as HashKind } : null;
  }

  async resolve(hash: Hash32): Promise<BindingRow | null> {
    this.check();
    const b = await this.binding(hash);
    return b && b.kind !== "RemovedUsageKey" ? b : null;
  }

  async credential(hash: Hash32): Promise<CredentialRows | null> {
    this.check();
    const r = await this.db.one<CredentialDb>(CREDENTIAL_SELECT, [toHash32(hash)], PREPARED);
    if (!r) return null;
    const { master, managed, admin, name, description, master_is_admin_alias, master_wallet } = r;
    return {
      binding: { hash: r.b_hash, master: r.b_master, kind: r.b_kind as HashKind },
      account:
        master === null || managed === null || admin === null || name === null || description === null || master_is_admin_alias === null
          ? null
          : accountRow({ master, managed, admin, name, description, master_is_admin_alias, master_wallet }),
      usageKey:
        r.k_hash === null
          ? null
          : usageKeyRow({ ...r, hash: r.k_hash, account: r.k_account, name: r.k_name, description: r.k_description }),
    };
  }

  async account(master: Hash32): Promise<AccountRow | null> {
    this.check();
    const row = await this.db.one<AccountDb>(
      "SELECT master, managed, admin, name, description, master_is_admin_alias, master_wallet FROM accounts WHERE master = $1",
      [toHash32(master)],
      PREPARED,
    );
    return row ? accountRow(row) : null;
  }

  async usageKey(hash: Hash32): Promise<UsageKeyRow | null> {
    this.check();
    const row = await this.db.one<UsageKeyDb>(`${USAGE_KEY_SELECT} WHERE k.hash = $1`, [toHash32(hash)], PREPARED);
    return row ? usageKeyRow(row) : null;
  }

  async group(id: Uint): Promise<GroupRow | null> {
    this.check();
    const gid = toUint(id);
    const row = await this.db.one<GroupDb>("SELECT id, account, name, description FROM account_groups WHERE id = $1", [gid], PREPARED);
    if (!row) return null;
    const cids = await this.db.query<{ cid: string }>("SELECT cid FROM group_cids WHERE group_id = $1 ORDER BY pos", [gid], PREPARED);
    const wallets = await this.db.query<{ wallet: string }>(
      "SELECT wallet FROM group_wallets WHERE group_id = $1 ORDER BY pos",
      [gid],
      PREPARED,
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
    return this.walletWhere("pkp", () => toAddress(pkp));
  }

  async walletByDerivation(derivation: Uint): Promise<WalletRow | null> {
    return this.walletWhere("derivation", () => toUint(derivation));
  }

  /**
   * The wallet whose key column (pkp or derivation, each unique) holds `value()`; an unavailable
   * index is reported before a malformed value, as by every other read.
   */
  private async walletWhere(column: "pkp" | "derivation", value: () => string): Promise<WalletRow | null> {
    this.check();
    const row = await this.db.one<WalletDb>(
      `SELECT pkp, account, derivation, name, description FROM wallets WHERE ${column} = $1`,
      [value()],
      PREPARED,
    );
    return row ? walletRow(row) : null;
  }

  async action(account: Hash32, cid: Hash32): Promise<ActionRow | null> {
    this.check();
    const row = await this.db.one<ActionDb>(
      "SELECT account, cid, name, description FROM actions WHERE account = $1 AND cid = $2",
      [toHash32(account), toHash32(cid)],
      PREPARED,
    );
    return row ?? null;
  }

  async groupAccount(id: Uint): Promise<Hash32 | null> {
    this.check();
    const row = await this.db.one<{ account: string }>("SELECT account FROM account_groups WHERE id = $1", [toUint(id)], PREPARED);
    return row?.account ?? null;
  }

  async listGroups(account: Hash32, page: Page): Promise<GroupSummary[]> {
    return this.accountPage<Omit<GroupDb, "account">, GroupSummary>(
      "SELECT id, name, description FROM account_groups WHERE account = $1 AND pos >= $2 AND pos < $3 ORDER BY pos",
      account,
      page,
      (r, acct) => ({ id: r.id, account: acct, name: r.name, description: r.description }),
    );
  }

  async listActions(account: Hash32, page: Page): Promise<ActionRow[]> {
    return this.accountPage<Omit<ActionDb, "account">, ActionRow>(
      "SELECT cid, name, description FROM actions WHERE account = $1 AND pos >= $2 AND pos < $3 ORDER BY pos",
      account,
      page,
      (r, acct) => ({ account: acct, cid: r.cid, name: r.name, description: r.description }),
    );
  }

  async listWallets(account: Hash32, page: Page): Promise<WalletRow[]> {
    return this.accountPage<Omit<WalletDb, "account">, WalletRow>(
      "SELECT pkp, derivation, name, description FROM wallets WHERE account = $1 AND pos >= $2 AND pos < $3 ORDER BY pos",
      account,
      page,
      (r, acct) => ({ pkp: r.pkp, account: acct, derivation: r.derivation, name: r.name, description: r.description }),
    );
  }

  async listUsageKeys(account: Hash32, page: Page): Promise<UsageKeyRow[]> {
    return this.accountPage<UsageKeyDb, UsageKeyRow>(
      `${USAGE_KEY_SELECT} WHERE k.account = $1 AND k.pos >= $2 AND k.pos < $3 ORDER BY k.pos`,
      account,
      page,
      usageKeyRow,
    );
  }

  /**
   * One page of an account's list: `sql` takes the account ($1) and the page's position range
   * ($2 <= pos < $3). The account is the parameter, not read back per row (docs/relayer-latency.md,
   * "Read path CPU"): `row` gets it beside each row.
   */
  private async accountPage<D extends object, R>(sql: string, account: Hash32, page: Page, row: (r: D, account: string) => R): Promise<R[]> {
    this.check();
    const [from, to] = pageRange(page);
    const acct = toHash32(account);
    const rows = await this.db.query<D>(sql, [acct, from, to], PREPARED);
    return rows.map((r) => row(r, acct));
  }

  /**
   * Actions a group lists (as listActionsInGroup: the wildcard 0 appears with empty metadata); null
   * when the group is not `account`'s. One statement: the group's row, then its page (LEFT JOIN: a
   * group with an empty page gives one row without a member).
   */
  async listActionsInGroup(account: Hash32, groupId: Uint, page: Page): Promise<ActionRow[] | null> {
    this.check();
    const [from, to] = pageRange(page);
    const acct = toHash32(account);
    const rows = await this.db.query<{ cid: string | null; name: string | null; description: string | null }>(
      `SELECT c.cid, a.name, a.description FROM account_groups g
       LEFT JOIN group_cids c ON c.group_id = g.id AND c.pos >= $3 AND c.pos < $4
       LEFT JOIN actions a ON a.account = $1 AND a.cid = c.cid
       WHERE g.id = $2 AND g.account = $1 ORDER BY c.pos`,
      [acct, toUint(groupId), from, to],
      PREPARED,
    );
    if (rows.length === 0) return null;
    const out: ActionRow[] = [];
    for (const r of rows) if (r.cid !== null) out.push({ account: acct, cid: r.cid, name: r.name ?? "", description: r.description ?? "" });
    return out;
  }

  /**
   * Wallets a group lists (as listWalletsInGroup: the wildcard address(0) appears with derivation
   * 0); null when the group is not `account`'s. One statement, as listActionsInGroup.
   */
  async listWalletsInGroup(account: Hash32, groupId: Uint, page: Page): Promise<WalletRow[] | null> {
    this.check();
    const [from, to] = pageRange(page);
    const acct = toHash32(account);
    const rows = await this.db.query<{
      wallet: string | null;
      derivation: string | null;
      name: string | null;
      description: string | null;
    }>(
      `SELECT m.wallet, w.derivation, w.name, w.description FROM account_groups g
       LEFT JOIN group_wallets m ON m.group_id = g.id AND m.pos >= $3 AND m.pos < $4
       LEFT JOIN wallets w ON w.pkp = m.wallet
       WHERE g.id = $2 AND g.account = $1 ORDER BY m.pos`,
      [acct, toUint(groupId), from, to],
      PREPARED,
    );
    if (rows.length === 0) return null;
    const out: WalletRow[] = [];
    for (const r of rows) {
      if (r.wallet === null) continue;
      out.push({ pkp: r.wallet, account: acct, derivation: r.derivation ?? "0", name: r.name ?? "", description: r.description ?? "" });
    }
    return out;
  }

  async groupMembership(ids: readonly Uint[], cid: Hash32 | null, wallet: Address | null): Promise<GroupMembership[]> {
    this.check();
    const unique = [...new Set(ids.map((id) => toUint(id)))];
    if (unique.length === 0 || (cid === null && wallet === null)) return [];
    const askedCid = cid === null ? null : toHash32(cid);
    const askedWallet = wallet === null ? null : toAddress(wallet);
    // The members asked about, in membershipSql's parameter order, then the ids.
    const params = [
      ...(askedCid === null ? [] : [askedCid, ZERO_HASH]),
      ...(askedWallet === null ? [] : [askedWallet, ZERO_ADDRESS]),
      idListParam(this.db.dialect, unique),
    ];
    const rows = await this.db.query<{ id: string; account: string; t: string; m: string; reg: unknown }>(
      membershipSql(this.db.dialect, askedCid !== null, askedWallet !== null, unique.length === 1),
      params,
      PREPARED,
    );
    const byGroup = new Map<string, GroupMembership>();
    for (const r of rows) {
      let g = byGroup.get(r.id);
      if (g === undefined) {
        g = { id: r.id, account: r.account, cid: false, anyCid: false, anyCidRegistered: false, wallet: false, anyWallet: false };
        byGroup.set(r.id, g);
      }
      if (r.t === "c") {
        if (r.m === askedCid) g.cid = true;
        if (r.m === ZERO_HASH) {
          g.anyCid = true;
          g.anyCidRegistered = flag(r.reg);
        }
      } else {
        if (r.m === askedWallet) g.wallet = true;
        if (r.m === ZERO_ADDRESS) g.anyWallet = true;
      }
    }
    return [...byGroup.values()];
  }

  // ---- beyond IndexReader

  /** The balance kept on-chain for `hash` (a master or usage key hash, as apiKeyBalance keys it). */
  async balance(hash: Hash32): Promise<Uint> {
    this.check();
    const row = await this.db.one<{ amount: string }>("SELECT amount FROM balances WHERE hash = $1", [toHash32(hash)], PREPARED);
    return row?.amount ?? "0";
  }

  /** All account master hashes in creation order (indexToAccountHashAt). */
  async accountHashes(): Promise<Hash32[]> {
    this.check();
    return (await this.db.query<{ master: string }>("SELECT master FROM accounts ORDER BY pos", [], PREPARED)).map((r) => r.master);
  }

  async config(): Promise<IndexedConfig> {
    this.check();
    const rows = await this.db.query<{ item: string; val: string }>("SELECT item, val FROM config", [], PREPARED);
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
    this.check();
    const rows = await this.db.query<{ item: string; val: string }>("SELECT item, val FROM node_config ORDER BY pos", [], PREPARED);
    return rows.map((r) => ({ key: r.item, value: r.val }));
  }

  /** Pricing entries in the order the items were first set (pricingItemIds / pricingAt). */
  async pricing(): Promise<PricingEntry[]> {
    this.check();
    const rows = await this.db.query<{ item_id: string; price: string }>("SELECT item_id, price FROM pricing ORDER BY pos", [], PREPARED);
    return rows.map((r) => ({ itemId: r.item_id, price: r.price }));
  }
}
