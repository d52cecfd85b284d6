/**
 * The targets of the relayer write benchmark (bench/relayer.ts; issue 18): relayer p50 against raw
 * p50 at the lowest concurrency, writes/s against raw with 4 payers and with batching at the
 * highest concurrency, each a ratio against the raw baseline of the same run and payer count; and
 * the latency target against the node's capacity (Little's law, docs/relayer-latency.md).
 */
import { modeOf, p50Of, rateOf, rawNextTo, ratioRange, type CaseResult, type RunResult } from "./results";

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

/** A relayer run's ratio against its neighbouring raw phases merged, with the range against each alone. */
export interface NeighbourRatio {
  ratio: number;
  range: [number, number];
}

/** writes/s of a relayer run / writes/s of the raw phases next to it (rawNextTo), and against each of them. */
export function rateRatio(c: CaseResult, x: RunResult): NeighbourRatio {
  return { ratio: rateOf(x) / rateOf(rawNextTo(c, x)), range: ratioRange(c, x, (raw) => rateOf(x) / rateOf(raw)) };
}

/** p50 of a relayer run / p50 of the raw phases next to it, and against each of them. */
export function p50Ratio(c: CaseResult, x: RunResult): NeighbourRatio {
  return { ratio: p50Of(x) / p50Of(rawNextTo(c, x)), range: ratioRange(c, x, (raw) => p50Of(x) / p50Of(raw)) };
}

/** "1.05 (0.98-1.12)": the ratio, then the range against each neighbouring raw phase alone (when they differ). */
export function ratioText(r: NeighbourRatio): string {
  const [lo, hi] = r.range.map((v) => v.toFixed(2));
  return lo === hi ? r.ratio.toFixed(2) : `${r.ratio.toFixed(2)} (${lo}-${hi})`;
}

/**
 * Every relayer run's ratios held against the targets; `low` / `high`: the lowest / highest
 * concurrency. Each ratio is against the raw phases measured right before and after that run,
 * merged (never the best of them); the range against each alone is printed with it.
 */
export function assessTargets(results: CaseResult[], low: number, high: number): Targets {
  const targets = {
    latency: { met: true, seen: [] as string[] },
    throughput4: { met: true, seen: [] as string[] },
    batched: { met: true, seen: [] as string[] },
  };
  for (const r of results) {
    for (const x of r.relayers) {
      const tag = `${x.payers} payer(s), ${modeOf(x)}`;
      if (x.concurrency === low) {
        const lat = p50Ratio(r, x);
        targets.latency.met &&= lat.ratio <= LATENCY_TARGET;
        targets.latency.seen.push(`${tag}: ${ratioText(lat)}`);
        if (x.payers === 4) {
          const thr = rateRatio(r, x);
          targets.throughput4.met &&= thr.ratio >= THROUGHPUT_TARGET;
          targets.throughput4.seen.push(`${tag}: ${ratioText(thr)}`);
        }
      }
      if (x.concurrency === high && (x.batchMaxCalls ?? 1) >= 2) {
        const thr = rateRatio(r, x);
        targets.batched.met &&= thr.ratio >= BATCHED_TARGET;
        targets.batched.seen.push(`${tag}: ${ratioText(thr)}`);
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

/** The CPU ms per write of the three processes of a run (null: not measured). */
export interface CpuPerWrite {
  /** The node's. */
  nodeMs: number;
  /** The relayer process's (the benchmark process: the relayer; its HTTP clients are not in it). */
  relayerMs: number | null;
  /** The client process's (bench/relayer/client-process.ts: the HTTP clients). */
  clientsMs: number | null;
}

/** What the CPU time per write allows, per process and all of them together (latencyBound). */
export interface Capacity {
  /** The node's CPU ms per write and the writes/s one core allows it. */
  nodeMs: number;
  node: number;
  /** The relayer process's CPU ms per write, and its writes/s on one core; null when not measured. */
  relayerMs: number | null;
  relayer: number | null;
  /** The client process's CPU ms per write, and its writes/s on one core; null when not measured. */
  clientsMs: number | null;
  clients: number | null;
  /** The machine's cores, which the three processes share. */
  cores: number;
  /**
   * The writes/s of the measured processes' CPU per write together on `cores` cores (they must
   * overlap to reach it); null when only the node is measured.
   */
  together: number | null;
  /** The smallest of the four, and which it is. */
  bound: number;
  limit: "the node" | "the relayer process" | "the client process" | "the processes together on the machine's cores";
}

/**
 * The most writes/s the node, the relayer process and the client process can carry: each runs on
 * one event loop, so at most one core each (1000 / its CPU ms per write), and all three share
 * `cores` cores, so together at most cores x 1000 / (the sum of their CPU ms per write). Pure: the
 * figures come from the run.
 */
export function capacityOf(cpu: CpuPerWrite, cores: number): Capacity {
  const known = (ms: number | null): number | null => (ms === null || ms <= 0 ? null : ms);
  const relayerMs = known(cpu.relayerMs);
  const clientsMs = known(cpu.clientsMs);
  const node = 1000 / cpu.nodeMs;
  const relayer = relayerMs === null ? null : 1000 / relayerMs;
  const clients = clientsMs === null ? null : 1000 / clientsMs;
  const together =
    relayerMs === null && clientsMs === null ? null : (Math.max(1, cores) * 1000) / (cpu.nodeMs + (relayerMs ?? 0) + (clientsMs ?? 0));
  let bound = node;
  let limit: Capacity["limit"] = "the node";
  const candidates: [number | null, Capacity["limit"]][] = [
    [relayer, "the relayer process"],
    [clients, "the client process"],
    [together, "the processes together on the machine's cores"],
  ];
  for (const [v, name] of candidates) {
    if (v !== null && v < bound) {
      bound = v;
      limit = name;
    }
  }
  return { nodeMs: cpu.nodeMs, node, relayerMs, relayer, clientsMs, clients, cores, together, bound, limit };
}

const perWrite = (x: RunResult, cpu: number | null): number | null => (cpu === null || x.ok === 0 ? null : cpu / x.ok);

/**
 * Whether `clients` closed-loop clients can see a latency <= LATENCY_TARGET x raw p50 here: that
 * needs clients / (target x raw p50) writes/s (Little's law), and no more writes per second go
 * through than the node, the relayer process and the client process allow (capacityOf), each at
 * its cheapest CPU time per write measured in this run: the node's in raw, raw batch and the
 * relayer runs at `clients`, the relayer process's and the client process's in the relayer runs
 * at `clients`. Null without the node's CPU time (not Linux).
 */
export function latencyBound(r: CaseResult, clients: number, cores: number): string | null {
  const atClients = r.relayers.filter((x) => x.concurrency === clients);
  const cheapest = (costs: (number | null)[]): number | null => {
    const known = costs.filter((c): c is number => c !== null && c > 0);
    return known.length === 0 ? null : Math.min(...known);
  };
  const nodeMs = cheapest([r.raw, ...(r.rawBatch ? [r.rawBatch] : []), ...atClients].map((x) => perWrite(x, x.usage.cpuNodeMs)));
  if (nodeMs === null) return null;
  const relayerMs = cheapest(atClients.map((x) => perWrite(x, x.usage.cpuSelfMs)));
  const clientsMs = cheapest(atClients.map((x) => perWrite(x, x.usage.cpuClientsMs)));
  const cap = capacityOf({ nodeMs, relayerMs, clientsMs }, cores);
  const needed = (clients * 1000) / (LATENCY_TARGET * p50Of(r.raw));
  const parts = [`the node (${cap.nodeMs.toFixed(2)} ms CPU per write) ~${cap.node.toFixed(0)}`];
  if (cap.relayer !== null && cap.relayerMs !== null) {
    parts.push(`the relayer process (${cap.relayerMs.toFixed(2)} ms) ~${cap.relayer.toFixed(0)}`);
  }
  if (cap.clients !== null && cap.clientsMs !== null) {
    parts.push(`the client process (${cap.clientsMs.toFixed(2)} ms) ~${cap.clients.toFixed(0)}`);
  }
  if (cap.together !== null) {
    const sum = cap.nodeMs + (cap.relayerMs ?? 0) + (cap.clientsMs ?? 0);
    parts.push(`together on ${cap.cores} cores (${sum.toFixed(2)} ms) ~${cap.together.toFixed(0)}`);
  }
  return (
    `- ${r.raw.payers} payer(s): p50 <= ${LATENCY_TARGET.toFixed(1)}x raw (${(LATENCY_TARGET * p50Of(r.raw)).toFixed(1)} ms) at ${clients} clients needs ` +
    `~${needed.toFixed(0)} writes/s; at most ~${cap.bound.toFixed(0)} writes/s go through (${parts.join("; ")}; the bound: ${cap.limit}): ` +
    `${needed <= cap.bound ? "within capacity" : `**out of reach on this machine** (${(needed / cap.bound).toFixed(1)}x its capacity)`}`
  );
}
