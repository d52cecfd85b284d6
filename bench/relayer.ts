/**
 * Throughput and latency benchmark of the relayer's write path.
 *
 * How to run (from the repository root; nothing needs to be running, the port numbers are free ones):
 *
 *     npx hardhat run bench/relayer.ts
 *
 * (`npm run bench:relayer` runs the same command.) It starts a child `hardhat node` (automine) on a
 * free 127.0.0.1 port, deploys the AccountConfig diamond to it over JSON-RPC with the well-known dev
 * keys (the same facets and initializer as test/fixtures/diamond.ts; nothing is written to
 * deployments/) - both with scripts/lib/local-chain - and then, for 1 and 4 api payers, measures
 * the same admin write (addGroup on a managed account, empty lists):
 *
 *  - raw: transactions signed locally by the api payer keys (the relayer's signTx) with locally managed nonces and sent
 *    with eth_sendRawTransaction straight to the node; one sequential sender per payer, each
 *    waiting for its receipt before the next write. Fixed gas limit (one estimate * 1.25) and fees.
 *    In phases of BENCH_RAW_WRITES writes interleaved with the relayer runs (raw, relayer, raw, ...,
 *    raw): each relayer run is held against the raw phases right before and after it (merged), so
 *    that background load drifting during the run affects both sides alike; the spread of the raw
 *    phases and each ratio's range against either neighbour alone are printed.
 *  - relayer: a real relayer (createRelayer in this process, listening on a free port, SQLite in a
 *    temp DATA_DIR, PAYER_COUNT = the same payers) answering POST /core/v1/add_group over HTTP at a
 *    fixed concurrency, sent by closed-loop clients (node:http, keep-alive) in a client process of
 *    their own, forked once per benchmark run, as a deployed relayer's clients are other machines;
 *    a write's latency is until the response, i.e. mined and indexed. One relayer start (warm-up
 *    included) per batching mode and concurrency, on the same DATA_DIR per mode; it is stopped
 *    while a raw phase uses its payer keys.
 *
 * Both cases use the same payer keys, the same node and the same JSON-RPC client (the relayer's
 * HttpRpc, wrapped in a call counter). Nonce errors: responses / exceptions mentioning a nonce,
 * chain-layer log lines about nonces, filler transactions, payers whose on-chain nonce advanced by
 * a different amount than the transactions mined from them in the measured window, and payers
 * left with pending (unmined) transactions.
 * The notes of the report give, per case, the JSON-RPC calls per write (with their mean round
 * trip) and the HTTP requests carrying them (a JSON-RPC batch is one), and the CPU time per write
 * of the benchmark process (the relayer; Linux /proc), of the client process (its process.cpuUsage)
 * and of the node (Linux /proc).
 *
 * Prints a markdown table and writes it, with the settings and machine info, to
 * bench/results/relayer.md (its history section kept). Settings (environment, optional):
 *   BENCH_RESULTS (bench/results/relayer.md: the file the report is written to; "-" prints only)
 *   BENCH_WRITES (300: per relayer run, at least 4 x the clients)  BENCH_WARMUP (10)  BENCH_POLL_MS (25)
 *   BENCH_IDLE_MS (500; 0 = off): the relayer watched idle this long after its warm-up (CPU, JSON-RPC calls and SQLite
 *                statements per second without writes: the part of a run's cost that grows with its wall time; the
 *                event-loop delay monitor of the measured runs is off meanwhile: docs/relayer-latency.md, "Ninth pass: an idle relayer's CPU")
 *   BENCH_SQL (off: 1 adds the SQLite statements per write by SQL text to each relayer run's notes)
 *   BENCH_RAW_WRITES (BENCH_WRITES / 2: per raw phase; one phase before the first relayer run and one after each)
 *   BENCH_CONCURRENCY ("8,32,128": one measured relayer run per value, each followed by a raw phase)
 *   BENCH_TRACE (off: 1 prints p50/p99 per write stage, core/write-trace.ts, and the JSON-RPC calls per
 *                write by method and caller in each relayer run's notes, bench/relayer/trace.ts)
 *   BENCH_PAYERS ("1,4")  BENCH_NODE_LOGGING (0: the node's per-request console logging is off)
 *   BENCH_DATA_DIR (the run's directory in os.tmpdir(): where the relayer's DATA_DIR is created)
 *   BENCH_CPU_PROF (off: a directory for V8 CPU profiles of this process, the relayer, during each measured relayer run)
 *   BENCH_BATCH ("32,1": one relayer run per value, as BATCH_MAX_CALLS; 1 = write batching off;
 *                the first value's ratio is the one held against the target)
 *   BENCH_BATCH_IN_FLIGHT (off: the relayer's default, one batch under way per payer): batch
 *                transactions under way per payer (BATCH_MAX_IN_FLIGHT = this x payers)
 *   BENCH_SQLITE_CHECKPOINTS (the store's default: "connection"): "worker" runs the relayer's SQLite
 *                checkpoints on the store's thread (docs/relayer-latency.md, "SQLite's checkpoints off the event loop")
 *   BENCH_SQLITE_WAL_INLINE_MS (the store's default: 2): the store's walInlineSyncBelowMs; 0 keeps the
 *                WAL sync on the thread pool (docs/relayer-latency.md, "Ninth pass: the WAL sync inline while it is fast")
 *   BENCH_RAW_BATCH (8; 0 = off): a "raw batch" line per payer count: ONE sequential sender (the first
 *                payer key) sending batchCalls transactions of this many addGroup calls, each call
 *                counted as a write with its transaction's latency. Its p50 is the physical floor of a
 *                batched write when that many clients leave together in one transaction (the relayer
 *                at that concurrency cannot answer a batched write faster than the node mines the batch).
 *
 * The parts, in bench/relayer/: settings.ts (the options above), raw.ts (the raw senders),
 * relayer-run.ts + cpu-profile.ts (the relayer runs), client-process.ts + http-client.ts (their
 * HTTP clients, in a process of their own: docs/relayer-latency.md, "The benchmark's clients in a
 * process of their own"),
 * case.ts (the child node, the diamond and one payer count), usage.ts (JSON-RPC calls, CPU,
 * event-loop delay), nonces.ts (on-chain nonce accounting), results.ts (a run's result),
 * trace.ts (BENCH_TRACE's stage breakdown), targets.ts and report.ts (the markdown report).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { LocalChain } from "../scripts/lib/local-chain";
import { deployDiamond, runCase, startNode } from "./relayer/case";
import { startClientProcess, type ClientProcess } from "./relayer/client-process";
import { clientAgent } from "./relayer/http-client";
import { buildReport, machineInfo, writeReport } from "./relayer/report";
import type { CaseResult } from "./relayer/results";
import { SETTINGS } from "./relayer/settings";

async function main(): Promise<void> {
  if (SETTINGS.payerCounts.length === 0) throw new Error("BENCH_PAYERS: no payer count");
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "relayer-bench-"));
  let node: LocalChain | undefined;
  let clients: ClientProcess | undefined;
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    console.error("interrupted: stopping the child node and the client process");
    (node?.stop() ?? Promise.resolve()).finally(() => {
      clients?.kill();
      fs.rmSync(tmp, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    console.log("starting a child hardhat node ...");
    node = await startNode(tmp);
    console.log(`node on ${node.url}; deploying the diamond ...`);
    const dep = await deployDiamond(node.url);
    console.log(`diamond at ${dep.diamondAddress}`);
    const machine = await machineInfo(node.url);
    // The relayer runs' HTTP clients: one process of their own for the whole run (client-process.ts).
    clients = await startClientProcess();

    const results: CaseResult[] = [];
    for (const n of SETTINGS.payerCounts) {
      console.log(`payers ${n}: raw baseline and relayer, ${SETTINGS.writes} writes each (+${SETTINGS.warmup} warm-up) ...`);
      const r = await runCase(dep, node, clients, n, tmp);
      results.push(r);
      for (const x of [r.raw, ...r.relayers]) {
        console.log(`  ${x.label}: ${x.ok}/${x.writes} ok in ${(x.wallMs / 1000).toFixed(2)} s`);
      }
    }

    const report = buildReport(results, machine);
    console.log("");
    console.log(report.text);
    writeReport(report.text, SETTINGS.resultsFile);
    if (report.nonceTotal > 0 || report.failedTotal > 0) process.exitCode = 1;
  } finally {
    clientAgent.destroy();
    await clients?.stop();
    await node?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

// The report is written when main() settles; the process then ends even if a library (the
// in-process Hardhat provider, an HTTP agent) still holds a handle open.
main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
