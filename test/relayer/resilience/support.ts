/**
 * Shared set-up of the relayer resilience tests: a real chain (`hardhat node`) as a child process
 * on a free port, the diamond deployed to it with ethers (dev key 0, compiled artifacts; nothing is
 * written to deployments/), the relayer's derived api payers registered and funded, child-process
 * relayers, and small HTTP helpers. Every child is started in its own process group and killed by
 * id (`stop()`), also when a test fails.
 */
import { spawn, type ChildProcess } from "child_process";
import net from "net";
import path from "path";
import { artifacts } from "hardhat";
import {
  Contract,
  ContractFactory,
  HDNodeWallet,
  Interface,
  JsonRpcProvider,
  Network,
  Wallet,
  keccak256,
  parseEther,
  toUtf8Bytes,
} from "ethers";
import { FACET_NAMES, FacetCutAction, selectorsOf, type FacetCut, type InitArgs } from "../../../scripts/lib/diamond";
import { loadConfig, type RelayerConfig } from "../../../src/relayer/config";
import { payerKeysOf } from "../../../src/relayer/main";

export const ROOT = path.resolve(__dirname, "..", "..", "..");
const MNEMONIC = "test test test test test test test test test test test junk";
export const HOST = "127.0.0.1";

/** Private key of Hardhat dev account `i` (well-known test keys). */
export function devKey(i: number): string {
  return HDNodeWallet.fromPhrase(MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`).privateKey;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A port nobody listens on right now (bind port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, HOST, () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

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

export interface Child {
  proc: ChildProcess;
  /** stdout + stderr so far (tail kept), for failure messages. */
  output(): string;
  exited(): boolean;
  /** Kills the child's process group with `signal` and waits for the exit (SIGKILL after 5 s). */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

function startChild(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const proc = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let out = "";
  const keep = (chunk: Buffer): void => {
    out = (out + chunk.toString("utf8")).slice(-20_000);
  };
  proc.stdout?.on("data", keep);
  proc.stderr?.on("data", keep);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    proc.once("exit", () => {
      exited = true;
      resolve();
    });
    proc.once("error", (err) => {
      out += `\n[${name}] spawn error: ${err.message}`;
      exited = true;
      resolve();
    });
  });
  const signalGroup = (signal: NodeJS.Signals): void => {
    if (exited || proc.pid === undefined) return;
    try {
      process.kill(-proc.pid, signal); // the child's own process group (detached), by id
    } catch {
      try {
        proc.kill(signal);
      } catch {
        /* already gone */
      }
    }
  };
  return {
    proc,
    output: () => out,
    exited: () => exited,
    stop: async (signal: NodeJS.Signals = "SIGTERM") => {
      if (exited) return;
      signalGroup(signal);
      const t = setTimeout(() => signalGroup("SIGKILL"), 5000);
      await exit;
      clearTimeout(t);
    },
  };
}

/** Environment for children: no HARDHAT_NETWORK (the node itself runs "hardhat"). */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true", ...extra };
  delete env.HARDHAT_NETWORK;
  return env;
}

export async function rpcCall(url: string, method: string, params: unknown[] = [], timeoutMs = 5000): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const json = (await res.json()) as { result?: unknown; error?: { message?: string } };
  if (json.error) throw new Error(`${method}: ${json.error.message ?? "error"}`);
  return json.result;
}

export interface ChainNode extends Child {
  url: string;
  port: number;
}

/** `hardhat node --no-deploy --no-reset` on a free port; resolves once it answers eth_chainId. */
export async function startChainNode(): Promise<ChainNode> {
  const port = await freePort();
  const child = startChild(
    "chain",
    path.join(ROOT, "node_modules", ".bin", "hardhat"),
    // --no-reset: hardhat-deploy's node task would otherwise delete the repo's deployments/localhost.
    ["node", "--hostname", HOST, "--port", String(port), "--no-deploy", "--no-reset"],
    childEnv(),
  );
  const url = `http://${HOST}:${port}`;
  try {
    await waitUntil(
      "the hardhat node",
      async () => {
        if (child.exited()) throw new Error(`hardhat node exited:\n${child.output()}`);
        return (await rpcCall(url, "eth_chainId", [], 1000)) === "0x7a69";
      },
      90_000,
      200,
    );
  } catch (err) {
    await child.stop("SIGKILL");
    throw err;
  }
  return { ...child, url, port };
}

// ------------------------------------------------------------------ diamond + relayer config

export interface Deployed {
  provider: JsonRpcProvider;
  owner: Wallet;
  diamondAddress: string;
  /** The diamond with the complete interface (IAccountConfig ABI). */
  diamond: Contract;
  deployBlock: number;
}

/** A provider without ethers' network detection retries; call destroy() when done. */
export function providerFor(url: string): JsonRpcProvider {
  const provider = new JsonRpcProvider(url, Network.from(31337), { staticNetwork: true, cacheTimeout: -1 });
  provider.pollingInterval = 100;
  return provider;
}

/** Deploys every facet, the initializer and the diamond from dev account 0 (the owner). */
export async function deployDiamondTo(url: string): Promise<Deployed> {
  const provider = providerFor(url);
  const owner = new Wallet(devKey(0), provider);
  const deployBlock = await provider.getBlockNumber();
  const deploy = async (name: string, args: unknown[] = []): Promise<{ address: string; iface: Interface }> => {
    const art = await artifacts.readArtifact(name);
    const factory = new ContractFactory(art.abi, art.bytecode, owner);
    const c = await factory.deploy(...args);
    await c.waitForDeployment();
    return { address: await c.getAddress(), iface: new Interface(art.abi) };
  };
  const cuts: FacetCut[] = [];
  for (const name of FACET_NAMES) {
    const f = await deploy(name);
    cuts.push({ facetAddress: f.address, action: FacetCutAction.Add, functionSelectors: selectorsOf(f.iface) });
  }
  const init = await deploy("AccountConfigInit");
  const initArgs: InitArgs = {
    configOperator: new Wallet(devKey(1)).address,
    pricingOperator: new Wallet(devKey(2)).address,
    adminApiPayer: new Wallet(devKey(3)).address,
    apiPayers: [new Wallet(devKey(4)).address, new Wallet(devKey(5)).address],
  };
  const initCalldata = init.iface.encodeFunctionData("initializeV1", [initArgs]);
  const d = await deploy("AccountConfig", [owner.address, cuts, init.address, initCalldata]);
  const abi = (await artifacts.readArtifact("IAccountConfig")).abi;
  const diamond = new Contract(d.address, abi, owner);
  return { provider, owner, diamondAddress: d.address.toLowerCase(), diamond, deployBlock };
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
    RATE_LIMIT_KEY_PER_MINUTE: "1000000",
    RATE_LIMIT_KEY_BURST: "1000000",
    RATE_LIMIT_IP_PER_MINUTE: "1000000",
    RATE_LIMIT_IP_BURST: "1000000",
    RATE_LIMIT_NEW_ACCOUNT_PER_HOUR: "1000000",
    RATE_LIMIT_NEW_ACCOUNT_BURST: "1000000",
  };
}

/** The api payer and admin payer addresses (checksummed) a configuration derives. */
export function payerAddressesOf(config: RelayerConfig): { payers: string[]; admin: string } {
  const { payerKeys, adminPayerKey } = payerKeysOf(config);
  return { payers: payerKeys.map((k) => new Wallet(k).address), admin: new Wallet(adminPayerKey).address };
}

/** Makes the relayer's derived payers the diamond's api payers / admin payer and funds them. */
export async function registerPayers(d: Deployed, config: RelayerConfig): Promise<{ payers: string[]; admin: string }> {
  const { payers, admin } = payerAddressesOf(config);
  await (await d.diamond.getFunction("setApiPayers")(payers)).wait();
  await (await d.diamond.getFunction("setAdminApiPayerAccount")(admin)).wait();
  for (const to of [...payers, admin]) {
    await (await d.owner.sendTransaction({ to, value: parseEther("100") })).wait();
  }
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
    childEnv(env),
  );
  const url = `http://${env.HOST}:${env.PORT}`;
  try {
    await waitUntil(
      "the relayer's /ready",
      async () => {
        if (child.exited()) throw new Error(`relayer exited:\n${child.output()}`);
        const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(1000) });
        return res.status === 200;
      },
      60_000,
      100,
    );
  } catch (err) {
    await child.stop("SIGKILL");
    throw new Error(`${(err as Error).message}\n${child.output()}`);
  }
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
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${base}${pathname}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body, text };
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
