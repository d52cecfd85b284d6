/**
 * The chain and one payer count of the relayer write benchmark (bench/relayer.ts): the child
 * hardhat node and the diamond on it (scripts/lib/local-chain), then, per payer count, the api
 * payers set up, the raw baseline in phases interleaved with the relayer runs (one per BENCH_BATCH
 * mode and concurrency) and the "raw batch" line.
 */
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { Wallet, hexlify, parseEther, randomBytes } from "ethers";
import {
  OPEN_RATE_LIMITS_ENV,
  deployDiamondOverRpc,
  freePort,
  setUpRelayerPayers,
  startLocalChain,
  type LocalChain,
  type RpcDeployment,
} from "../../scripts/lib/local-chain";
import { apiKeyTextHash } from "../../src/core/hashing";
import { loadConfig } from "../../src/relayer/config";
import { HttpRpc } from "../../src/relayer/chain";
import type { ClientProcess } from "./client-process";
import { runRaw } from "./raw";
import { runRelayerOnce } from "./relayer-run";
import { mergeRuns, p50Of, type CaseResult, type RunResult } from "./results";
import { HOST, SETTINGS } from "./settings";
import { CountingRpc } from "./usage";

/** The child node (scripts/lib/local-chain), its output in <tmp>/chain.log; `env` on top of its environment. */
export function startNode(tmp: string, env?: Record<string, string>): Promise<LocalChain> {
  return startLocalChain({
    stdout: { file: path.join(tmp, "chain.log") },
    stderr: { file: path.join(tmp, "chain.log") },
    logging: SETTINGS.nodeLogging,
    timeoutMs: 60_000,
    env,
  });
}

/** The full diamond (every facet + AccountConfigInit.initializeV1), as test/fixtures/diamond.ts does. */
export function deployDiamond(url: string): Promise<RpcDeployment> {
  return deployDiamondOverRpc(url, hre.artifacts, { pollingIntervalMs: 50 });
}

/** One payer count's raw phases and relayer runs; the relayer runs' writes are sent by `clients`. */
export async function runCase(dep: RpcDeployment, node: LocalChain, clients: ClientProcess, payerCount: number, tmp: string): Promise<CaseResult> {
  const nodeUrl = node.url;
  const nodePid = node.proc.pid;
  const rpc = new CountingRpc(new HttpRpc(nodeUrl));
  const env = {
    HOST,
    ROOT_SECRET: hexlify(randomBytes(32)),
    RPC_URL: nodeUrl,
    CHAIN_ID: "31337",
    DIAMOND_ADDRESS: dep.diamondAddress,
    PAYER_COUNT: String(payerCount),
    LOG_LEVEL: "silent",
    ...OPEN_RATE_LIMITS_ENV,
  };
  // The relayer's derived payers are the diamond's api payers for this case (raw and relayer alike).
  const setupDir = fs.mkdtempSync(path.join(SETTINGS.dataDirBase || tmp, `relayer-${payerCount}-setup-`));
  const { payerKeys } = await setUpRelayerPayers(dep.owner, dep.diamondAddress, loadConfig({ ...env, DATA_DIR: setupDir }), {
    fund: parseEther("1000"),
    admin: true, // the payer check requires the admin payer registered too (writer/payer-check.ts)
  });
  fs.rmSync(setupDir, { recursive: true, force: true });
  const payerWallets = payerKeys.map((k) => new Wallet(k, dep.provider));

  // ---- the raw baseline on its own managed account, in phases interleaved with the relayer runs
  // (raw, relayer, raw, relayer, ..., raw): each relayer run is held against the raw phases right
  // before and after it, so that background load drifting during the run affects both sides alike.
  const master = apiKeyTextHash(`bench-raw-${payerCount}-${hexlify(randomBytes(8))}`);
  await (await dep.diamond.connect(payerWallets[0]).newAccount(master, true, "raw bench", "", Wallet.createRandom().address)).wait();
  if (SETTINGS.warmup > 0) await runRaw(rpc, nodePid, payerKeys, dep.diamondAddress, master, SETTINGS.warmup);
  const rawPhases: RunResult[] = [];
  const rawPhase = async (): Promise<number> => {
    rawPhases.push(await runRaw(rpc, nodePid, payerKeys, dep.diamondAddress, master, SETTINGS.rawWrites));
    return rawPhases.length - 1;
  };
  let rawBefore = await rawPhase();
  let rawBatch: RunResult | null = null;
  if (SETTINGS.rawBatch > 1) {
    const batchMaster = apiKeyTextHash(`bench-raw-batch-${payerCount}-${hexlify(randomBytes(8))}`);
    await (await dep.diamond.connect(payerWallets[0]).newAccount(batchMaster, true, "raw batch bench", "", Wallet.createRandom().address)).wait();
    const one = payerKeys.slice(0, 1);
    await runRaw(rpc, nodePid, one, dep.diamondAddress, batchMaster, SETTINGS.rawBatch, SETTINGS.rawBatch);
    rawBatch = await runRaw(rpc, nodePid, one, dep.diamondAddress, batchMaster, SETTINGS.writes, SETTINGS.rawBatch);
    rawBatch.payers = payerCount;
    rawBatch.extra.push(`one sender (the first payer key), batchCalls of ${SETTINGS.rawBatch} addGroup calls per transaction`);
  }

  // ---- the relayer, once per batching mode and concurrency, same payer keys: it is stopped while
  // a raw phase runs (the raw sender uses its keys) and started again on the same DATA_DIR (it
  // reconciles its nonces with the chain on start, and is warmed up again before it is measured)
  const relayers: RunResult[] = [];
  for (const batchMaxCalls of SETTINGS.batchModes) {
    console.log(`  relayer, BATCH_MAX_CALLS ${batchMaxCalls}, concurrency ${SETTINGS.concurrencies.join(" / ")}, a raw phase after each ...`);
    const dataDir = fs.mkdtempSync(path.join(SETTINGS.dataDirBase || tmp, `relayer-${payerCount}-`));
    const config = loadConfig({
      ...env,
      PORT: String(await freePort()),
      DATA_DIR: dataDir,
      BATCH_MAX_CALLS: String(batchMaxCalls),
      ...(SETTINGS.batchInFlight > 0 ? { BATCH_MAX_IN_FLIGHT: String(SETTINGS.batchInFlight * payerCount) } : {}),
    });
    try {
      for (const concurrency of SETTINGS.concurrencies) {
        const [relayed] = await runRelayerOnce(dep, rpc, nodePid, clients, config, payerCount, batchMaxCalls, [concurrency]);
        const rawAfter = await rawPhase();
        relayed.rawNeighbours = [rawBefore, rawAfter];
        relayers.push(relayed);
        rawBefore = rawAfter;
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }

  const raw = rawPhases.slice(1).reduce(mergeRuns, rawPhases[0]);
  const rate = (r: RunResult) => ((r.ok / r.wallMs) * 1000).toFixed(1);
  const p50 = (r: RunResult) => p50Of(r).toFixed(1);
  raw.extra.push(
    `${rawPhases.length} phases of ${SETTINGS.rawWrites} writes around the relayer runs, in order: ` +
      `${rawPhases.map(rate).join(", ")} writes/s; p50 ${rawPhases.map(p50).join(", ")} ms`,
  );
  const rawGroups = (await dep.diamond.getAccount(master)).groupCount;
  if (rawGroups !== BigInt(raw.ok + SETTINGS.warmup)) raw.extra.push(`account holds ${rawGroups} groups, expected ${raw.ok + SETTINGS.warmup}`);
  return { raw, rawPhases, relayers, rawBatch };
}
