/**
 * The rehearsal's checks after the load:
 *  - chainCounts: how often each write of the ledger is on the canonical chain, read from the
 *    diamond straight at the node (not through the relayer): accounts by master hash, groups,
 *    usage keys and actions by their unique name, wallets by address;
 *  - indexDifference: the rows of the relayer's index tables that differ from an index rebuilt
 *    from the chain into a fresh database (compared as multisets of whole rows over the columns
 *    both databases have).
 */
import type Database from "better-sqlite3";
import type { JsonRpcProvider } from "ethers";
import { IAccountConfig__factory } from "../../typechain-types";
import type { WriteRecord } from "./load";

const PAGE = 100;

async function pages<T>(read: (page: number) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let page = 0; ; page++) {
    const items = await read(page);
    out.push(...items);
    if (items.length < PAGE) return out;
  }
}

export interface ChainTally {
  /** Answered writes found on the chain at least once. */
  onChain: number;
  /** Answered writes not on the chain. */
  lost: WriteRecord[];
  /** Writes never answered 200 (e.g. 503 "queued and will be applied") that are on the chain once. */
  unansweredOnChain: number;
  /** Writes (answered or not) found more than once. */
  duplicated: WriteRecord[];
  /**
   * Answered add_group writes whose group id on the canonical chain is not the one answered: a
   * write answered on inclusion and re-mined after a reorg in another order gets another id
   * (docs/finality.md: WRITE_CONFIRMATIONS when an answer must not change).
   */
  idChanged: WriteRecord[];
}

export async function chainCounts(provider: JsonRpcProvider, diamond: string, ledger: readonly WriteRecord[]): Promise<ChainTally> {
  const d = IAccountConfig__factory.connect(diamond, provider);
  const seen = new Map<string, number>(); // `${account}|${kind}|${tag}` -> count
  const key = (account: string, kind: string, tag: string) => `${BigInt(account)}|${kind}|${tag}`;
  const bump = (k: string) => seen.set(k, (seen.get(k) ?? 0) + 1);
  const groupIds = new Map<string, bigint>(); // key -> canonical group id
  const accounts = [...new Set(ledger.map((w) => w.account).filter((a): a is string => a !== null))];
  for (const account of accounts) {
    const master = BigInt(account);
    if (await d.accountExists(master)) {
      const info = await d.getAccount(master);
      bump(key(account, "new_account", info.name));
    }
    for (const g of await pages((p) => d.listGroups(master, p, PAGE))) {
      bump(key(account, "add_group", g.name));
      groupIds.set(key(account, "add_group", g.name), g.id);
    }
    for (const k of await pages((p) => d.listApiKeys(master, p, PAGE))) bump(key(account, "add_usage_api_key", k.metadata.name));
    for (const a of await pages((p) => d.listActions(master, p, PAGE))) bump(key(account, "add_action", a.name));
    for (const w of await pages((p) => d.listPkps(master, p, PAGE))) bump(key(account, "create_wallet", w.pkpId.toLowerCase()));
  }
  let onChain = 0;
  const lost: WriteRecord[] = [];
  const duplicated: WriteRecord[] = [];
  const idChanged: WriteRecord[] = [];
  let unansweredOnChain = 0;
  for (const w of ledger) {
    const k = w.account === null ? "" : key(w.account, w.kind, w.tag);
    const n = seen.get(k) ?? 0;
    if (n > 1) duplicated.push(w);
    if (!w.answered) {
      if (n === 1) unansweredOnChain++;
      continue;
    }
    const answeredId = w.answer?.group_id;
    const canonicalId = groupIds.get(k);
    if (w.kind === "add_group" && typeof answeredId === "string" && canonicalId !== undefined && BigInt(answeredId) !== canonicalId) {
      idChanged.push(w);
    }
    if (n >= 1) onChain++;
    else lost.push(w);
  }
  return { onChain, lost, duplicated, idChanged, unansweredOnChain };
}

/**
 * The index (projection) tables of the relayer's store (src/relayer/store/migrations.ts
 * 0001_index, less the cursor): what the list endpoints answer from. Relayer-local state (outbox,
 * payers, idempotency, billing, action code) is not derived from the chain and not compared.
 */
export const INDEX_TABLES = [
  "bindings",
  "accounts",
  "account_groups",
  "group_cids",
  "group_wallets",
  "actions",
  "wallets",
  "usage_keys",
  "balances",
  "config",
  "node_config",
  "pricing",
] as const;

export interface TableDifference {
  table: string;
  /** Rows only in the live index, rows only in the rebuilt one. */
  onlyLive: number;
  onlyRebuilt: number;
  sample: string[];
}

function columns(db: Database.Database, table: string): string[] {
  return (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
}

function rows(db: Database.Database, table: string, cols: string[]): Map<string, number> {
  const out = new Map<string, number>();
  const list = cols.map((c) => `"${c}"`).join(", ");
  for (const r of db.prepare(`SELECT ${list} FROM ${table}`).raw().all() as unknown[][]) {
    const k = JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}

/** Per index table, the rows that differ between the live index and the rebuilt one (empty: none). */
export function indexDifference(live: Database.Database, rebuilt: Database.Database): TableDifference[] {
  const out: TableDifference[] = [];
  for (const table of INDEX_TABLES) {
    const liveCols = columns(live, table);
    const rebuiltCols = new Set(columns(rebuilt, table));
    const cols = liveCols.filter((c) => rebuiltCols.has(c));
    if (cols.length === 0) continue;
    const a = rows(live, table, cols);
    const b = rows(rebuilt, table, cols);
    let onlyLive = 0;
    let onlyRebuilt = 0;
    const sample: string[] = [];
    for (const [k, n] of a) {
      const extra = n - (b.get(k) ?? 0);
      if (extra > 0) {
        onlyLive += extra;
        if (sample.length < 3) sample.push(`live only: ${k}`);
      }
    }
    for (const [k, n] of b) {
      const extra = n - (a.get(k) ?? 0);
      if (extra > 0) {
        onlyRebuilt += extra;
        if (sample.length < 6) sample.push(`rebuilt only: ${k}`);
      }
    }
    if (onlyLive + onlyRebuilt > 0) out.push({ table, onlyLive, onlyRebuilt, sample });
  }
  return out;
}
