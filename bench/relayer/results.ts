/**
 * What a measured run of the relayer write benchmark (bench/relayer.ts) yields: one run's writes,
 * latencies, failures, nonce errors, notes and usage (RunResult), one payer count's runs
 * (CaseResult), two halves of a run merged into one, and the figures the report reads off a run.
 */
import type { WriteStage } from "../../src/core/write-trace";
import { percentile } from "./helpers";
import { mergeUsage, type Usage } from "./usage";

export interface RunResult {
  label: "raw" | "raw batch" | "relayer";
  /** Raw batch runs: addGroup calls per batchCalls transaction. */
  callsPerTx?: number;
  /** Relayer runs: BATCH_MAX_CALLS. */
  batchMaxCalls?: number;
  /** Relayer runs: concurrent HTTP clients. */
  concurrency?: number;
  /** Relayer runs with BENCH_TRACE: each successful write's milliseconds per stage. */
  traces?: Record<WriteStage, number>[];
  payers: number;
  writes: number;
  ok: number;
  wallMs: number;
  latencies: number[];
  failures: string[];
  nonceErrors: number;
  nonceNotes: string[];
  extra: string[];
  usage: Usage;
}

export interface CaseResult {
  raw: RunResult;
  /** One per SETTINGS.batchModes, in order. */
  relayers: RunResult[];
  /** BENCH_RAW_BATCH: one sender, batchCalls transactions (the floor of a batched write). */
  rawBatch: RunResult | null;
}

/** Two measured runs of the same kind as one (rates over the summed wall time). */
export function mergeRuns(a: RunResult, b: RunResult): RunResult {
  return {
    label: a.label,
    payers: a.payers,
    writes: a.writes + b.writes,
    ok: a.ok + b.ok,
    wallMs: a.wallMs + b.wallMs,
    latencies: [...a.latencies, ...b.latencies],
    failures: [...a.failures, ...b.failures],
    nonceErrors: a.nonceErrors + b.nonceErrors,
    nonceNotes: [...a.nonceNotes, ...b.nonceNotes],
    extra: [...a.extra, ...b.extra],
    usage: mergeUsage(a.usage, b.usage),
  };
}

export const p50Of = (r: RunResult): number => percentile([...r.latencies].sort((a, b) => a - b), 50);
export const rateOf = (r: RunResult): number => (r.ok / r.wallMs) * 1000;
/** The batching mode of a relayer run as the report's table and notes name it. */
export const modeOf = (r: RunResult): string => ((r.batchMaxCalls ?? 1) >= 2 ? `batching <= ${r.batchMaxCalls}` : "no batching");
