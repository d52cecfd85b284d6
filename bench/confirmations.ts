/**
 * What answering after confirmations costs: relayer write throughput and latency with
 * WRITE_CONFIRMATIONS 0 (answer on inclusion, the default) and 2 (answer once 2 blocks are on top),
 * on a chain that mines a block every 2 s as Base does.
 *
 * How to run (from the repository root; nothing needs to be running):
 *
 *     npx hardhat run bench/confirmations.ts        (npm run bench:confirmations)
 *
 * A child `hardhat node` on a free port gets the diamond and the relayer's payers (automine, so the
 * set-up is quick), then is switched to interval mining (evm_setAutomine false,
 * evm_setIntervalMining BENCH_BLOCK_MS). For each mode a relayer (createRelayer in this process,
 * SQLite in a temporary DATA_DIR, 2 payers, batching on, CONFIRMATION_DEPTH 10 as Base Sepolia's
 * default) answers POST /core/v1/add_group from BENCH_CONCURRENCY clients. The modes alternate in
 * BENCH_ROUNDS rounds of BENCH_WRITES / BENCH_ROUNDS writes each (0, 2, 0, 2, ...), so drifting load
 * on the machine affects both alike; the ratio of mode 2 to mode 0 is the comparison, both measured
 * in the same run on the same node.
 *
 * Prints a markdown table and writes it into bench/results/relayer.md under the heading below
 * (replacing an earlier one; the rest of the file is left as it is). BENCH_RESULTS names another
 * file; "-" prints only (as bench:relayer).
 * Settings: BENCH_WRITES (120 per mode)  BENCH_ROUNDS (2)  BENCH_CONCURRENCY (16)  BENCH_BLOCK_MS (2000)
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { parseEther } from "ethers";
import {
  OPEN_RATE_LIMITS_ENV,
  deployDiamondOverRpc,
  freePort,
  setUpRelayerPayers,
  startLocalChain,
  type LocalChain,
} from "../scripts/lib/local-chain";
import { loadConfig, type RelayerConfig } from "../src/relayer/config";
import { createRelayer, type Relayer } from "../src/relayer/main";
import { closeSandbox } from "../src/relayer/lit-runtime/sandbox";
import { rpcCall } from "../scripts/lib/http-json";
import { intEnv } from "./env";
import { clientAgent, post } from "./relayer/http-client";
import { percentile, sleep, table } from "./relayer/helpers";

const HEADING = "## Confirmations: WRITE_CONFIRMATIONS 0 vs 2 on 2 s blocks (bench/confirmations.ts)";

const SETTINGS = {
  writes: intEnv("BENCH_WRITES", 120, 1),
  rounds: intEnv("BENCH_ROUNDS", 2, 1),
  concurrency: intEnv("BENCH_CONCURRENCY", 16, 1),
  blockMs: intEnv("BENCH_BLOCK_MS", 2000, 1),
  modes: [0, 2],
  confirmationDepth: 10,
};


interface ModeResult {
  confirmations: number;
  ok: number;
  sent: number;
  wallMs: number;
  latencies: number[];
  /** Blocks from the write's inclusion to its answer (read back from the outbox), per write. */
  failures: string[];
}

/** One round of one mode: a fresh relayer, one account, `count` add_group writes at the set concurrency. */
async function round(config: RelayerConfig, startBlock: number, count: number, tag: string): Promise<ModeResult> {
  let relayer: Relayer | undefined;
  try {
    relayer = await createRelayer(config, {
      listen: true,
      logger: false,
      startBlock,
      chain: { pollIntervalMs: 100, balanceCheckIntervalMs: 0 },
    });
    const deadline = Date.now() + 60_000;
    while (!relayer.chain.status().writer.ready) {
      if (Date.now() > deadline) throw new Error(`relayer not ready: ${relayer.chain.status().writer.lastError}`);
      await sleep(100);
    }
    const account = await post(`${relayer.url}/core/v1/new_account`, { account_name: `bench ${tag}`, account_description: "" });
    const apiKey = (JSON.parse(account.text) as { api_key?: string }).api_key;
    if (account.status !== 200 || !apiKey) throw new Error(`new_account: HTTP ${account.status} ${account.text}`);
    const latencies: number[] = [];
    const failures: string[] = [];
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: Math.min(SETTINGS.concurrency, count) }, async () => {
        for (let i = next++; i < count; i = next++) {
          const s = performance.now();
          try {
            const r = await post(
              `${relayer!.url}/core/v1/add_group`,
              { group_name: `${tag}-${i}`, group_description: "", pkp_ids_permitted: [], cid_hashes_permitted: [] },
              apiKey,
            );
            if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${r.text.slice(0, 200)}`);
            latencies.push(performance.now() - s);
          } catch (e) {
            failures.push(e instanceof Error ? e.message : String(e));
          }
        }
      }),
    );
    const wallMs = performance.now() - t0;
    return { confirmations: config.chain.writeConfirmations, ok: latencies.length, sent: count, wallMs, latencies, failures };
  } finally {
    await relayer?.close();
  }
}

function merge(a: ModeResult | undefined, b: ModeResult): ModeResult {
  if (!a) return b;
  return {
    confirmations: a.confirmations,
    ok: a.ok + b.ok,
    sent: a.sent + b.sent,
    wallMs: a.wallMs + b.wallMs,
    latencies: [...a.latencies, ...b.latencies],
    failures: [...a.failures, ...b.failures],
  };
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "confirmations-bench-"));
  let node: LocalChain | undefined;
  try {
    node = await startLocalChain({ stdout: { file: path.join(tmp, "chain.log") }, stderr: { file: path.join(tmp, "chain.log") }, logging: false });
    const dep = await deployDiamondOverRpc(node.url, hre.artifacts, { pollingIntervalMs: 50 });
    const env = {
      HOST: "127.0.0.1",
      RPC_URL: node.url,
      CHAIN_ID: "31337",
      DIAMOND_ADDRESS: dep.diamondAddress,
      ROOT_SECRET: `0x${"5e".repeat(32)}`,
      PAYER_COUNT: "2",
      CONFIRMATION_DEPTH: String(SETTINGS.confirmationDepth),
      LOG_LEVEL: "silent",
      ...OPEN_RATE_LIMITS_ENV,
    };
    await setUpRelayerPayers(dep.owner, dep.diamondAddress, loadConfig({ ...env, DATA_DIR: path.join(tmp, "setup") }), { fund: parseEther("1000") });
    dep.provider.destroy();
    await rpcCall(node.url, "evm_setAutomine", [false]);
    await rpcCall(node.url, "evm_setIntervalMining", [SETTINGS.blockMs]);
    console.log(`node ${node.url}: a block every ${SETTINGS.blockMs} ms; diamond ${dep.diamondAddress}`);

    const results = new Map<number, ModeResult>();
    const perRound = Math.ceil(SETTINGS.writes / SETTINGS.rounds);
    for (let r = 0; r < SETTINGS.rounds; r++) {
      for (const confirmations of SETTINGS.modes) {
        const dataDir = fs.mkdtempSync(path.join(tmp, `relayer-${confirmations}-`));
        const config = loadConfig({ ...env, PORT: String(await freePort()), DATA_DIR: dataDir, WRITE_CONFIRMATIONS: String(confirmations) });
        const res = await round(config, dep.deployBlock, perRound, `c${confirmations}-r${r}`);
        console.log(`round ${r + 1}, WRITE_CONFIRMATIONS ${confirmations}: ${res.ok}/${res.sent} ok in ${(res.wallMs / 1000).toFixed(1)} s`);
        results.set(confirmations, merge(results.get(confirmations), res));
      }
    }

    const base = results.get(0);
    if (!base) throw new Error("no WRITE_CONFIRMATIONS 0 run");
    const rate = (m: ModeResult) => (m.ok / m.wallMs) * 1000;
    const rows = SETTINGS.modes.map((c) => {
      const m = results.get(c) as ModeResult;
      const sorted = [...m.latencies].sort((a, b) => a - b);
      return [
        String(c),
        m.ok === m.sent ? String(m.sent) : `${m.ok}/${m.sent} ok`,
        rate(m).toFixed(2),
        percentile(sorted, 50).toFixed(0),
        percentile(sorted, 99).toFixed(0),
        (rate(m) / rate(base)).toFixed(2),
        (percentile(sorted, 50) / percentile([...base.latencies].sort((a, b) => a - b), 50)).toFixed(2),
      ];
    });
    const failures = [...results.values()].flatMap((m) => m.failures);
    const report = [
      HEADING,
      "",
      `Reproduce with \`npx hardhat run bench/confirmations.ts\` (\`npm run bench:confirmations\`). ${new Date().toISOString()}, ` +
        `${os.availableParallelism()} CPUs (${os.cpus()[0]?.model ?? "?"}), load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}.`,
      "",
      table(["WRITE_CONFIRMATIONS", "writes", "writes/s", "p50 ms", "p99 ms", "writes/s vs 0", "p50 vs 0"], rows),
      "",
      `Settings: child \`hardhat node\` with interval mining every ${SETTINGS.blockMs} ms; relayer in the benchmark process (createRelayer, SQLite, 2 payers, ` +
        `BATCH_MAX_CALLS 32, CONFIRMATION_DEPTH ${SETTINGS.confirmationDepth}, poll 100 ms); ${SETTINGS.concurrency} concurrent clients posting /core/v1/add_group; ` +
        `${SETTINGS.rounds} alternating rounds per mode, ${perRound} writes each, a fresh relayer per round. Latency = until the HTTP answer. ` +
        "The clients are closed-loop (each waits for its answer before its next write), so the lower writes/s with 2 confirmations " +
        "comes from each client waiting about 2 blocks longer for its answer. " +
        `Failed writes: ${failures.length}${failures.length > 0 ? ` (first: ${failures[0]})` : ""}.`,
      "",
    ].join("\n");
    console.log("");
    console.log(report);
    const file = (process.env.BENCH_RESULTS ?? "").trim() || path.join(__dirname, "results", "relayer.md");
    if (file !== "-") {
      const previous = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
      const at = previous.indexOf(HEADING);
      let updated: string;
      if (at < 0) updated = `${previous.replace(/\n*$/, "")}\n\n${report}`;
      else {
        const nextHeading = previous.indexOf("\n## ", at + HEADING.length);
        updated = previous.slice(0, at) + report + (nextHeading < 0 ? "" : previous.slice(nextHeading + 1));
      }
      fs.writeFileSync(file, updated);
      console.log(`written to ${path.relative(process.cwd(), file)}`);
    }
    if (failures.length > 0) process.exitCode = 1;
  } finally {
    clientAgent.destroy();
    await node?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

// A relayer's close() leaves the process's Lit Action sandbox workers to the process
// (docs/lit-action-runtime.md): end them, and the process ends on its own.
main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => closeSandbox());
