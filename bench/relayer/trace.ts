/**
 * The per-stage breakdown of relayed writes in the relayer write benchmark (bench/relayer.ts,
 * BENCH_TRACE=1): where the relayer's write traces (core/write-trace.ts) are collected during a
 * measured run, and the p50 / p99 per stage of every relayer run as a markdown table.
 */
import { WRITE_STAGES, type WriteStage, type WriteTrace } from "../../src/core/write-trace";
import { percentile, table } from "./helpers";
import { modeOf, type CaseResult } from "./results";

/** Where the relayer's write traces go while a measured run collects them (BENCH_TRACE). */
export interface TraceSink {
  collected: Record<WriteStage, number>[] | null;
}

/** The relayer's writeTraces hook: each successful add_group's stages into the sink while it collects. */
export function traceCollector(traces: TraceSink): (trace: WriteTrace, req: { url: string; statusCode: number }) => void {
  return (trace, req) => {
    if (req.statusCode === 200 && req.url.endsWith("/add_group")) traces.collected?.push({ ...trace.stages });
  };
}

/** BENCH_TRACE: p50 / p99 per stage of every relayer run (core/write-trace.ts). */
export function stageTable(results: CaseResult[]): string {
  const rows: string[][] = [];
  for (const r of results) {
    for (const x of r.relayers) {
      const t = x.traces ?? [];
      if (t.length === 0) continue;
      const cell = (values: number[]): string => {
        const sorted = [...values].sort((a, b) => a - b);
        return `${percentile(sorted, 50).toFixed(1)} / ${percentile(sorted, 99).toFixed(1)}`;
      };
      rows.push([
        String(x.payers),
        String(x.concurrency ?? "?"),
        modeOf(x),
        ...WRITE_STAGES.map((s) => cell(t.map((e) => e[s]))),
        cell(t.map((e) => WRITE_STAGES.reduce((a, s) => a + e[s], 0))),
      ]);
    }
  }
  return table(["payers", "clients", "mode", ...WRITE_STAGES.map((s) => `${s} p50 / p99`), "total p50 / p99"], rows);
}

/**
 * The caller of a JSON-RPC call, as "Class.method (file.ts) < its caller (file.ts)": the two
 * innermost frames of the current (async) stack inside src/relayer/ that are not the JSON-RPC
 * client itself (rpc.ts, failover.ts), so that a helper (a batch sender, say) is told apart by who
 * called it. BENCH_TRACE only: a stack capture per request (a batch is one) costs some CPU.
 */
export function rpcCaller(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, rpcCaller);
  Error.stackTraceLimit = limit;
  const frames: string[] = [];
  for (const line of (holder.stack ?? "").split("\n").slice(1)) {
    const m = /at (?:async )?(?:(\S+) \()?([^()\s]*?src\/relayer\/([^():\s]+)):\d+:\d+\)?$/.exec(line.trim());
    if (!m || /chain\/(rpc|failover)\.ts$/.test(m[3])) continue;
    frames.push(`${m[1] ?? "<anonymous>"} (${m[3].replace(/^chain\//, "")})`);
    if (frames.length === 2) break;
  }
  return frames.length > 0 ? frames.join(" < ") : "(outside src/relayer)";
}

/** Calls per write by method and caller, most first: "method <- caller n.nn". */
export function callersLine(byCaller: [string, number][], writes: number): string {
  return byCaller
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, n]) => `${k} ${(n / Math.max(1, writes)).toFixed(2)}`)
    .join("; ");
}
