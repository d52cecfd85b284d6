/**
 * Shared set-up of the relayer backend tests: one store per test on SQLite (temp dir) or Postgres
 * (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test, one fresh schema per store,
 * dropped afterwards), the in-process Hardhat chain as RPC, and the Hardhat dev keys as payers.
 */
import fs from "fs";
import os from "os";
import path from "path";
import { ethers, network } from "hardhat";
import { Client } from "pg";
import type { IAccountConfig } from "../../typechain-types";
import { startChain, type Chain, type ChainOptions, type RpcLike } from "../../src/relayer/chain";
import { openStore, type Store } from "../../src/relayer/store";
import type { Address, Hash32 } from "../../src/relayer/ports";
import { skipBecause } from "../fixtures/skips";

export const PG_URL = process.env.DATABASE_URL?.trim() || "postgres://postgres@127.0.0.1:5432/test";
const MNEMONIC = "test test test test test test test test test test test junk";

/** Private key of Hardhat dev account `i`. */
export function devKey(i: number): string {
  return ethers.HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`).privateKey;
}

export type BackendName = "sqlite" | "postgres";
export const BACKENDS: readonly BackendName[] = ["sqlite", "postgres"];

let pgProblem: string | null | undefined;

/** Null when Postgres at PG_URL takes a query, else why not (no server, no such user or database...). */
export async function postgresProblem(): Promise<string | null> {
  if (pgProblem !== undefined) return pgProblem;
  const c = new Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query("SELECT 1");
    pgProblem = null;
  } catch (err) {
    pgProblem = `no usable Postgres at ${PG_URL} (${(err as Error).message || String(err)}); set DATABASE_URL to run the Postgres variants`;
  } finally {
    await c.end().catch(() => undefined);
  }
  return pgProblem;
}

export async function postgresAvailable(): Promise<boolean> {
  return (await postgresProblem()) === null;
}

/** Skips the current suite or test, saying why, when Postgres at PG_URL is not usable. */
export async function skipWithoutPostgres(ctx: Mocha.Context): Promise<void> {
  const problem = await postgresProblem();
  if (problem !== null) skipBecause(ctx, "postgres", problem);
}

const runId = `${process.pid}_${Date.now().toString(36)}`;
let counter = 0;

export interface TestStore {
  store: Store;
  /** Opens a second handle on the same database (a restarted relayer). */
  reopen(): Promise<Store>;
  cleanup(): Promise<void>;
}

export async function makeStore(backend: BackendName): Promise<TestStore> {
  const opened: Store[] = [];
  if (backend === "sqlite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "relayer-backend-"));
    const open = async (): Promise<Store> => {
      const s = await openStore({ dataDir: dir });
      opened.push(s);
      return s;
    };
    return {
      store: await open(),
      reopen: open,
      cleanup: async () => {
        for (const s of opened) await s.close().catch(() => undefined);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `relayer_test_${runId}_${++counter}`;
  const open = async (): Promise<Store> => {
    const s = await openStore({ dataDir: os.tmpdir(), databaseUrl: PG_URL, schema });
    opened.push(s);
    return s;
  };
  return {
    store: await open(),
    reopen: open,
    cleanup: async () => {
      for (const s of opened) await s.close().catch(() => undefined);
      const c = new Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    },
  };
}

/** Skips the current suite/test, saying why, when the backend is Postgres and it is not usable. */
export async function skipUnlessAvailable(ctx: Mocha.Context, backend: BackendName): Promise<void> {
  if (backend === "postgres") await skipWithoutPostgres(ctx);
}

/**
 * A fresh store of `backend` for every test of the describe block that calls this: opened before
 * each test (skipped, saying why, when the backend is not usable), cleaned up after it. Returns
 * the accessor of the current test's store.
 */
export function storePerTest(backend: BackendName): () => TestStore {
  return perTest(backend, async () => undefined);
}

/** storePerTest, with `beforeCleanup` run after each test before the store is cleaned up. */
function perTest(backend: BackendName, beforeCleanup: () => Promise<void>): () => TestStore {
  let ts: TestStore | null = null;
  beforeEach(async function () {
    await skipUnlessAvailable(this, backend);
    ts = await makeStore(backend);
  });
  afterEach(async () => {
    try {
      await beforeCleanup();
    } finally {
      await ts?.cleanup();
      ts = null;
    }
  });
  return () => {
    if (!ts) throw new Error("no store: the per-test accessor is called outside a test");
    return ts;
  };
}

/** The current test's store and chain layer, see chainPerTest. */
export interface ChainPerTest {
  /** The current test's store. */
  store(): Store;
  /** The current test's store with its reopen / cleanup handles. */
  testStore(): TestStore;
  /** Makes `chain` the current test's chain, stopped after the test (before its store is cleaned up); returns it. */
  keep(chain: Chain): Chain;
  /** The chain kept for the current test. */
  chain(): Chain;
}

/**
 * storePerTest for tests that start a chain layer on the store: the chain a test `keep`s is
 * stopped after it, then the store is cleaned up (a running chain would write to a dropped store).
 */
export function chainPerTest(backend: BackendName): ChainPerTest {
  let current: Chain | null = null;
  const ts = perTest(backend, async () => {
    const c = current;
    current = null;
    await c?.stop();
  });
  return {
    store: () => ts().store,
    testStore: ts,
    keep: (chain) => {
      current = chain;
      return chain;
    },
    chain: () => {
      if (!current) throw new Error("no chain: the test has not kept one");
      return current;
    },
  };
}

/** An RPC wrapper that can simulate a dead node (every call, or chosen methods). */
export class FlakyRpc implements RpcLike {
  down = false;
  readonly failing = new Set<string>();
  readonly calls: string[] = [];
  /** Runs before each call; may throw (a node error) or delay it. */
  before: ((method: string, params: unknown[]) => Promise<void>) | null = null;
  /** Canned results by method (e.g. a fixed eth_estimateGas that skips the pre-flight check). */
  readonly fake = new Map<string, unknown>();
  constructor(private readonly inner: RpcLike) {}
  async send(method: string, params: unknown[]): Promise<unknown> {
    this.calls.push(method);
    if (this.down || this.failing.has(method)) {
      throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8545"), { code: "ECONNREFUSED" });
    }
    if (this.before) await this.before(method, params);
    if (this.fake.has(method)) return this.fake.get(method);
    return this.inner.send(method, params);
  }
}

export const hardhatRpc = (): RpcLike => ethers.provider;

export function chainOptions(diamondAddress: string, extra: Partial<ChainOptions> = {}): ChainOptions {
  return {
    provider: hardhatRpc(),
    diamondAddress,
    payerKeys: [devKey(4), devKey(5)],
    adminPayerKey: devKey(3),
    pollIntervalMs: 20,
    stuckAfterMs: 60_000,
    writeTimeoutMs: 20_000,
    balanceCheckIntervalMs: 0,
    ...extra,
  };
}

export async function start(store: Store, diamondAddress: string, extra: Partial<ChainOptions> = {}): Promise<Chain> {
  return startChain(store, chainOptions(diamondAddress, extra));
}

export async function setAutomine(on: boolean): Promise<void> {
  await network.provider.send("evm_setAutomine", [on]);
}

export async function mine(): Promise<void> {
  await network.provider.send("evm_mine", []);
}

/** Polls `cond` every 10 ms until it holds (or fails after `ms`). */
export async function until(cond: () => Promise<boolean> | boolean, ms = 10_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const h = (label: string): Hash32 => ethers.id(label).toLowerCase();
export const lower = (a: string): Address => a.toLowerCase();
export const ZERO_ADDRESS = ethers.ZeroAddress;

/** Rejection of a promise, or a failure when it resolves. */
export async function rejectionOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a rejection");
}

// ------------------------------------------------------------------ state snapshots

const hex32 = (v: bigint): string => `0x${v.toString(16).padStart(64, "0")}`;

export interface Snapshot {
  accounts: unknown[];
  bindings: Record<string, unknown>;
  balances: Record<string, string>;
  accountHashes: string[];
  config: Record<string, unknown>;
}

/** The state of `accounts` (and the bindings/balances of `hashes`) as the contract views show it. */
export async function chainSnapshot(diamond: IAccountConfig, accounts: string[], hashes: string[]): Promise<Snapshot> {
  const out: Snapshot = { accounts: [], bindings: {}, balances: {}, accountHashes: [], config: {} };
  for (const acct of accounts) {
    const info = await diamond.getAccount(acct);
    const groups = await diamond.listGroups(acct, 0, 100);
    const groupDetail = [];
    for (const g of groups) {
      const c = await diamond.listGroupContents(acct, g.id);
      groupDetail.push({
        id: g.id.toString(),
        name: g.name,
        description: g.description,
        cids: c.cidHash.map(hex32),
        wallets: c.pkpId.map((a) => a.toLowerCase()),
      });
    }
    const actions = (await diamond.listActions(acct, 0, 100)).map((a) => ({
      cid: hex32(a.id),
      name: a.name,
      description: a.description,
    }));
    const wallets = (await diamond.listPkps(acct, 0, 100)).map((w) => ({
      pkp: w.pkpId.toLowerCase(),
      derivation: w.id.toString(),
      name: w.name,
      description: w.description,
    }));
    const keys = (await diamond.listApiKeys(acct, 0, 100)).map((k) => ({
      hash: hex32(k.apiKeyHash),
      name: k.metadata.name,
      description: k.metadata.description,
      expiration: k.expiration.toString(),
      balance: k.balance.toString(),
      createGroups: k.createGroups,
      deleteGroups: k.deleteGroups,
      createPKPs: k.createPKPs,
      manageIPFSIdsInGroups: k.manageIPFSIdsInGroups.map(String),
      addPkpToGroups: k.addPkpToGroups.map(String),
      removePkpFromGroups: k.removePkpFromGroups.map(String),
      executeInGroups: k.executeInGroups.map(String),
    }));
    out.accounts.push({
      master: hex32(info.masterApiKeyHash),
      managed: info.managed,
      admin: info.adminWalletAddress.toLowerCase(),
      name: info.name,
      description: info.description,
      masterIsAdminAlias: info.masterIsAdminAlias,
      masterWallet: info.masterWallet === ethers.ZeroAddress ? null : info.masterWallet.toLowerCase(),
      groups: groupDetail,
      actions,
      wallets,
      keys,
    });
  }
  const kinds = ["None", "Master", "UsageKey", "AdminAlias", "RemovedUsageKey"];
  for (const hash of hashes) {
    const [master, kind] = await diamond.resolveApiKeyHash(hash);
    out.bindings[hash] = kind === 0n ? null : { kind: kinds[Number(kind)], master: master === 0n ? null : hex32(master) };
    out.balances[hash] = (await diamond.apiKeyBalance(hash).catch(() => 0n)).toString();
  }
  const n = await diamond.accountCount();
  for (let i = 0n; i < n; i++) out.accountHashes.push(hex32(await diamond.indexToAccountHashAt(i)));
  const ids = await diamond.pricingItemIds();
  out.config = {
    owner: (await diamond.owner()).toLowerCase(),
    apiPayers: (await diamond.api_payers()).map((a) => a.toLowerCase()),
    adminApiPayer: (await diamond.adminApiPayerAccount()).toLowerCase(),
    configOperator: (await diamond.configOperator()).toLowerCase(),
    pricingOperator: (await diamond.pricingOperator()).toLowerCase(),
    requestedApiPayerCount: (await diamond.requestedApiPayerCount()).toString(),
    rebalanceAmount: (await diamond.rebalanceAmount()).toString(),
    nodeConfig: (await diamond.nodeConfigurationValues()).map((kv) => ({ key: kv.key, value: kv.value })),
    pricing: await Promise.all(ids.map(async (id) => ({ itemId: id.toString(), price: (await diamond.getPricing(id)).toString() }))),
  };
  return out;
}

/** The same snapshot, built from the index only. */
export async function indexSnapshot(store: Store, accounts: string[], hashes: string[]): Promise<Snapshot> {
  const index = store.index;
  const out: Snapshot = { accounts: [], bindings: {}, balances: {}, accountHashes: [], config: {} };
  const page = { pageNumber: 0, pageSize: 100 };
  for (const acct of accounts) {
    const b = await index.resolve(acct);
    if (!b) throw new Error(`index: ${acct} does not resolve`);
    const a = await index.account(b.master);
    if (!a) throw new Error(`index: no account ${b.master}`);
    const groups = [];
    for (const g of await index.listGroups(b.master, page)) {
      const full = await index.group(g.id);
      groups.push({ id: g.id, name: g.name, description: g.description, cids: full?.cids ?? [], wallets: full?.wallets ?? [] });
    }
    const actions = (await index.listActions(b.master, page)).map((x) => ({ cid: x.cid, name: x.name, description: x.description }));
    const wallets = (await index.listWallets(b.master, page)).map((w) => ({
      pkp: w.pkp,
      derivation: w.derivation,
      name: w.name,
      description: w.description,
    }));
    const keys = (await index.listUsageKeys(b.master, page)).map((k) => ({
      hash: k.hash,
      name: k.name,
      description: k.description,
      expiration: k.expiration,
      balance: k.balance,
      createGroups: k.createGroups,
      deleteGroups: k.deleteGroups,
      createPKPs: k.createPKPs,
      manageIPFSIdsInGroups: k.manageIPFSIdsInGroups,
      addPkpToGroups: k.addPkpToGroups,
      removePkpFromGroups: k.removePkpFromGroups,
      executeInGroups: k.executeInGroups,
    }));
    out.accounts.push({ ...a, groups, actions, wallets, keys });
  }
  for (const hash of hashes) {
    const b = await index.binding(hash);
    out.bindings[hash] = b === null ? null : { kind: b.kind, master: b.kind === "RemovedUsageKey" ? null : b.master };
    const resolved = await index.resolve(hash);
    // apiKeyBalance(hash): a usage key's own balance, any other bound hash its master's.
    const key = resolved === null ? hash : resolved.kind === "UsageKey" ? hash : resolved.master;
    out.balances[hash] = resolved === null ? "0" : await index.balance(key);
  }
  out.accountHashes = await index.accountHashes();
  const c = await index.config();
  out.config = {
    owner: c.owner,
    apiPayers: c.apiPayers,
    adminApiPayer: c.adminApiPayer,
    configOperator: c.configOperator,
    pricingOperator: c.pricingOperator,
    requestedApiPayerCount: c.requestedApiPayerCount,
    rebalanceAmount: c.rebalanceAmount,
    nodeConfig: await index.nodeConfiguration(),
    pricing: await index.pricing(),
  };
  return out;
}
