/**
 * The targets of the relayer write benchmark (bench/relayer.ts; issue 18): relayer p50 against raw
 * p50 at the lowest concurrency, writes/s against raw with 4 payers and with batching at the
 * highest concurrency, each a ratio against the raw baseline of the same run and payer count; and
 * the latency target against the node's capacity (Little's law, docs/relayer-latency.md).
 */
import { modeOf, p50Of, rateOf, type CaseResult, type RunResult } from "./results";

/** Issue 18's targets: relayer p50 / raw p50 at the lowest concurrency; writes/s ratios. */
export const LATENCY_TARGET = 2.0;
export const THROUGHPUT_TARGET = 1.0;
export const BATCHED_TARGET = 1.5;
const mark = (met: boolean): string => (met ? "**met**" : "**not met**");

interface Target {
  met: boolean;
  /** "<payers> payer(s), <mode>: <ratio>" of every run the target applies to. */
  seen: string[];
}

export interface Targets {
  latency: Target;
  throughput4: Target;
  batched: Target;
}

/** Every relayer run's ratios held against the targets; `low` / `high`: the lowest / highest concurrency. */
export function assessTargets(results: CaseResult[], low: number, high: number): Targets {
  const targets = {
    latency: { met: true, seen: [] as string[] },
    throughput4: { met: true, seen: [] as string[] },
    batched: { met: true, seen: [] as string[] },
  };
  for (const r of results) {
    const rawRate = rateOf(r.raw);
    const rawP50 = p50Of(r.raw);
    for (const x of r.relayers) {
      const tag = `${x.payers} payer(s), ${modeOf(x)}`;
      if (x.concurrency === low) {
        const lat = p50Of(x) / rawP50;
        targets.latency.met &&= lat <= LATENCY_TARGET;
        targets.latency.seen.push(`${tag}: ${lat.toFixed(2)}`);
        if (x.payers === 4) {
          const thr = rateOf(x) / rawRate;
          targets.throughput4.met &&= thr >= THROUGHPUT_TARGET;
          targets.throughput4.seen.push(`${tag}: ${thr.toFixed(2)}`);
        }
      }
      if (x.concurrency === high && (x.batchMaxCalls ?? 1) >= 2) {
        const thr = rateOf(x) / rawRate;
        targets.batched.met &&= thr >= BATCHED_TARGET;
        targets.batched.seen.push(`${tag}: ${thr.toFixed(2)}`);
      }
    }
  }
  return targets;
}

/** The report's line per target. */
export function targetLines(targets: Targets, low: number, high: number): string[] {
  return [
    `- relayer p50 <= ${LATENCY_TARGET.toFixed(1)}x raw p50 at concurrency ${low}, every payer count and mode: ` +
      `${mark(targets.latency.met)} (${targets.latency.seen.join("; ")})`,
    `- relayer writes/s >= ${THROUGHPUT_TARGET.toFixed(1)}x raw with 4 payers at concurrency ${low}, every mode: ` +
      `${targets.throughput4.seen.length === 0 ? "not measured" : mark(targets.throughput4.met)} (${targets.throughput4.seen.join("; ")})`,
    `- relayer writes/s >= ${BATCHED_TARGET.toFixed(1)}x raw at concurrency ${high} with batching, every payer count: ` +
      `${targets.batched.seen.length === 0 ? "not measured" : mark(targets.batched.met)} (${targets.batched.seen.join("; ")})`,
  ];
}

/**
 * Whether `clients` closed-loop clients can see a latency <= LATENCY_TARGET x raw p50 on this node:
 * that needs clients / (target x raw p50) writes/s, and the node cannot mine more writes per second
 * than one core allows at its CPU time per write (the cheaper of raw and raw batch, measured in
 * this run). Null without the node's CPU time (not Linux).
 */
export function latencyBound(r: CaseResult, clients: number): string | null {
  const perWrite = (x: RunResult): number | null => (x.usage.cpuNodeMs === null || x.ok === 0 ? null : x.usage.cpuNodeMs / x.ok);
  const costs = [perWrite(r.raw), r.rawBatch ? perWrite(r.rawBatch) : null].filter((c): c is number => c !== null && c > 0);
  if (costs.length === 0) return null;
  const cheapest = Math.min(...costs);
  const capacity = 1000 / cheapest;
  const needed = (clients * 1000) / (LATENCY_TARGET * p50Of(r.raw));
  return (
    `- ${r.raw.payers} payer(s): p50 <= ${LATENCY_TARGET.toFixed(1)}x raw (${(LATENCY_TARGET * p50Of(r.raw)).toFixed(1)} ms) at ${clients} clients needs ` +
    `~${needed.toFixed(0)} writes/s; the node's CPU per write (${cheapest.toFixed(2)} ms) allows at most ~${capacity.toFixed(0)} writes/s: ` +
    `${needed <= capacity ? "within the node's capacity" : `**out of reach on this node** (${(needed / capacity).toFixed(1)}x its capacity)`}`
  );
}
