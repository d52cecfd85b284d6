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
