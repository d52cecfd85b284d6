/**
 * The report of the relayer write benchmark (bench/relayer.ts): the markdown table (one row per
 * run), the targets, the node-capacity bound, the stage breakdown (BENCH_TRACE), the settings and
 * machine, and the notes per run (failures, nonce accounting, outbox and batching, JSON-RPC and
 * CPU usage); written to bench/results/relayer.md, keeping its hand-written "## History" section.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { HttpRpc } from "../../src/relayer/chain";
import { percentile, table } from "./helpers";
import { modeOf, p50Of, rateOf, type CaseResult, type RunResult } from "./results";
import { SETTINGS } from "./settings";
import { assessTargets, latencyBound, p50Ratio as p50RatioOf, rateRatio, ratioText, targetLines } from "./targets";
import { stageTable } from "./trace";

const ROOT = path.resolve(__dirname, "..", "..");
/** Heading of the hand-written part of bench/results/relayer.md, which a run leaves in place. */
const HISTORY_HEADING = "## History";

/**
 * A table row. Relayer runs: ratios against the raw phases next to them (targets.ts rateRatio /
 * p50Ratio, with the range against each phase alone); the raw row: every phase merged, with the
 * range of its phases; the raw batch row: against every raw phase merged.
 */
function rowOf(r: RunResult, c: CaseResult): string[] {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  const rate = (r.ok / r.wallMs) * 1000;
  const spread = (f: (x: RunResult) => number): string => {
    const vs = c.rawPhases.map((x) => f(x) / f(c.raw));
    return c.rawPhases.length > 1 ? `1.00 (${Math.min(...vs).toFixed(2)}-${Math.max(...vs).toFixed(2)})` : "1.00";
  };
  const ratio =
    r.label === "raw" ? spread(rateOf) : r.label === "relayer" ? ratioText(rateRatio(c, r)) : (rate / rateOf(c.raw)).toFixed(2);
  const p50Ratio =
    r.label === "raw" ? spread(p50Of) : r.label === "relayer" ? ratioText(p50RatioOf(c, r)) : (percentile(sorted, 50) / p50Of(c.raw)).toFixed(2);
  const caseName =
    r.label === "raw"
      ? "raw signed txs (direct to node)"
      : r.label === "raw batch"
        ? `raw batchCalls of ${r.callsPerTx ?? "?"} add_group, one sender (floor of a batched write)`
        : `relayer HTTP add_group (concurrency ${r.concurrency ?? "?"}, ${modeOf(r)})`;
  const writes = r.ok === r.writes ? String(r.writes) : `${r.ok}/${r.writes} ok`;
  return [
    caseName,
    String(r.payers),
    writes,
    rate.toFixed(1),
    percentile(sorted, 50).toFixed(1),
    percentile(sorted, 99).toFixed(1),
    ratio,
    p50Ratio,
    String(r.nonceErrors),
  ];
}

function usageText(r: RunResult): string {
  const per = (n: number) => (r.ok > 0 ? n / r.ok : NaN);
  const total = r.usage.rpc.reduce((a, [, s]) => a + s.calls, 0);
  const methods = r.usage.rpc.map(([m, s]) => `${m} ${per(s.calls).toFixed(2)} x ${(s.ms / s.calls).toFixed(1)} ms`).join(", ");
  const node = r.usage.cpuNodeMs === null ? "n/a" : `${per(r.usage.cpuNodeMs).toFixed(1)} ms`;
  const busy = (ms: number | null) => (ms === null ? "n/a" : `${Math.round((ms / r.wallMs) * 100)}%`);
  return (
    `per write: ${per(total).toFixed(2)} JSON-RPC calls in ${per(r.usage.httpRequests).toFixed(2)} HTTP requests ` +
    `(new TCP connections in the run: ${r.usage.newSockets}), ${per(r.usage.sqlStatements).toFixed(1)} SQLite statements ` +
    `(method: calls per write x mean round trip: ${methods}); CPU ${per(r.usage.cpuSelfMs).toFixed(1)} ms in the ` +
    `benchmark process (${r.label === "relayer" ? "the relayer" : "the raw senders"}) (${busy(r.usage.cpuSelfMs)} of one core; main thread ${r.usage.cpuMainMs === null ? "n/a" : `${per(r.usage.cpuMainMs).toFixed(1)} ms`}; ` +
    `GC pauses ${per(r.usage.gc.minorMs).toFixed(2)} ms minor (${r.usage.gc.minor}) + ${per(r.usage.gc.majorMs).toFixed(2)} ms major (${r.usage.gc.major})), ` +
    (r.usage.cpuClientsMs === null ? "" : `${per(r.usage.cpuClientsMs).toFixed(1)} ms in the client process (${busy(r.usage.cpuClientsMs)}), `) +
    `${node} in the node (${busy(r.usage.cpuNodeMs)}); ` +
    `event-loop delay of the benchmark process p50 / p99 / max ${r.usage.loopDelay
      .map((d) => `${d.p50.toFixed(1)} / ${d.p99.toFixed(1)} / ${d.max.toFixed(1)} ms`)
      .join(" and ")}`
  );
}

/** The machine lines of the settings (taken before the runs: the load average is the one at the start). */
export async function machineInfo(nodeUrl: string): Promise<string[]> {
  const cpus = os.cpus();
  const hardhatVersion = (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", "hardhat", "package.json"), "utf8")) as { version: string }).version;
  const client = (await new HttpRpc(nodeUrl).send("web3_clientVersion", []).catch(() => "?")) as string;
  return [
    `- date: ${new Date().toISOString()}`,
    `- machine: ${os.availableParallelism()} CPUs (nproc), ${cpus[0]?.model ?? "unknown CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()} ${os.arch()}`,
    `- node ${process.version}, hardhat ${hardhatVersion} (node: ${client}); load average at the start ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  ];
}

/** The "## Settings" lines before the machine's. */
function settingsLines(): string[] {
  return [
    `- chain: child \`hardhat node\` (EDR, automine: one block per transaction) on 127.0.0.1, per-request console logging ${SETTINGS.nodeLogging ? "on" : "off"} (\`hardhat_setLoggingEnabled\`)`,
    `- ${SETTINGS.writes} measured writes per case after ${SETTINGS.warmup} warm-up writes; raw and relayer each on their own managed account`,
    `- raw: one sequential sender per payer key (signs locally with the relayer's signTx, local nonces, fixed gas limit = estimate x ${SETTINGS.gasLimitPercent}%,`,
    "  fixed EIP-1559 fees, `eth_sendRawTransaction` then `eth_getTransactionReceipt`), through the relayer's HttpRpc client;",
    `  in phases of ${SETTINGS.rawWrites} writes interleaved with the relayer runs (raw, relayer, raw, ..., raw; same payer keys, the relayer`,
    "  stopped during a raw phase and started again on its DATA_DIR after it); each relayer run is compared with the two raw phases",
    "  on either side of it, merged (the range in parentheses: against each of the two alone); the raw row merges every phase",
    "  (the range in parentheses: each phase against the merged figure)",
    ...(SETTINGS.rawBatch > 1
      ? [
          `- raw batch: one sequential sender (the first payer key) sending batchCalls transactions of ${SETTINGS.rawBatch} addGroup calls, as raw otherwise;`,
          "  each call counted as a write with its transaction's latency, run right after the first raw phase (the floor of a batched write)",
        ]
      : []),
    `- relayer: createRelayer(listen: true) in the benchmark process, SQLite store in ${SETTINGS.dataDirBase || os.tmpdir()}` +
      ` (checkpoints: ${SETTINGS.sqliteCheckpoints ?? "the store's default"}; WAL sync inline below: ${SETTINGS.sqliteWalInlineMs ?? "the store's default"} ms), PAYER_COUNT = payers`,
    "  (the same derived keys as raw), JSON-RPC through FailoverRpc + HttpRpc(RPC_URL) (what RPC_URL gives it), calls counted below the FailoverRpc,",
    `  chain pollIntervalMs ${SETTINGS.pollIntervalMs} (worker tick and indexer poll), balance checks off, LOG_LEVEL silent, no request log,`,
    ...(SETTINGS.batchInFlight > 0 ? [`  BATCH_MAX_IN_FLIGHT ${SETTINGS.batchInFlight} x payers (BENCH_BATCH_IN_FLIGHT),`] : []),
    `  rate limits 1 000 000/min; ${SETTINGS.concurrencies.join(" / ")} concurrent HTTP clients (node:http, keep-alive) posting /core/v1/add_group`,
    "  from a client process of their own (bench/relayer/client-process.ts, one for the whole run, warm-ups included)",
    `  (one measured run per concurrency on the same relayer, max(${SETTINGS.writes}, 4 x clients) writes each);`,
    "  latency = until the HTTP response (transaction mined and indexed)",
    "- three processes share the machine: the benchmark process (the relayer, and the raw senders in their phases), the client process",
    "  (the relayer runs' HTTP clients) and the node; the notes give each one's CPU per write",
    "- writes/s = successful writes / wall time of the measured run; p50/p99 nearest rank",
    "- nonce errors = responses or exceptions mentioning a nonce + chain-layer log lines about nonces + filler",
    "  transactions + payers whose on-chain nonce moved by a different amount than the transactions mined from",
    "  them in the measured window + payers left with pending transactions",
  ];
}

export interface Report {
  text: string;
  nonceTotal: number;
  failedTotal: number;
}

/** The markdown report of every payer count's runs; `machine` from machineInfo. */
export function buildReport(results: CaseResult[], machine: string[]): Report {
  const rows: string[][] = [];
  const notes: string[] = [];
  const low = SETTINGS.concurrencies[0];
  const high = SETTINGS.concurrencies.at(-1) ?? low;
  const targets = assessTargets(results, low, high);
  let nonceTotal = 0;
  let failedTotal = 0;
  const bounds: string[] = [];
  for (const r of results) {
    const bound = latencyBound(r, low, os.availableParallelism());
    if (bound) bounds.push(bound);
    const rawBatchRows = r.rawBatch ? [rowOf(r.rawBatch, r)] : [];
    rows.push(rowOf(r.raw, r), ...rawBatchRows, ...r.relayers.map((x) => rowOf(x, r)));
    for (const x of [r.raw, ...(r.rawBatch ? [r.rawBatch] : []), ...r.relayers]) {
      nonceTotal += x.nonceErrors;
      failedTotal += x.writes - x.ok;
      const tag = `${x.label}${x.batchMaxCalls === undefined ? "" : ` (BATCH_MAX_CALLS ${x.batchMaxCalls})`}, ${x.payers} payer(s)`;
      for (const f of [...new Set(x.failures)].slice(0, 3)) notes.push(`- ${tag}: failed write: ${f}`);
      for (const n of x.nonceNotes) notes.push(`- ${tag}: ${n}`);
      for (const e of x.extra) notes.push(`- ${tag}: ${e}`);
      notes.push(`- ${tag}: ${usageText(x)}`);
    }
  }

  const text = [
    "# Relayer write benchmark",
    "",
    "Admin writes (`addGroup` on a managed account, empty lists) through the relayer vs raw signed",
    "transactions sent directly to the same node in the same run. Reproduce with `npx hardhat run bench/relayer.ts`",
    "(`npm run bench:relayer`).",
    "",
    table(
      ["case", "payers", "writes", "writes/s", "p50 ms", "p99 ms", "writes/s vs raw", "p50 vs raw p50", "nonce errors"],
      rows,
    ),
    "",
    "Targets (ratios against the raw phases run right before and right after each relayer run, merged; in parentheses the range",
    "against each of the two alone; a target is met when the merged ratio meets it):",
    "",
    ...targetLines(targets, low, high),
    "",
    `Nonce errors: ${nonceTotal}. Failed writes: ${failedTotal}.`,
    "",
    ...(bounds.length > 0
      ? [
          `The latency target against the capacity (Little's law for ${low} closed-loop clients: mean latency = clients / writes/s;`,
          "capacity = the least of: 1000 / the node's CPU ms per write (the cheapest of raw, raw batch and the relayer runs at that concurrency),",
          "1000 / the relayer process's and 1000 / the client process's CPU ms per write (each the cheapest relayer run at that concurrency), and",
          "cores x 1000 / the sum of the three (they share the machine's cores); docs/relayer-latency.md):",
          "",
          ...bounds,
          "",
        ]
      : []),
    "",
    ...(SETTINGS.trace
      ? [
          "## Stage breakdown (BENCH_TRACE=1)",
          "",
          "Per relayed write, milliseconds per stage (core/write-trace.ts; docs/relayer-latency.md), p50 / p99 over the measured writes:",
          "",
          stageTable(results),
          "",
        ]
      : []),
    "## Settings",
    "",
    ...settingsLines(),
    ...machine,
    "",
    ...(notes.length > 0 ? ["## Notes", "", ...notes, ""] : []),
  ].join("\n");
  return { text, nonceTotal, failedTotal };
}

/** Writes the report to bench/results/relayer.md; the "## History" section (written by hand: earlier runs, before/after tables) is kept. */
export function writeReport(report: string, outFile: string): void {
  if (outFile === "-") return;
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  const previous = fs.existsSync(outFile) ? fs.readFileSync(outFile, "utf8") : "";
  const history = previous.indexOf(HISTORY_HEADING);
  fs.writeFileSync(outFile, history >= 0 ? `${report}\n${previous.slice(history)}` : report);
  console.log(`written to ${path.relative(process.cwd(), outFile)}`);
}
