/**
 * `npm run rehearsal`: a Base Sepolia deployment rehearsed offline (README "Running on Base
 * Sepolia"). Nothing needs to be running; everything listens on free 127.0.0.1 ports.
 *
 *  1. node: a child `hardhat node` with chain id 84532, a block every 2 s, the GasPriceOracle
 *     predeploy's code at 0x42..0F (node.ts);
 *  2. the fault-injecting JSON-RPC proxy in front of it (scripts/lib/rpc-fault-proxy.ts): latency
 *     and 429 storms with Retry-After; for the relayer also a `latest` lagging up to 2 blocks, 5xx
 *     answers, dropped replies and capped eth_getLogs;
 *  3. `hardhat deploy --network baseSepolia` through the proxy with a fresh deployer key and a
 *     contract wallet as owner: fresh, again, a changed facet whose printed diamondCut the wallet
 *     submits, again, the facet restored the same way, again (deploy-scenario.ts);
 *  4. the relayer (child process, RPC_URLS = the proxy, the chain's default finality settings,
 *     batching on) under a mixed load of writes from concurrent clients (load.ts), while the node
 *     is reorganised at depths 1 to 10 (reorgs.ts);
 *  5. checks (verify.ts): every answered write on the canonical chain exactly once, and the
 *     relayer's index against one rebuilt from block 0 by a second relayer on a fresh database.
 *
 * Prints a table; exits non-zero when a write is lost or duplicated, an index row differs, a reorg
 * is not recovered from, or a step fails. Settings (environment, optional): REHEARSAL_BLOCK_MS
 * (2000), REHEARSAL_DEPTHS ("1,2,3,4,5,6,7,8,9,10"), REHEARSAL_CONCURRENCY (8), REHEARSAL_ACCOUNTS
 * (6), REHEARSAL_SEED (14), REHEARSAL_KEEP (1: keep the temporary directory with the logs),
 * REHEARSAL_REPORT (a file the table is also written to, as markdown), REHEARSAL_LOG_LEVEL (the
 * relayer's LOG_LEVEL, info; its log is relayer.log in the temporary directory).
 */
import fs from "fs";
import os from "os";
import path from "path";
import { randomBytes } from "crypto";
import hre from "hardhat";
import { parseEther } from "ethers";
import { RpcFaultProxy, type FaultOptions } from "../lib/rpc-fault-proxy";
import { freePort, relayerPayers } from "../lib/local-chain";
import { loadConfig } from "../../src/relayer/config";
import { finalityFor } from "../../src/relayer/chain/finality";
import { runDeployScenario } from "./deploy-scenario";
import { WriteLoad } from "./load";
import { BASE_SEPOLIA_CHAIN_ID, placeGasPriceOracle, setBalance, startBaseSepoliaNode, type BaseSepoliaNode } from "./node";
import { startRelayerProcess, type RelayerProcess } from "./relayer-process";
import { blockNumber, reorg, type ReorgResult } from "./reorgs";
import { rehearsalTable } from "./report";
import { chainCounts, indexDifference } from "./verify";

const int = (name: string, fallback: number): number => {
  const v = (process.env[name] ?? "").trim();
  if (v === "") return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name}: expected a non-negative integer, got "${v}"`);
  return n;
};

const SETTINGS = {
  blockMs: int("REHEARSAL_BLOCK_MS", 2000),
  depths: (process.env.REHEARSAL_DEPTHS ?? "1,2,3,4,5,6,7,8,9,10")
    .split(",")
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isSafeInteger(n) && n >= 1),
  concurrency: Math.max(1, int("REHEARSAL_CONCURRENCY", 8)),
  accounts: Math.max(1, int("REHEARSAL_ACCOUNTS", 6)),
  seed: int("REHEARSAL_SEED", 14),
  keep: ["1", "true", "yes"].includes((process.env.REHEARSAL_KEEP ?? "").trim().toLowerCase()),
  report: (process.env.REHEARSAL_REPORT ?? "").trim(),
};

/**
 * Faults while deploying: latency and the 429 storms, which hardhat's own client retries
 * (Retry-After). Not 5xx or dropped replies (hardhat does not retry them: the deploy stops and is
 * run again), and no lagging `latest`: hardhat-deploy then signs with a nonce read from a stale
 * head and the node refuses it ("nonce too low"), as a first rehearsal run showed. Deploy through
 * one consistent RPC endpoint (README "Running on Base Sepolia").
 */
const DEPLOY_FAULTS: FaultOptions = { latencyMs: [2, 30] };
/** Faults while the relayer runs: everything the proxy can do short of being down. */
const RELAYER_FAULTS: FaultOptions = {
  latencyMs: [2, 40],
  lag: { min: 0, max: 2 },
  fail5xxRate: 0.02,
  dropRate: 0.01,
  maxLogRange: 100,
  maxLogResults: 200,
};
/** A 429 storm (every request refused, Retry-After 1 s) of this length every STORM_EVERY_MS. */
const STORM_MS = 1500;
const STORM_EVERY_MS = 20_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const log = (line: string) => console.log(`[rehearsal ${new Date().toISOString().slice(11, 19)}] ${line}`);

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 500): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

async function main(): Promise<number> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rehearsal-"));
  let node: BaseSepoliaNode | undefined;
  let proxy: RpcFaultProxy | undefined;
  let live: RelayerProcess | undefined;
  let rebuilt: RelayerProcess | undefined;
  let storms: NodeJS.Timeout | undefined;
  const stopAll = async () => {
    if (storms) clearInterval(storms);
    await rebuilt?.stop();
    await live?.stop();
    await proxy?.close();
    await node?.stop();
  };
  process.once("SIGINT", () => void stopAll().finally(() => process.exit(130)));
  process.once("SIGTERM", () => void stopAll().finally(() => process.exit(143)));
  try {
    log(`logs and databases in ${tmp}`);
    node = await startBaseSepoliaNode({ blockTimeMs: SETTINGS.blockMs, stdout: { file: path.join(tmp, "node.log") } });
    const l1Fee = await placeGasPriceOracle(node, hre.artifacts);
    log(`node ${node.url}: chain id ${BASE_SEPOLIA_CHAIN_ID}, a block every ${SETTINGS.blockMs} ms, GasPriceOracle placed (L1 fee of 100 bytes: ${l1Fee} wei)`);
    proxy = await new RpcFaultProxy(node.url, { ...DEPLOY_FAULTS, seed: SETTINGS.seed }).start();
    const storm = () => proxy?.set({ rateLimit: { until: Date.now() + STORM_MS, retryAfterSeconds: 1 } });
    storms = setInterval(storm, STORM_EVERY_MS);
    log(`fault proxy ${proxy.url} (deploy: latency, a ${STORM_MS} ms 429 storm every ${STORM_EVERY_MS / 1000} s)`);

    // The relayer's payers (derived from its root secret) are the api payers the deploy sets.
    const rootSecret = `0x${randomBytes(32).toString("hex")}`;
    const liveDir = path.join(tmp, "relayer");
    const payers = relayerPayers(loadConfig({ ROOT_SECRET: rootSecret, PAYER_COUNT: "2", DATA_DIR: liveDir }));
    for (const p of [...payers.payers, payers.admin]) await setBalance(node, p, parseEther("100"));

    log("deploying through --network baseSepolia ...");
    const deployed = await runDeployScenario(node, hre.artifacts, {
      rpcUrl: proxy.url,
      apiPayers: payers.payers,
      adminApiPayer: payers.admin,
      log: (line) => log(`  ${line}`),
    });
    log(`diamond ${deployed.diamond} (block ${deployed.deployBlock}), owned by contract wallet ${deployed.owner}`);

    proxy.set({ ...RELAYER_FAULTS });
    const finality = finalityFor(BASE_SEPOLIA_CHAIN_ID);
    log(
      `relayer through the proxy (5xx ${RELAYER_FAULTS.fail5xxRate}, dropped ${RELAYER_FAULTS.dropRate}, lag <= 2, eth_getLogs <= ${RELAYER_FAULTS.maxLogRange} blocks); ` +
        `CONFIRMATION_DEPTH ${finality.confirmationDepth}, REORG_WINDOW ${finality.reorgWindow} (84532 defaults), WRITE_CONFIRMATIONS 0, batching on`,
    );
    live = await startRelayerProcess(
      "relayer",
      {
        PORT: String(await freePort()),
        DATA_DIR: liveDir,
        ROOT_SECRET: rootSecret,
        PAYER_COUNT: "2",
        RPC_URLS: proxy.url,
        CHAIN_ID: String(BASE_SEPOLIA_CHAIN_ID),
        DIAMOND_ADDRESS: deployed.diamond,
        START_BLOCK: String(deployed.deployBlock),
        LOG_LEVEL: process.env.REHEARSAL_LOG_LEVEL ?? "info",
      },
      { output: { file: path.join(tmp, "relayer.log") } },
    );
    const liveRelayer = live;
    log(`relayer ${live.url} ready`);

    const runId = `rh${randomBytes(3).toString("hex")}`;
    let stopLoad = false;
    const load = new WriteLoad({
      relayerUrl: live.url,
      concurrency: SETTINGS.concurrency,
      accounts: SETTINGS.accounts,
      writes: 1_000_000,
      stop: () => stopLoad,
      runId,
    });
    const loadStarted = Date.now();
    let loadError: unknown = null;
    const loadDone = load.run();
    loadDone.catch((err: unknown) => (loadError = err)); // awaited below
    const loadState = (): string => {
      const last = load.ledger.at(-1);
      return `${load.ledger.length} writes sent, ${load.ledger.filter((w) => w.answered).length} answered` + (last ? `; last: ${last.kind} HTTP ${last.status} ${last.error ?? ""}` : "");
    };
    const loadStarts = async (what: string, check: () => boolean) => {
      try {
        await waitFor(what, () => {
          if (loadError) throw loadError;
          return check();
        }, 300_000);
      } catch (err) {
        throw new Error(`${err instanceof Error ? err.message : String(err)} (${loadState()})`);
      }
    };
    await loadStarts("the load's first accounts", () => load.accounts.length >= Math.min(2, SETTINGS.accounts));
    await loadStarts("the load's first writes", () => load.ledger.filter((w) => w.kind !== "new_account" && w.answered).length >= 10);
    log(`load under way: ${loadState()}`);

    const reorgs: ReorgResult[] = [];
    for (const depth of SETTINGS.depths) {
      const r = await reorg(node, liveRelayer, depth, () => load.probe(load.accounts[0]));
      reorgs.push(r);
      log(
        `reorg depth ${depth} at block ${r.forkBlock}: ${r.droppedTxs} transaction(s) in the dropped blocks, ${r.droppedRows} of them the relayer's; ` +
          `recovered in ${Number.isFinite(r.recoveryMs) ? `${r.recoveryMs} ms` : "NOT RECOVERED"}, next write answered ${r.probeBlocks} block(s) after`,
      );
      const at = await blockNumber(node);
      await waitFor("two blocks between reorgs", async () => (await blockNumber(node as BaseSepoliaNode)) >= at + 2, 60_000, 200);
    }
    stopLoad = true;
    await loadDone;
    const loadMs = Date.now() - loadStarted;
    clearInterval(storms);
    storms = undefined;
    log(`load stopped: ${load.ledger.length} writes sent in ${(loadMs / 1000).toFixed(0)} s; waiting for every transaction to be final ...`);

    const notFinal = () => (liveRelayer.db().prepare("SELECT COUNT(*) AS n FROM outbox WHERE final = 0").get() as { n: number }).n;
    await waitFor("every outbox row final", () => notFinal() === 0, 300_000, 1000);
    const head = await blockNumber(node);
    await waitFor(`the relayer's index at block ${head}`, () => liveRelayer.indexedBlock() >= head, 300_000);

    log("rebuilding the index from block 0 with a second relayer on a fresh database (straight to the node) ...");
    rebuilt = await startRelayerProcess(
      "rebuild",
      {
        PORT: String(await freePort()),
        DATA_DIR: path.join(tmp, "rebuild"),
        ROOT_SECRET: `0x${randomBytes(32).toString("hex")}`,
        PAYER_COUNT: "1",
        RPC_URL: node.url,
        CHAIN_ID: String(BASE_SEPOLIA_CHAIN_ID),
        DIAMOND_ADDRESS: deployed.diamond,
        START_BLOCK: "0",
      },
      {
        output: { file: path.join(tmp, "rebuild.log") },
        // its payers are not the diamond's: it never becomes ready for writes, but it indexes
        ready: async (u) => (await fetch(`${u}/health`, { signal: AbortSignal.timeout(2000) })).status > 0,
      },
    );
    const rebuild = rebuilt;
    await waitFor(`the rebuilt index at block ${head}`, () => fs.existsSync(path.join(rebuild.dataDir, "relayer.sqlite")) && rebuild.indexedBlock() >= head, 600_000, 1000);

    const provider = node.provider();
    const tally = await chainCounts(provider, deployed.diamond, load.ledger).finally(() => provider.destroy());
    const differences = indexDifference(liveRelayer.db(), rebuild.db());
    const outbox = liveRelayer.db().prepare("SELECT CASE WHEN method = 'batchCalls' THEN 'batch' ELSE kind END AS kind, status, COUNT(*) AS n, SUM(attempts) AS attempts FROM outbox GROUP BY 1, status").all() as {
      kind: string;
      status: string;
      n: number;
      attempts: number;
    }[];

    const { text, ok } = rehearsalTable({
      ledger: load.ledger,
      tally,
      differences,
      reorgs,
      deploySteps: deployed.steps,
      proxy: proxy.stats,
      outbox,
      loadMs,
    });
    console.log("");
    console.log(text);
    if (SETTINGS.report) fs.writeFileSync(SETTINGS.report, `${text}\n`);
    return ok ? 0 : 1;
  } finally {
    await stopAll();
    if (SETTINGS.keep) log(`kept ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exitCode = 1;
  },
);
