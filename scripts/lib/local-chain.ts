/**
 * A local chain for `npm start`, the relayer benchmark and the relayer tests: a child
 * `hardhat node` (EDR, automine) on 127.0.0.1, the AccountConfig diamond deployed to it over
 * JSON-RPC, and a relayer's derived api payers registered and funded.
 *
 *   const chain = await startLocalChain();                        // a free port, output captured
 *   const d = await deployDiamondOverRpc(chain.url, hre.artifacts); // dev key 0 owns it
 *   const { payers, admin } = await setUpRelayerPayers(d.owner, d.diamondAddress, config);
 *   ...
 *   await chain.stop();                                           // SIGTERM, SIGKILL after 5 s
 *
 * Children are started in their own process group (unless `detached: false`) and stopped by
 * their id, never by name; one still running when this process exits is killed then.
 * No Hardhat runtime is needed here: artifacts are passed in (hre.artifacts).
 */
import { spawn, type ChildProcess } from "child_process";
import fs from "fs";
import net from "net";
import path from "path";
import {
  ContractFactory,
  HDNodeWallet,
  Interface,
  JsonRpcProvider,
  Network,
  NonceManager,
  Wallet,
  parseEther,
  toQuantity,
  type InterfaceAbi,
  type Signer,
} from "ethers";
import { IAccountConfig__factory, type IAccountConfig } from "../../typechain-types";
import type { RelayerConfig } from "../../src/relayer/config";
import { payerKeysOf } from "../../src/relayer/payer-keys";
import { withEdrAllocator } from "./edr-allocator";
import { FACET_NAMES, FacetCutAction, selectorsOf, type FacetCut, type InitArgs } from "./diamond";
import { rpcCall } from "./http-json";

export const LOCAL_HOST = "127.0.0.1";
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";
const ROOT = path.resolve(__dirname, "..", "..");
const HARDHAT_BIN = path.join(ROOT, "node_modules", ".bin", "hardhat");

/** Private key of Hardhat dev account `i` (well-known test keys: never on a public network). */
export function devKey(i: number): string {
  return HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`).privateKey;
}

/** A port nobody listens on right now (bind port 0, read it, close). */
export function freePort(host: string = LOCAL_HOST): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

/** The chain id a JSON-RPC endpoint answers (eth_chainId), or null when nothing answers. */
export async function chainIdAt(url: string, timeoutMs = 1000): Promise<string | null> {
  try {
    const result = await rpcCall(url, "eth_chainId", [], timeoutMs);
    return typeof result === "string" ? result : null;
  } catch {
    return null;
  }
}

// ------------------------------------------------------------------ child processes

/** Where a child's stdout / stderr go: kept in memory (the last 20 000 characters), a file, or this process's. */
export type ChildOutput = "capture" | "inherit" | { file: string };

export interface ChildOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  stdout?: ChildOutput;
  stderr?: ChildOutput;
  /** Own process group, stopped as a group (default true). */
  detached?: boolean;
}

export interface Child {
  proc: ChildProcess;
  /** Captured stdout + stderr so far (tail), for failure messages. */
  output(): string;
  exited(): boolean;
  /** Sends `signal` (to the process group when detached) and waits for the exit; SIGKILL after 5 s. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Spawns `command`; see ChildOptions. */
export function startChild(name: string, command: string, args: readonly string[], opts: ChildOptions = {}): Child {
  const detached = opts.detached ?? true;
  const files = new Map<string, number>();
  const stdio = (o: ChildOutput | undefined): "pipe" | "inherit" | number => {
    if (o === undefined || o === "capture") return "pipe";
    if (o === "inherit") return "inherit";
    const file = path.resolve(o.file);
    let fd = files.get(file); // stdout and stderr to one file share the descriptor
    if (fd === undefined) {
      fd = fs.openSync(file, "w");
      files.set(file, fd);
    }
    return fd;
  };
  const proc = spawn(command, [...args], {
    cwd: opts.cwd ?? ROOT,
    env: opts.env ?? process.env,
    stdio: ["ignore", stdio(opts.stdout), stdio(opts.stderr)],
    detached,
  });
  for (const fd of files.values()) fs.closeSync(fd);
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
  const signal = (sig: NodeJS.Signals): void => {
    if (exited || proc.pid === undefined) return;
    try {
      if (detached) process.kill(-proc.pid, sig); // the child's own process group, by id
      else proc.kill(sig);
    } catch {
      try {
        proc.kill(sig);
      } catch {
        /* already gone */
      }
    }
  };
  // Last resort when this process exits without stopping it.
  const onExit = (): void => signal("SIGKILL");
  process.on("exit", onExit);
  void exit.then(() => process.off("exit", onExit));
  return {
    proc,
    output: () => out,
    exited: () => exited,
    stop: async (sig: NodeJS.Signals = "SIGTERM") => {
      if (exited) return;
      signal(sig);
      const t = setTimeout(() => signal("SIGKILL"), 5000);
      await exit;
      clearTimeout(t);
    },
  };
}

/**
 * This process's environment for a child (a node, a relayer, hardhat deploy), with `extra` on top:
 * no HARDHAT_NETWORK (`hardhat run --network x` sets it; the node itself runs "hardhat") and no
 * telemetry prompt.
 */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true", ...extra };
  delete env.HARDHAT_NETWORK;
  return env;
}

/**
 * Waits until `answers()` holds (a throw counts as "not yet": not listening yet), checking every
 * `intervalMs`. Throws with the child's output when it exits first, or when `timeoutMs` passes
 * (the child is then killed).
 */
export async function untilAnswers(
  child: Child,
  what: string,
  answers: () => Promise<boolean>,
  opts: { timeoutMs: number; intervalMs: number },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (child.exited()) throw new Error(`${what} exited before answering:\n${child.output()}`);
    if (await answers().catch(() => false)) return;
    if (Date.now() > deadline) {
      await child.stop("SIGKILL");
      throw new Error(`${what} did not answer within ${opts.timeoutMs} ms:\n${child.output()}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs));
  }
}

/** Rate limits that no benchmark or test client reaches (relayer environment, docs/http-api.md). */
export const OPEN_RATE_LIMITS_ENV: Readonly<Record<string, string>> = {
  RATE_LIMIT_KEY_PER_MINUTE: "1000000",
  RATE_LIMIT_KEY_BURST: "1000000",
  RATE_LIMIT_IP_PER_MINUTE: "1000000",
  RATE_LIMIT_IP_BURST: "1000000",
  RATE_LIMIT_NEW_ACCOUNT_PER_HOUR: "1000000",
  RATE_LIMIT_NEW_ACCOUNT_BURST: "1000000",
};

// ------------------------------------------------------------------ the chain

export interface LocalChainOptions {
  /** Default: a free port. */
  port?: number;
  host?: string;
  /** The node's stdout / stderr (default: captured, see Child.output()). */
  stdout?: ChildOutput;
  stderr?: ChildOutput;
  /** hardhat_setLoggingEnabled once it answers (the node's per-request console log); default: the node's default. */
  logging?: boolean;
  /** How long to wait for the node to answer (ms); default 90 000. */
  timeoutMs?: number;
  /** Own process group (default true). */
  detached?: boolean;
  /** Called with the child as soon as it is spawned (before it answers): for exit handlers. */
  onSpawn?: (child: Child) => void;
  /**
   * A Hardhat configuration of the node's own (`hardhat --config <file> node`; the project's
   * hardhat.config.ts and hardhat-deploy are not loaded). Default: the project's.
   */
  config?: string;
  /** The chain id it answers once up (default 31337, the project's Hardhat network). */
  chainId?: number;
  /** Extra environment of the node (on top of childEnv(); e.g. another allocator setting to compare). */
  env?: Record<string, string>;
}

export interface LocalChain extends Child {
  url: string;
  host: string;
  port: number;
}

/**
 * `hardhat node --no-deploy --no-reset` (hardhat-deploy neither deploys nor deletes
 * deployments/localhost), or `hardhat --config <opts.config> node`; resolves once it answers
 * eth_chainId with the expected id (31337 unless opts.chainId).
 */
export async function startLocalChain(opts: LocalChainOptions = {}): Promise<LocalChain> {
  const host = opts.host ?? LOCAL_HOST;
  const port = opts.port ?? (await freePort(host));
  const url = `http://${host}:${port}`;
  const listen = ["--hostname", host, "--port", String(port)];
  const args = opts.config === undefined ? ["node", ...listen, "--no-deploy", "--no-reset"] : ["--config", opts.config, "node", ...listen];
  const child = startChild("chain", HARDHAT_BIN, args, {
    // The allocator setting even where this process did not load hardhat.config.ts (scripts/lib/edr-allocator.ts).
    env: withEdrAllocator(childEnv(opts.env)),
    stdout: opts.stdout,
    stderr: opts.stderr,
    detached: opts.detached,
  });
  opts.onSpawn?.(child);
  const chainId = toQuantity(opts.chainId ?? 31337);
  await untilAnswers(child, `hardhat node on ${url}`, async () => (await chainIdAt(url)) === chainId, {
    timeoutMs: opts.timeoutMs ?? 90_000,
    intervalMs: 200,
  });
  if (opts.logging !== undefined) {
    await rpcCall(url, "hardhat_setLoggingEnabled", [opts.logging], 30_000);
  }
  return { ...child, url, host, port };
}

// ------------------------------------------------------------------ the diamond

export interface ArtifactReader {
  readArtifact(name: string): Promise<{ abi: InterfaceAbi; bytecode: string }>;
}

export interface RpcDeployment {
  /** No request cache (stale nonces) and no batching; destroy() it when done. */
  provider: JsonRpcProvider;
  /** Dev account 0 (the diamond's owner), with a local nonce counter. */
  owner: NonceManager;
  /** Lowercase. */
  diamondAddress: string;
  diamond: IAccountConfig;
  /** The block before the deployment (a start block for an indexer). */
  deployBlock: number;
}

/** A provider for scripts and tests: static network 31337, no request cache, no batching. */
export function localProvider(url: string, pollingIntervalMs = 100): JsonRpcProvider {
  const provider = new JsonRpcProvider(url, Network.from(31337), { staticNetwork: true, cacheTimeout: -1, batchMaxCount: 1 });
  provider.pollingInterval = pollingIntervalMs;
  return provider;
}

/**
 * Deploys every facet, AccountConfigInit and the diamond (initializeV1 as test/fixtures/diamond.ts:
 * config operator dev 1, pricing operator dev 2, admin api payer dev 3, api payers dev 4 and 5)
 * from dev account 0. Nothing is written to deployments/.
 */
export async function deployDiamondOverRpc(
  url: string,
  artifacts: ArtifactReader,
  opts: { pollingIntervalMs?: number } = {},
): Promise<RpcDeployment> {
  const provider = localProvider(url, opts.pollingIntervalMs);
  const owner = new NonceManager(new Wallet(devKey(0), provider));
  const deployBlock = await provider.getBlockNumber();
  const deploy = async (name: string, args: unknown[] = []): Promise<{ address: string; iface: Interface }> => {
    const art = await artifacts.readArtifact(name);
    const contract = await new ContractFactory(art.abi, art.bytecode, owner).deploy(...args);
    await contract.waitForDeployment();
    return { address: await contract.getAddress(), iface: new Interface(art.abi) };
  };
  const cuts: FacetCut[] = [];
  for (const name of FACET_NAMES) {
    const facet = await deploy(name);
    cuts.push({ facetAddress: facet.address, action: FacetCutAction.Add, functionSelectors: selectorsOf(facet.iface) });
  }
  const init = await deploy("AccountConfigInit");
  const initArgs: InitArgs = {
    configOperator: new Wallet(devKey(1)).address,
    pricingOperator: new Wallet(devKey(2)).address,
    adminApiPayer: new Wallet(devKey(3)).address,
    apiPayers: [new Wallet(devKey(4)).address, new Wallet(devKey(5)).address],
  };
  const initCalldata = init.iface.encodeFunctionData("initializeV1", [initArgs]);
  const d = await deploy("AccountConfig", [await owner.getAddress(), cuts, init.address, initCalldata]);
  return {
    provider,
    owner,
    diamondAddress: d.address.toLowerCase(),
    diamond: IAccountConfig__factory.connect(d.address, owner),
    deployBlock,
  };
}

// ------------------------------------------------------------------ api payers

export interface RelayerPayers {
  payerKeys: string[];
  adminPayerKey: string;
  /** Checksummed addresses. */
  payers: string[];
  admin: string;
}

/** The api payer keys a relayer configuration uses (given, or derived from its root secret), with addresses. */
export function relayerPayers(config: RelayerConfig): RelayerPayers {
  const { payerKeys, adminPayerKey } = payerKeysOf(config);
  return {
    payerKeys,
    adminPayerKey,
    payers: payerKeys.map((k) => new Wallet(k).address),
    admin: new Wallet(adminPayerKey).address,
  };
}

export interface PayerSetupOptions {
  /** Sent to every registered payer (wei); default 100 ETH. */
  fund?: bigint;
  /** Also make the configuration's admin payer the diamond's admin api payer, and fund it (default true). */
  admin?: boolean;
  /** setRebalanceAmount (wei) as well; default: left as is. */
  rebalanceAmount?: bigint;
}

const configInterface = IAccountConfig__factory.createInterface();

/**
 * Makes a relayer's api payers the diamond's api payers (setApiPayers) and its admin payer the
 * admin api payer, and funds them, from `owner` (the diamond's owner or config operator), one
 * mined transaction after another.
 */
export async function setUpRelayerPayers(
  owner: Signer,
  diamondAddress: string,
  config: RelayerConfig,
  opts: PayerSetupOptions = {},
): Promise<RelayerPayers> {
  const keys = relayerPayers(config);
  const withAdmin = opts.admin ?? true;
  const send = async (data: string | undefined, to: string, value = 0n): Promise<void> => {
    const tx = await owner.sendTransaction({ to, data, value });
    await tx.wait();
  };
  await send(configInterface.encodeFunctionData("setApiPayers", [keys.payers]), diamondAddress);
  if (withAdmin) await send(configInterface.encodeFunctionData("setAdminApiPayerAccount", [keys.admin]), diamondAddress);
  if (opts.rebalanceAmount !== undefined) {
    await send(configInterface.encodeFunctionData("setRebalanceAmount", [opts.rebalanceAmount]), diamondAddress);
  }
  const fund = opts.fund ?? parseEther("100");
  for (const to of withAdmin ? [...keys.payers, keys.admin] : keys.payers) await fundTo(owner, to, fund, send);
  return keys;
}

/**
 * Gives `to` at least `amount` wei. On a development chain (Hardhat's in-process network or
 * `hardhat node`) the balance is set with `hardhat_setBalance`, so the dev accounts are not drained
 * by the many relayers a test run sets up; elsewhere `amount` is sent from `owner`.
 */
async function fundTo(
  owner: Signer,
  to: string,
  amount: bigint,
  send: (data: string | undefined, to: string, value: bigint) => Promise<void>,
): Promise<void> {
  const provider = owner.provider as (Signer["provider"] & { send?: (method: string, params: unknown[]) => Promise<unknown> }) | null;
  if (provider?.send !== undefined) {
    const balance = await provider.getBalance(to);
    if (balance >= amount) return;
    try {
      await provider.send("hardhat_setBalance", [to, toQuantity(amount)]);
      return;
    } catch {
      // not a development chain: send it
    }
  }
  await send(undefined, to, amount);
}
