/**
 * The settings of the relayer write benchmark (bench/relayer.ts), read once from the environment
 * when the benchmark loads; every option is documented at the top of bench/relayer.ts. A bad
 * integer throws naming its variable (bench/env.ts).
 */
import path from "node:path";
import { LOCAL_HOST } from "../../scripts/lib/local-chain";
import { intEnv } from "../env";

/** The host the child node and the relayer listen on. */
export const HOST = LOCAL_HOST;

function sqliteCheckpoints(v: string | undefined): "worker" | "connection" | undefined {
  const s = (v ?? "").trim();
  if (s === "") return undefined;
  if (s === "worker" || s === "connection") return s;
  throw new Error(`BENCH_SQLITE_CHECKPOINTS: expected "worker" or "connection", got ${JSON.stringify(s)}`);
}

function walInlineMs(v: string | undefined): number | undefined {
  const s = (v ?? "").trim();
  if (s === "") return undefined;
  const n = Number(s);
  if (Number.isFinite(n) && n >= 0) return n;
  throw new Error(`BENCH_SQLITE_WAL_INLINE_MS: expected a number of ms >= 0, got ${JSON.stringify(s)}`);
}

export const SETTINGS = {
  writes: intEnv("BENCH_WRITES", 300),
  warmup: intEnv("BENCH_WARMUP", 10),
  /** How long the relayer is watched idle before its measured runs (its CPU per second without writes); 0 = not. */
  idleMs: intEnv("BENCH_IDLE_MS", 500),
  /** Writes of each raw phase (one before the first relayer run, one after each). */
  rawWrites: Math.max(1, intEnv("BENCH_RAW_WRITES", Math.ceil(intEnv("BENCH_WRITES", 300) / 2))),
  /** Concurrent HTTP clients, one measured relayer run per value (the first value's run is the target's "c=8"). */
  concurrencies: (process.env.BENCH_CONCURRENCY ?? "8,32,128")
    .split(",")
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isSafeInteger(n) && n >= 1),
  /** Per-stage timing of every relayed write (core/write-trace.ts), printed as p50/p99 per stage. */
  trace: ["1", "true", "yes"].includes((process.env.BENCH_TRACE ?? "").trim().toLowerCase()),
  pollIntervalMs: Math.max(1, intEnv("BENCH_POLL_MS", 25)),
  payerCounts: (process.env.BENCH_PAYERS ?? "1,4")
    .split(",")
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isSafeInteger(n) && n >= 1),
  nodeLogging: ["1", "true", "yes"].includes((process.env.BENCH_NODE_LOGGING ?? "").trim().toLowerCase()),
  /** Parent directory of the relayer's DATA_DIR (SQLite file); default: the run's temporary directory. */
  dataDirBase: (process.env.BENCH_DATA_DIR ?? "").trim(),
  /** Directory for a CPU profile of each measured relayer run (off when empty). */
  cpuProfDir: (process.env.BENCH_CPU_PROF ?? "").trim(),
  gasLimitPercent: 125n,
  /** BATCH_MAX_CALLS of each relayer run per payer count; the first decides the target (1 = no batching). */
  batchModes: (process.env.BENCH_BATCH ?? "32,1")
    .split(",")
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isSafeInteger(n) && n >= 1),
  /** Batch transactions under way per payer (BATCH_MAX_IN_FLIGHT = this x payers); 0 = the relayer's default. */
  batchInFlight: intEnv("BENCH_BATCH_IN_FLIGHT", 0),
  /** Where the relayer's SQLite store checkpoints ("" = the store's default; "worker" or "connection"). */
  sqliteCheckpoints: sqliteCheckpoints(process.env.BENCH_SQLITE_CHECKPOINTS),
  /** The store's walInlineSyncBelowMs ("" = the store's default, 2 ms; 0 = the WAL sync always on the thread pool). */
  sqliteWalInlineMs: walInlineMs(process.env.BENCH_SQLITE_WAL_INLINE_MS),
  /** Calls per transaction of the "raw batch" line (0: no such line). */
  rawBatch: intEnv("BENCH_RAW_BATCH", 8),
  /** Where the report is written ("-": printed only, nothing written); default bench/results/relayer.md. */
  resultsFile: (process.env.BENCH_RESULTS ?? "").trim() || path.join(__dirname, "..", "results", "relayer.md"),
};

/** Measured writes of a relayer run at `concurrency`: BENCH_WRITES, and at least 4 rounds of the clients. */
export const writesAt = (concurrency: number): number => Math.max(SETTINGS.writes, 4 * concurrency);
