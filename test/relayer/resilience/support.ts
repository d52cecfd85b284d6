/**
 * Shared set-up of the relayer resilience tests: a real chain (`hardhat node`) as a child process
 * on a free port, the diamond deployed to it with ethers (dev key 0, compiled artifacts; nothing is
 * written to deployments/), the relayer's derived api payers registered and funded (all three from
 * scripts/lib/local-chain), child-process relayers, and small HTTP helpers. Every child is started
 * in its own process group and killed by id (`stop()`), also when a test fails.
 */
import path from "path";
import { expect } from "chai";
import { artifacts } from "hardhat";
import { keccak256, toUtf8Bytes } from "ethers";
import {
  LOCAL_HOST,
  OPEN_RATE_LIMITS_ENV,
  devKey,
  childEnv,
  deployDiamondOverRpc,
  localProvider,
  relayerPayers,
  setUpRelayerPayers,
  startChild,
  startLocalChain,
  untilAnswers,
  type Child,
  type LocalChain,
  type RpcDeployment,
} from "../../../scripts/lib/local-chain";
import { requestJson, rpcCall } from "../../../scripts/lib/http-json";
import { Client } from "pg";
import { loadConfig, type RelayerConfig } from "../../../src/relayer/config";
import type { ChainOptions } from "../../../src/relayer/chain";
import { PG_URL } from "../support";

export { devKey, freePort, type Child } from "../../../scripts/lib/local-chain";
export { PG_URL, postgresAvailable, skipWithoutPostgres } from "../support";

export interface PgSchema {
  /** DATABASE_URL for a relayer child: PG_URL with search_path set to the schema. */
  databaseUrl: string;
  drop(): Promise<void>;
}

/** Creates a fresh Postgres schema for relayer children (dropped by `drop()`). */
export async function createPgSchema(name: string): Promise<PgSchema> {
  const sql = async (statement: string): Promise<void> => {
    const c = new Client({ connectionString: PG_URL });
    await c.connect();
    try {
      await c.query(statement);
    } finally {
      await c.end();
    }
  };
  await sql(`CREATE SCHEMA "${name}"`);
  const url = new URL(PG_URL);
  url.searchParams.set("options", `-c search_path=${name}`);
  return { databaseUrl: url.toString(), drop: () => sql(`DROP SCHEMA IF EXISTS "${name}" CASCADE`) };
}

export const ROOT = path.resolve(__dirname, "..", "..", "..");
export const HOST = LOCAL_HOST;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value other than undefined/false, or throws after timeoutMs. */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs: number,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    }
    await sleep(everyMs);
  }
}

// ------------------------------------------------------------------ child processes

export { rpcCall };

export type ChainNode = LocalChain;

/** `hardhat node` on a free port (scripts/lib/local-chain); resolves once it answers eth_chainId. */
export function startChainNode(): Promise<ChainNode> {
  return startLocalChain();
}

// ------------------------------------------------------------------ diamond + relayer config

export type Deployed = RpcDeployment;

/** A provider without ethers' network detection retries; call destroy() when done. */
export const providerFor = (url: string) => localProvider(url);

/** Deploys every facet, the initializer and the diamond from dev account 0 (the owner). */
export function deployDiamondTo(url: string): Promise<Deployed> {
  return deployDiamondOverRpc(url, artifacts);
}

/** A node with the diamond and one managed account (admin: the owner, dev 0). */
export interface NodeWithAccount {
  node: ChainNode;
  d: Deployed;
  /** The account's master hash: h(`label`). */
  account: string;
}

/** Starts a node, deploys the diamond and creates the managed account h(`label`) named `name`. */
export async function nodeWithAccount(label: string, name: string): Promise<NodeWithAccount> {
  const node = await startChainNode();
  const d = await deployDiamondTo(node.url);
  const account = keccak256(toUtf8Bytes(label));
  const owner = (await d.owner.getAddress()).toLowerCase();
  await (await d.diamond.connect(d.owner).newAccount(account, true, name, "", owner)).wait();
  return { node, d, account };
}

/** Stops what nodeWithAccount started (either may be unset when its start failed). */
export async function stopNode(x: Partial<NodeWithAccount>): Promise<void> {
  x.d?.provider.destroy();
  await x.node?.stop();
}

/**
 * nodeWithAccount for a describe: started by its `before` hook, stopped by its `after` hook; the
 * fields of the object returned are set once `before` ran.
 */
export function nodeWithAccountPerDescribe(label: string, name: string): NodeWithAccount {
  const x: Partial<NodeWithAccount> = {};
  before(async () => {
    Object.assign(x, await nodeWithAccount(label, name));
  });
  after(() => stopNode(x));
  return x as NodeWithAccount;
}

/**
 * The chain layer's options of the reorg tests: over HTTP to the node at `url`, one payer (dev 4),
 * indexing from the deployment, polls every 50 ms, one batch in flight; `extra` on top.
 */
export function reorgChainOptions(url: string, d: Deployed, extra: Partial<ChainOptions> = {}): ChainOptions {
  return {
    rpcUrl: url,
    diamondAddress: d.diamondAddress,
    payerKeys: [devKey(4)],
    adminPayerKey: devKey(3),
    startBlock: d.deployBlock,
    pollIntervalMs: 50,
    stuckAfterMs: 60_000,
    writeTimeoutMs: 60_000,
    balanceCheckIntervalMs: 0,
    batchMaxInFlight: 1,
    ...extra,
  };
}

/** Head, mining and evm_snapshot / evm_revert of the node at `url()` (read at each call). */
export function nodeControls(url: () => string) {
  return {
    head: async (): Promise<number> => Number(await rpcCall(url(), "eth_blockNumber")),
    mine: async (n = 1): Promise<void> => {
      for (let i = 0; i < n; i++) await rpcCall(url(), "evm_mine");
    },
    snapshot: async (): Promise<string> => (await rpcCall(url(), "evm_snapshot")) as string,
    revert: async (id: string): Promise<void> => {
      expect(await rpcCall(url(), "evm_revert", [id])).to.equal(true);
    },
  };
}

/** The relayer settings used by both tests (generous rate limits, quiet logs). */
export function relayerEnv(opts: {
  dataDir: string;
  rootSecret: string;
  rpcUrl: string;
  diamondAddress: string;
  port?: number;
}): Record<string, string> {
  return {
    HOST,
    PORT: String(opts.port ?? 8080),
    DATA_DIR: opts.dataDir,
    ROOT_SECRET: opts.rootSecret,
    RPC_URL: opts.rpcUrl,
    CHAIN_ID: "31337",
    DIAMOND_ADDRESS: opts.diamondAddress,
    PAYER_COUNT: "2",
    LOG_LEVEL: "warn",
    ...OPEN_RATE_LIMITS_ENV,
  };
}

/** The api payer and admin payer addresses (checksummed) a configuration derives. */
export function payerAddressesOf(config: RelayerConfig): { payers: string[]; admin: string } {
  const { payers, admin } = relayerPayers(config);
  return { payers, admin };
}

/** Makes the relayer's derived payers the diamond's api payers / admin payer and funds them. */
export async function registerPayers(d: Deployed, config: RelayerConfig): Promise<{ payers: string[]; admin: string }> {
  const { payers, admin } = await setUpRelayerPayers(d.owner, d.diamondAddress, config);
  return { payers, admin };
}

export function configFromEnv(env: Record<string, string>): RelayerConfig {
  return loadConfig(env);
}

// ------------------------------------------------------------------ relayer child process

export interface RelayerChild extends Child {
  url: string;
}

/** `node -r ts-node/register/transpile-only src/relayer/main.ts`; resolves once /ready says 200. */
export async function startRelayerChild(env: Record<string, string>): Promise<RelayerChild> {
  const child = startChild(
    "relayer",
    process.execPath,
    ["--require", "ts-node/register/transpile-only", path.join("src", "relayer", "main.ts")],
    { cwd: ROOT, env: childEnv(env) },
  );
  const url = `http://${env.HOST}:${env.PORT}`;
  const ready = async (): Promise<boolean> => (await fetch(`${url}/ready`, { signal: AbortSignal.timeout(1000) })).status === 200;
  await untilAnswers(child, "the relayer's /ready", ready, { timeoutMs: 60_000, intervalMs: 100 });
  return { ...child, url };
}

// ------------------------------------------------------------------ HTTP

export interface HttpReply {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/** One HTTP request to the relayer (JSON in, JSON out when it parses). */
export async function http(
  base: string,
  method: "GET" | "POST",
  pathname: string,
  opts: { key?: string; body?: unknown; idempotencyKey?: string; timeoutMs?: number } = {},
): Promise<HttpReply> {
  const headers: Record<string, string> = {};
  if (opts.key) headers["x-api-key"] = opts.key;
  if (opts.idempotencyKey) headers["idempotency-key"] = opts.idempotencyKey;
  const reply = await requestJson(`${base}${pathname}`, method, { headers, body: opts.body, timeoutMs: opts.timeoutMs ?? 60_000 });
  return { status: reply.status, headers: reply.headers, body: reply.json === undefined ? reply.text : reply.json, text: reply.text };
}

/** uint256(keccak256(key text)) as 0x + 64 hex: the account's master hash. */
export const keyHash = (apiKey: string): string => keccak256(toUtf8Bytes(apiKey));

/** Every transaction mined from `from` (lowercase addresses) in blocks [fromBlock, head]. */
export async function minedTransactions(
  url: string,
  senders: readonly string[],
  fromBlock: number,
): Promise<{ from: string; to: string | null; input: string; nonce: number; hash: string }[]> {
  const head = Number(await rpcCall(url, "eth_blockNumber"));
  const want = new Set(senders.map((s) => s.toLowerCase()));
  const out: { from: string; to: string | null; input: string; nonce: number; hash: string }[] = [];
  for (let n = fromBlock; n <= head; n++) {
    const block = (await rpcCall(url, "eth_getBlockByNumber", [`0x${n.toString(16)}`, true])) as {
      transactions: { from: string; to: string | null; input: string; nonce: string; hash: string }[];
    };
    for (const tx of block.transactions) {
      if (want.has(tx.from.toLowerCase())) {
        out.push({ from: tx.from.toLowerCase(), to: tx.to?.toLowerCase() ?? null, input: tx.input, nonce: Number(tx.nonce), hash: tx.hash });
      }
    }
  }
  return out;
}

// ------------------------------------------------------------------ mining and the node's pool

/**
 * How the node mines: "auto" (a block per transaction; a node that refuses a gapped nonce
 * outright), "paused" (nothing is mined; transactions wait in the pool, a gapped one queued
 * behind its gap) or every `intervalMs` (transactions wait in the pool until the next block).
 * Only a non-automining node can hold a nonce gap, so the crash tests run on one.
 */
export async function setMining(url: string, mode: "auto" | "paused" | { intervalMs: number }): Promise<void> {
  await rpcCall(url, "evm_setAutomine", [mode === "auto"]);
  await rpcCall(url, "evm_setIntervalMining", [typeof mode === "object" ? mode.intervalMs : 0]);
}

export interface PooledTx {
  hash: string;
  from: string;
  nonce: number;
  input: string;
}

/** The transactions of `senders` the node holds unmined (pending, and queued behind a nonce gap). */
export async function unminedTransactions(url: string, senders: readonly string[]): Promise<PooledTx[]> {
  const want = new Set(senders.map((s) => s.toLowerCase()));
  const pool = (await rpcCall(url, "eth_pendingTransactions")) as { hash: string; from: string; nonce: string; input: string }[];
  return pool
    .filter((t) => want.has(t.from.toLowerCase()))
    .map((t) => ({ hash: t.hash, from: t.from.toLowerCase(), nonce: Number(t.nonce), input: t.input }))
    .sort((a, b) => (a.from === b.from ? a.nonce - b.nonce : a.from < b.from ? -1 : 1));
}

/**
 * Removes transactions from the node's pool (a node restart or an eviction), so that only the
 * relayer's outbox still has them: after a crash, they reach the chain only if it rebroadcasts.
 */
export async function dropFromPool(url: string, hashes: readonly string[]): Promise<void> {
  for (const hash of hashes) await rpcCall(url, "hardhat_dropTransaction", [hash]);
}

/**
 * Asserts that every payer's mined transactions (from block 0) carry the nonces 0..n-1, that
 * nothing is pending, and that the node's pool holds no transaction of theirs (on a node that does
 * not automine, a transaction behind a nonce gap waits there for ever, invisible to the counts);
 * returns each payer's n (its next nonce), for further checks.
 */
export async function expectGapFreeNonces(url: string, payers: readonly string[]): Promise<Map<string, number>> {
  const txs = await minedTransactions(url, payers, 0);
  const next = new Map<string, number>();
  const pooled = await unminedTransactions(url, payers);
  expect(
    pooled.map((t) => `${t.from} nonce ${t.nonce}`),
    "payer transactions the node holds unmined (behind a nonce gap, or never mined)",
  ).to.deep.equal([]);
  for (const payer of payers) {
    const latest = Number(await rpcCall(url, "eth_getTransactionCount", [payer, "latest"]));
    const pending = Number(await rpcCall(url, "eth_getTransactionCount", [payer, "pending"]));
    expect(pending, `${payer}: pending == latest`).to.equal(latest);
    const nonces = txs.filter((t) => t.from === payer.toLowerCase()).map((t) => t.nonce).sort((a, b) => a - b);
    expect(nonces, `${payer}: mined nonces 0..n-1`).to.deep.equal(Array.from({ length: latest }, (_, k) => k));
    next.set(payer, latest);
  }
  return next;
}
