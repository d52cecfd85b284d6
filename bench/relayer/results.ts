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
  /**
   * Relayer runs: the raw phases measured right before and right after this run (indexes into
   * CaseResult.rawPhases); its ratios are taken against them (rawNextTo).
   */
  rawNeighbours?: [number, number];
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
  /** Every raw phase of this payer count merged (the table's raw row). */
  raw: RunResult;
  /**
   * The raw phases in the order run: one before the first relayer run and one after each relayer
   * run (raw, relayer, raw, relayer, ..., raw), so that each relayer run has a raw phase on
   * either side, minutes apart at most.
   */
  rawPhases: RunResult[];
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

/**
 * The raw baseline a relayer run is held against: the raw phases on either side of it, merged
 * (rates over their summed wall time, latencies pooled); the whole raw baseline for other runs.
 */
export function rawNextTo(c: CaseResult, x: RunResult): RunResult {
  if (!x.rawNeighbours) return c.raw;
  const [a, b] = x.rawNeighbours.map((i) => c.rawPhases[i]);
  return a === b ? a : mergeRuns(a, b);
}

/** A relayer run's figure against each neighbouring raw phase alone: [lowest, highest] ratio. */
export function ratioRange(c: CaseResult, x: RunResult, ratio: (raw: RunResult) => number): [number, number] {
  const rs = (x.rawNeighbours ?? []).map((i) => ratio(c.rawPhases[i]));
  if (rs.length === 0) rs.push(ratio(c.raw));
  return [Math.min(...rs), Math.max(...rs)];
}

export const p50Of = (r: RunResult): number => percentile([...r.latencies].sort((a, b) => a - b), 50);
export const rateOf = (r: RunResult): number => (r.ok / r.wallMs) * 1000;
/** The batching mode of a relayer run as the report's table and notes name it. */
export const modeOf = (r: RunResult): string => ((r.batchMaxCalls ?? 1) >= 2 ? `batching <= ${r.batchMaxCalls}` : "no batching");
