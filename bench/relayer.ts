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
 *    Half of the writes run just before the relayer and half just after it (then summed), so that
 *    background load drifting during the run affects both sides alike.
 *  - relayer: a real relayer (createRelayer, listening on a free port, SQLite in a temp DATA_DIR,
 *    PAYER_COUNT = the same payers) answering POST /core/v1/add_group over HTTP (node:http client,
 *    keep-alive) at a fixed concurrency; a write's latency is until the response, i.e. mined and
 *    indexed.
 *
 * Both cases use the same payer keys, the same node and the same JSON-RPC client (the relayer's
 * HttpRpc, wrapped in a call counter). Nonce errors: responses / exceptions mentioning a nonce,
 * chain-layer log lines about nonces, filler transactions, payers whose on-chain nonce advanced by
 * a different amount than the transactions mined from them in the measured window, and payers
 * left with pending (unmined) transactions.
 * The notes of the report give, per case, the JSON-RPC calls per write (with their mean round
 * trip) and the HTTP requests carrying them (a JSON-RPC batch is one), and the CPU time per write
 * of the benchmark process and of the node (Linux /proc).
 *
 * Prints a markdown table and writes it, with the settings and machine info, to
 * bench/results/relayer.md. Settings (environment, optional):
 *   BENCH_WRITES (300: per relayer run, at least 4 x the clients)  BENCH_WARMUP (10)  BENCH_POLL_MS (25)
 *   BENCH_CONCURRENCY ("8,32,128": one measured relayer run per value, on the same relayer)
 *   BENCH_TRACE (off: 1 prints p50/p99 per write stage, core/write-trace.ts)
 *   BENCH_PAYERS ("1,4")  BENCH_NODE_LOGGING (0: the node's per-request console logging is off)
 *   BENCH_DATA_DIR (the run's directory in os.tmpdir(): where the relayer's DATA_DIR is created)
 *   BENCH_CPU_PROF (off: a directory for V8 CPU profiles of this process during each measured relayer run)
 *   BENCH_BATCH ("32,1": one relayer run per value, as BATCH_MAX_CALLS; 1 = write batching off;
 *                the first value's ratio is the one held against the target)
 *   BENCH_BATCH_IN_FLIGHT (off: the relayer's default, one batch under way per payer): batch
 *                transactions under way per payer (BATCH_MAX_IN_FLIGHT = this x payers)
 *   BENCH_RAW_BATCH (8; 0 = off): a "raw batch" line per payer count: ONE sequential sender (the first
 *                payer key) sending batchCalls transactions of this many addGroup calls, each call
 *                counted as a write with its transaction's latency. Its p50 is the physical floor of a
 *                batched write when that many clients leave together in one transaction (the relayer
 *                at that concurrency cannot answer a batched write faster than the node mines the batch).
 */
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import path from "node:path";
import hre from "hardhat";
import {
  Wallet,
  hexlify,
  parseEther,
  randomBytes,
  type TransactionLike,
} from "ethers";
import {
  LOCAL_HOST,
  deployDiamondOverRpc,
  freePort,
  setUpRelayerPayers,
  startLocalChain,
  type LocalChain,
  type RpcDeployment,
} from "../scripts/lib/local-chain";
import { apiKeyTextHash } from "../src/core/hashing";
import { loadConfig } from "../src/relayer/config";
import { createRelayer, type Relayer } from "../src/relayer/main";
import { FailoverRpc, HttpRpc, diamondInterface, type ChainLogger, type RpcLike } from "../src/relayer/chain";
import type { RpcCall, RpcSettled } from "../src/relayer/chain/rpc";
import { signTx } from "../src/relayer/chain/sign";
import { encodeBatchCalls } from "../src/relayer/chain/batcher";
import { WRITE_STAGES, type WriteStage, type WriteTrace } from "../src/core/write-trace";
import { intEnv } from "./env";

const ROOT = path.resolve(__dirname, "..");
const HOST = LOCAL_HOST;
/** Issue 18's targets: relayer p50 / raw p50 at the lowest concurrency; writes/s ratios. */
const LATENCY_TARGET = 2.0;
const THROUGHPUT_TARGET = 1.0;
const BATCHED_TARGET = 1.5;
const mark = (met: boolean): string => (met ? "**met**" : "**not met**");
/** Heading of the hand-written part of bench/results/relayer.md, which a run leaves in place. */
const HISTORY_HEADING = "## History";

const SETTINGS = {
  writes: intEnv("BENCH_WRITES", 300),
  warmup: intEnv("BENCH_WARMUP", 10),
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
  /** Calls per transaction of the "raw batch" line (0: no such line). */
  rawBatch: intEnv("BENCH_RAW_BATCH", 8),
};

// ------------------------------------------------------------------ small helpers

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const now = () => performance.now();
const hexNum = (v: unknown): number => Number(BigInt(v as string));
const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const NONCE_RE = /nonce/i;

/** Nearest-rank percentile of ascending values. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

interface CallStats {
  calls: number;
  ms: number;
}

/**
 * Counts JSON-RPC calls per method (and their round-trip time) on the way to the node; passes
 * JSON-RPC batches through (each entry counts as a call of its method, with the batch's round
 * trip). The HTTP requests made are counted under "(HTTP requests)".
 */
class CountingRpc implements RpcLike {
  private readonly stats = new Map<string, CallStats>();
  readonly sendBatch?: (calls: readonly RpcCall[]) => Promise<RpcSettled[]>;
  constructor(private readonly inner: HttpRpc) {
    this.sendBatch = async (calls) => {
      const t0 = now();
      try {
        return await inner.sendBatch(calls);
      } finally {
        const ms = now() - t0;
        for (const c of calls) this.count(c.method, ms);
      }
    };
  }
  async send(method: string, params: unknown[]): Promise<unknown> {
    const t0 = now();
    try {
      return await this.inner.send(method, params);
    } finally {
      this.count(method, now() - t0);
    }
  }
  private count(method: string, ms: number): void {
    const s = this.stats.get(method) ?? { calls: 0, ms: 0 };
    this.stats.set(method, { calls: s.calls + 1, ms: s.ms + ms });
  }
  /** HTTP requests so far (a batch is one). */
  httpRequests(): number {
    return this.inner.stats.requests;
  }
  snapshot(): Map<string, CallStats> {
    return new Map([...this.stats].map(([m, s]) => [m, { ...s }]));
  }
  /** Per method since `before`, most frequent first. */
  since(before: Map<string, CallStats>): [string, CallStats][] {
    return [...this.stats]
      .map(([m, s]): [string, CallStats] => {
        const b = before.get(m) ?? { calls: 0, ms: 0 };
        return [m, { calls: s.calls - b.calls, ms: s.ms - b.ms }];
      })
      .filter(([, s]) => s.calls > 0)
      .sort((a, b) => b[1].calls - a[1].calls || a[0].localeCompare(b[0]));
  }
}

/** CPU time (ms) of this process and of the child node (Linux /proc; null elsewhere). */
function cpuNow(nodePid: number | undefined): { self: number; node: number | null } {
  const u = process.cpuUsage();
  let node: number | null = null;
  if (nodePid !== undefined) {
    try {
      // fields after "(comm)": state is 3rd, utime 14th, stime 15th (clock ticks, 100 Hz on Linux)
      const stat = fs.readFileSync(`/proc/${nodePid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      node = ((Number(f[11]) + Number(f[12])) * 1000) / 100;
    } catch {
      node = null;
    }
  }
  return { self: (u.user + u.system) / 1000, node };
}

interface Usage {
  rpc: [string, CallStats][];
  httpRequests: number;
  cpuSelfMs: number;
  cpuNodeMs: number | null;
  /**
   * This process's event-loop delay during the run (perf_hooks, 1 ms resolution), ms: how long a
   * ready callback (an HTTP request, a JSON-RPC response) waited for the loop. One per measured
   * segment (raw runs in two halves).
   */
  loopDelay: { p50: number; p99: number; max: number }[];
}

function measureFrom(rpc: CountingRpc, nodePid: number | undefined): () => Usage {
  const calls = rpc.snapshot();
  const requests = rpc.httpRequests();
  const cpu = cpuNow(nodePid);
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  return () => {
    const end = cpuNow(nodePid);
    loop.disable();
    const ms = (ns: number): number => ns / 1e6;
    return {
      loopDelay: [{ p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) }],
      rpc: rpc.since(calls),
      httpRequests: rpc.httpRequests() - requests,
      cpuSelfMs: end.self - cpu.self,
      cpuNodeMs: end.node === null || cpu.node === null ? null : end.node - cpu.node,
    };
  };
}

/** Runs `count` jobs with at most `concurrency` at once; returns wall time in ms. */
async function pool(count: number, concurrency: number, job: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const start = now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      for (let i = next++; i < count; i = next++) await job(i);
    }),
  );
  return now() - start;
}

// ------------------------------------------------------------------ child hardhat node, diamond

/** The child node (scripts/lib/local-chain), its output in <tmp>/chain.log. */
function startNode(tmp: string): Promise<LocalChain> {
  return startLocalChain({
    stdout: { file: path.join(tmp, "chain.log") },
    stderr: { file: path.join(tmp, "chain.log") },
    logging: SETTINGS.nodeLogging,
    timeoutMs: 60_000,
  });
}

/** The full diamond (every facet + AccountConfigInit.initializeV1), as test/fixtures/diamond.ts does. */
function deployDiamond(url: string): Promise<RpcDeployment> {
  return deployDiamondOverRpc(url, hre.artifacts, { pollingIntervalMs: 50 });
}

// ------------------------------------------------------------------ measurement

interface RunResult {
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

const groupArgs = (master: string, name: string) => [master, name, "bench", [] as bigint[], [] as string[]] as const;

/** Transactions mined from `payers` in blocks (from, to], per payer. */
async function minedFrom(rpc: RpcLike, payers: string[], from: number, to: number): Promise<Map<string, number>> {
  const counts = new Map(payers.map((p) => [p.toLowerCase(), 0]));
  for (let n = from + 1; n <= to; n++) {
    const block = (await rpc.send("eth_getBlockByNumber", [`0x${n.toString(16)}`, true])) as { transactions: { from: string }[] };
    for (const tx of block.transactions) {
      const f = tx.from.toLowerCase();
      if (counts.has(f)) counts.set(f, (counts.get(f) ?? 0) + 1);
    }
  }
  return counts;
}

async function nonces(rpc: RpcLike, payers: string[], tag: "latest" | "pending"): Promise<number[]> {
  return Promise.all(payers.map(async (p) => hexNum(await rpc.send("eth_getTransactionCount", [p, tag]))));
}

/**
 * On-chain nonce accounting for a measured window: each payer's nonce must advance by exactly the
 * number of transactions mined from it, nothing may stay pending, and the mined total must equal
 * the successful writes.
 */
async function checkNonces(
  rpc: RpcLike,
  payers: string[],
  before: { block: number; latest: number[] },
  /** Transactions the run should have mined (raw: one per write; relayer: one per outbox row). */
  expectedTxs: number,
): Promise<{ errors: number; notes: string[] }> {
  const block = hexNum(await rpc.send("eth_blockNumber", []));
  const latest = await nonces(rpc, payers, "latest");
  const pending = await nonces(rpc, payers, "pending");
  const mined = await minedFrom(rpc, payers, before.block, block);
  let errors = 0;
  const notes: string[] = [];
  let total = 0;
  payers.forEach((p, i) => {
    const delta = latest[i] - before.latest[i];
    const m = mined.get(p.toLowerCase()) ?? 0;
    total += m;
    if (delta !== m) {
      errors++;
      notes.push(`${p}: nonce advanced by ${delta} but ${m} transactions were mined from it`);
    }
    if (pending[i] !== latest[i]) {
      errors++;
      notes.push(`${p}: ${pending[i] - latest[i]} transaction(s) still pending (nonce gap?)`);
    }
  });
  if (total !== expectedTxs) notes.push(`${total} transactions mined from the payers, expected ${expectedTxs}`);
  return { errors, notes };
}

/**
 * Raw baseline: one sequential sender per payer key; local nonces; eth_sendRawTransaction + receipt.
 * With callsPerTx > 1 ("raw batch"), each transaction is batchCalls of that many addGroup calls,
 * each call counted as a write whose latency is its transaction's; `count` is in writes.
 */
async function runRaw(
  rpc: CountingRpc,
  nodePid: number | undefined,
  keys: string[],
  diamond: string,
  master: string,
  count: number,
  callsPerTx = 1,
): Promise<RunResult> {
  const dataOf = (i: number): string => {
    if (callsPerTx <= 1) return diamondInterface.encodeFunctionData("addGroup", groupArgs(master, `raw-${i}`));
    const calls = Array.from({ length: callsPerTx }, (_, k) => diamondInterface.encodeFunctionData("addGroup", groupArgs(master, `raw-${i}-${k}`)));
    return encodeBatchCalls(calls);
  };
  const txCount = Math.ceil(count / callsPerTx);
  const wallets = keys.map((k) => new Wallet(k));
  const payers = wallets.map((w) => w.address);
  const chainId = BigInt(await rpc.send("eth_chainId", []) as string);
  const next = await nonces(rpc, payers, "pending");
  const sample = dataOf(-1);
  const estimate = BigInt((await rpc.send("eth_estimateGas", [{ from: payers[0], to: diamond, data: sample }])) as string);
  const gasLimit = (estimate * SETTINGS.gasLimitPercent + 99n) / 100n;
  const block = (await rpc.send("eth_getBlockByNumber", ["latest", false])) as { baseFeePerGas: string };
  const prio = BigInt((await rpc.send("eth_maxPriorityFeePerGas", [])) as string);
  const maxFee = BigInt(block.baseFeePerGas) * 2n + prio;

  const latencies: number[] = [];
  const failures: string[] = [];
  let nonceErrors = 0;
  let ok = 0;
  let seq = 0;
  const before = { block: hexNum(await rpc.send("eth_blockNumber", [])), latest: await nonces(rpc, payers, "latest") };
  const usageOf = measureFrom(rpc, nodePid);
  const start = now();
  await Promise.all(
    wallets.map(async (wallet, w) => {
      for (let i = seq++; i < txCount; i = seq++) {
        const t0 = now();
        try {
          const tx: TransactionLike<string> = {
            type: 2,
            chainId,
            nonce: next[w]++,
            to: diamond,
            data: dataOf(i),
            gasLimit,
            maxFeePerGas: maxFee,
            maxPriorityFeePerGas: prio,
          };
          const raw = signTx(wallet.signingKey, tx).rawTx;
          const hash = (await rpc.send("eth_sendRawTransaction", [raw])) as string;
          let receipt: { status: string } | null = null;
          while (!(receipt = (await rpc.send("eth_getTransactionReceipt", [hash])) as { status: string } | null)) await sleep(2);
          if (hexNum(receipt.status) !== 1) throw new Error(`transaction ${hash} reverted`);
          const ms = now() - t0;
          for (let k = 0; k < callsPerTx; k++) latencies.push(ms);
          ok += callsPerTx;
        } catch (e) {
          const msg = errText(e);
          if (NONCE_RE.test(msg)) nonceErrors++;
          failures.push(msg);
        }
      }
    }),
  );
  const wallMs = now() - start;
  const usage = usageOf();
  const check = await checkNonces(rpc, payers, before, ok / callsPerTx);
  return {
    label: callsPerTx > 1 ? "raw batch" : "raw",
    ...(callsPerTx > 1 ? { callsPerTx } : {}),
    payers: keys.length,
    writes: txCount * callsPerTx,
    ok,
    wallMs,
    latencies,
    failures,
    nonceErrors: nonceErrors + check.errors,
    nonceNotes: check.notes,
    extra: [],
    usage,
  };
}

/** Collects the chain layer's warnings and errors (the relayer's own logs are silent). */
function captureLogger(): ChainLogger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (fields: Record<string, unknown>, msg: string) => {
    lines.push(`${level}: ${msg} ${JSON.stringify(fields)}`);
  };
  return { lines, debug: () => undefined, info: () => undefined, warn: keep("warn"), error: keep("error") };
}

interface HttpReply {
  status: number;
  body: unknown;
  text: string;
}

/**
 * The load generator's HTTP client: node:http with a keep-alive agent (one persistent connection
 * per concurrent client). It runs in the relayer's process and shares its CPU, so it should cost
 * little: global fetch costs several times more CPU per request.
 */
const clientAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function post(url: string, body: unknown, apiKey?: string): Promise<HttpReply> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: "POST",
        agent: clientAgent,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(payload),
          ...(apiKey ? { "x-api-key": apiKey } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = null;
          try {
            parsed = JSON.parse(text);
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, text });
        });
      },
    );
    req.setTimeout(120_000, () => req.destroy(new Error("request timeout")));
    req.on("error", reject);
    req.end(payload);
  });
}

/** Relayer: POST /core/v1/add_group at `concurrency`; latency = until the HTTP response. */
async function runRelayer(
  relayer: Relayer,
  relayerRpc: CountingRpc,
  rpc: RpcLike,
  nodePid: number | undefined,
  apiKey: string,
  count: number,
  logger: { lines: string[] },
  concurrency: number,
  traces: TraceSink,
): Promise<RunResult> {
  const url = `${relayer.url}/core/v1/add_group`;
  const payers = relayer.chain.payers;
  const latencies: number[] = [];
  const failures: string[] = [];
  let nonceErrors = 0;
  let ok = 0;
  const logsBefore = logger.lines.length;
  const rowsBefore = Math.max(0, ...(await relayer.store.outbox.list()).map((r) => r.id));
  const before = { block: hexNum(await rpc.send("eth_blockNumber", [])), latest: await nonces(rpc, payers, "latest") };
  const usageOf = measureFrom(relayerRpc, nodePid);
  const b0 = relayer.chain.status().batches;
  traces.collected = [];
  const wallMs = await pool(count, concurrency, async (i) => {
    const t0 = now();
    try {
      const res = await post(
        url,
        { group_name: `relayed-${i}`, group_description: "bench", pkp_ids_permitted: [], cid_hashes_permitted: [] },
        apiKey,
      );
      const body = res.body as { success?: unknown; group_id?: unknown } | null;
      if (res.status !== 200 || body?.success !== true || typeof body.group_id !== "string") {
        throw new Error(`HTTP ${res.status}: ${res.text.slice(0, 300)}`);
      }
      latencies.push(now() - t0);
      ok++;
    } catch (e) {
      const msg = errText(e);
      if (NONCE_RE.test(msg)) nonceErrors++;
      failures.push(msg);
    }
  });
  const usage = usageOf();
  const rows = (await relayer.store.outbox.list()).filter((r) => r.id > rowsBefore);
  const check = await checkNonces(rpc, payers, before, rows.filter((r) => r.status === "mined").length);
  const newLogs = logger.lines.slice(logsBefore);
  const nonceLogs = newLogs.filter((l) => NONCE_RE.test(l));
  const b1 = relayer.chain.status().batches;
  const resigned = rows.filter((r) => r.attempts > 1).length;
  const fillers = rows.filter((r) => r.kind === "filler").length;
  const notMined = rows.filter((r) => r.status !== "mined").length;
  const batches = b1.batches - b0.batches;
  const batched = b1.batchedCalls - b0.batchedCalls;
  const extra = [
    `outbox rows (transactions) ${rows.length} for ${ok} writes, re-signed ${resigned}, fillers ${fillers}, not mined ${notMined}; ` +
      `chain-layer warnings/errors ${newLogs.length}`,
    `batching ${b1.enabled ? "on" : "off"}: ${batches} batch transactions carrying ${batched} writes` +
      (batches > 0 ? ` (mean ${(batched / batches).toFixed(1)})` : "") +
      `, ${b1.single - b0.single} writes alone, ${b1.rejected - b0.rejected} rejected by a batch pre-flight, ${b1.retriedAlone - b0.retriedAlone} retried alone, ` +
      `${b1.cachedGas - b0.cachedGas} batches sent from cached gas (no pre-flight)`,
    ...newLogs.slice(0, 5),
  ];
  const collected = traces.collected;
  traces.collected = null;
  return {
    label: "relayer",
    concurrency,
    ...(SETTINGS.trace ? { traces: collected ?? [] } : {}),
    payers: payers.length,
    writes: count,
    ok,
    wallMs,
    latencies,
    failures,
    nonceErrors: nonceErrors + nonceLogs.length + fillers + check.errors,
    nonceNotes: [...check.notes, ...nonceLogs.slice(0, 5)],
    extra,
    usage,
  };
}

/**
 * With BENCH_CPU_PROF=<dir>: a V8 CPU profile of this process (relayer + HTTP clients) during a
 * measured relayer run, written as <dir>/<name>.cpuprofile (open in Chrome DevTools).
 */
async function startProfile(): Promise<((name: string) => Promise<string>) | null> {
  if (!SETTINGS.cpuProfDir) return null;
  const inspector = await import("node:inspector");
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: 200 });
  await post("Profiler.start");
  return async (name) => {
    const { profile } = (await post("Profiler.stop")) as { profile: unknown };
    session.disconnect();
    fs.mkdirSync(SETTINGS.cpuProfDir, { recursive: true });
    const file = path.join(SETTINGS.cpuProfDir, `${name}.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(profile));
    return file;
  };
}

// ------------------------------------------------------------------ one payer count

interface CaseResult {
  raw: RunResult;
  /** One per SETTINGS.batchModes, in order. */
  relayers: RunResult[];
  /** BENCH_RAW_BATCH: one sender, batchCalls transactions (the floor of a batched write). */
  rawBatch: RunResult | null;
}

async function runCase(dep: RpcDeployment, node: LocalChain, payerCount: number, tmp: string): Promise<CaseResult> {
  const nodeUrl = node.url;
  const nodePid = node.proc.pid;
  const rpc = new CountingRpc(new HttpRpc(nodeUrl));
  const env = {
    HOST,
    ROOT_SECRET: hexlify(randomBytes(32)),
    RPC_URL: nodeUrl,
    CHAIN_ID: "31337",
    DIAMOND_ADDRESS: dep.diamondAddress,
    PAYER_COUNT: String(payerCount),
    LOG_LEVEL: "silent",
    RATE_LIMIT_KEY_PER_MINUTE: "1000000",
    RATE_LIMIT_KEY_BURST: "1000000",
    RATE_LIMIT_IP_PER_MINUTE: "1000000",
    RATE_LIMIT_IP_BURST: "1000000",
    RATE_LIMIT_NEW_ACCOUNT_PER_HOUR: "1000000",
    RATE_LIMIT_NEW_ACCOUNT_BURST: "1000000",
  };
  // The relayer's derived payers are the diamond's api payers for this case (raw and relayer alike).
  const setupDir = fs.mkdtempSync(path.join(SETTINGS.dataDirBase || tmp, `relayer-${payerCount}-setup-`));
  const { payerKeys } = await setUpRelayerPayers(dep.owner, dep.diamondAddress, loadConfig({ ...env, DATA_DIR: setupDir }), {
    fund: parseEther("1000"),
    admin: true, // the payer check requires the admin payer registered too (writer/payer-check.ts)
  });
  fs.rmSync(setupDir, { recursive: true, force: true });
  const payerWallets = payerKeys.map((k) => new Wallet(k, dep.provider));

  // ---- raw baseline on its own managed account: half before and half after the relayer runs, so
  // that drifting background load on the machine affects both sides alike
  const master = apiKeyTextHash(`bench-raw-${payerCount}-${hexlify(randomBytes(8))}`);
  await (await dep.diamond.connect(payerWallets[0]).newAccount(master, true, "raw bench", "", Wallet.createRandom().address)).wait();
  if (SETTINGS.warmup > 0) await runRaw(rpc, nodePid, payerKeys, dep.diamondAddress, master, SETTINGS.warmup);
  const rawHalf = Math.ceil(SETTINGS.writes / 2);
  const rawBefore = await runRaw(rpc, nodePid, payerKeys, dep.diamondAddress, master, rawHalf);
  let rawBatch: RunResult | null = null;
  if (SETTINGS.rawBatch > 1) {
    const batchMaster = apiKeyTextHash(`bench-raw-batch-${payerCount}-${hexlify(randomBytes(8))}`);
    await (await dep.diamond.connect(payerWallets[0]).newAccount(batchMaster, true, "raw batch bench", "", Wallet.createRandom().address)).wait();
    const one = payerKeys.slice(0, 1);
    await runRaw(rpc, nodePid, one, dep.diamondAddress, batchMaster, SETTINGS.rawBatch, SETTINGS.rawBatch);
    rawBatch = await runRaw(rpc, nodePid, one, dep.diamondAddress, batchMaster, SETTINGS.writes, SETTINGS.rawBatch);
    rawBatch.payers = payerCount;
    rawBatch.extra.push(`one sender (the first payer key), batchCalls of ${SETTINGS.rawBatch} addGroup calls per transaction`);
  }

  // ---- the relayer, once per batching mode, same payer keys (it reconciles its nonces with the chain on start)
  const relayers: RunResult[] = [];
  for (const batchMaxCalls of SETTINGS.batchModes) {
    console.log(`  relayer, BATCH_MAX_CALLS ${batchMaxCalls}, concurrency ${SETTINGS.concurrencies.join(" / ")} ...`);
    const dataDir = fs.mkdtempSync(path.join(SETTINGS.dataDirBase || tmp, `relayer-${payerCount}-`));
    const config = loadConfig({
      ...env,
      PORT: String(await freePort()),
      DATA_DIR: dataDir,
      BATCH_MAX_CALLS: String(batchMaxCalls),
      ...(SETTINGS.batchInFlight > 0 ? { BATCH_MAX_IN_FLIGHT: String(SETTINGS.batchInFlight * payerCount) } : {}),
    });
    try {
      relayers.push(...(await runRelayerOnce(dep, rpc, nodePid, config, payerCount, batchMaxCalls)));
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }

  // ---- second half of the raw baseline (the relayer is stopped: its payer keys are free again)
  const rawAfter = await runRaw(rpc, nodePid, payerKeys, dep.diamondAddress, master, SETTINGS.writes - rawHalf);
  const raw = mergeRuns(rawBefore, rawAfter);
  const rate = (r: RunResult) => ((r.ok / r.wallMs) * 1000).toFixed(1);
  raw.extra.push(`${rawBefore.ok} writes before the relayer runs at ${rate(rawBefore)}/s, ${rawAfter.ok} after at ${rate(rawAfter)}/s`);
  const rawGroups = (await dep.diamond.getAccount(master)).groupCount;
  if (rawGroups !== BigInt(raw.ok + SETTINGS.warmup)) raw.extra.push(`account holds ${rawGroups} groups, expected ${raw.ok + SETTINGS.warmup}`);
  return { raw, relayers, rawBatch };
}

/** One relayer (fresh DATA_DIR) started, warmed up and measured. */
async function runRelayerOnce(
  dep: RpcDeployment,
  rpc: CountingRpc,
  nodePid: number | undefined,
  config: ReturnType<typeof loadConfig>,
  payerCount: number,
  batchMaxCalls: number,
): Promise<RunResult[]> {
  const logger = captureLogger();
  const traces: TraceSink = { collected: null };
  // Exactly what RPC_URL gives the chain layer (an HttpRpc behind the FailoverRpc of RPC_URLS),
  // with a call counter between the two.
  const relayerRpc = new CountingRpc(new HttpRpc(config.chain.rpcUrl));
  let relayer: Relayer | undefined;
  try {
    relayer = await createRelayer(config, {
      provider: new FailoverRpc([{ name: "node", rpc: relayerRpc }]),
      listen: true,
      logger: false,
      ...(SETTINGS.trace
        ? {
            writeTraces: (trace: WriteTrace, req: { url: string; statusCode: number }) => {
              if (req.statusCode === 200 && req.url.endsWith("/add_group")) traces.collected?.push({ ...trace.stages });
            },
          }
        : {}),
      startBlock: dep.deployBlock,
      chain: { pollIntervalMs: SETTINGS.pollIntervalMs, balanceCheckIntervalMs: 0, logger },
    });
    const deadline = Date.now() + 30_000;
    while (!relayer.chain.status().writer.ready) {
      if (Date.now() > deadline) throw new Error(`relayer writer not ready: ${relayer.chain.status().writer.lastError}`);
      await sleep(50);
    }
    await relayer.chain.indexer.syncTo(hexNum(await rpc.send("eth_blockNumber", [])));
    // The payer check must have passed (on a loaded machine its first look may have timed out).
    while ((await relayer.chain.writer.checkPayers())?.ok !== true) {
      if (Date.now() > deadline) throw new Error(`relayer payers not accepted: ${JSON.stringify(relayer.chain.status().writer.payers, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}`);
      await sleep(200);
    }
    const account = await post(`${relayer.url}/core/v1/new_account`, { account_name: "relayer bench", account_description: "" });
    const apiKey = (account.body as { api_key?: unknown } | null)?.api_key;
    if (account.status !== 200 || typeof apiKey !== "string") throw new Error(`new_account: HTTP ${account.status} ${account.text}`);
    let expected = 0;
    if (SETTINGS.warmup > 0) {
      const w = await runRelayer(relayer, relayerRpc, rpc, nodePid, apiKey, SETTINGS.warmup, logger, 8, traces);
      if (w.ok !== SETTINGS.warmup) throw new Error(`relayer warm-up failed: ${w.failures[0]}`);
      expected += w.ok;
    }
    const out: RunResult[] = [];
    for (const concurrency of SETTINGS.concurrencies) {
      const profile = await startProfile();
      const relayed = await runRelayer(relayer, relayerRpc, rpc, nodePid, apiKey, writesAt(concurrency), logger, concurrency, traces);
      relayed.batchMaxCalls = batchMaxCalls;
      const profFile = await profile?.(`relayer-${payerCount}-batch${batchMaxCalls}-c${concurrency}`);
      if (profFile) relayed.extra.push(`CPU profile of the benchmark process during the measured run: ${profFile}`);
      expected += relayed.ok;
      const groups = (await dep.diamond.getAccount(apiKeyTextHash(apiKey))).groupCount;
      if (groups !== BigInt(expected)) relayed.extra.push(`account holds ${groups} groups, expected ${expected}`);
      out.push(relayed);
    }
    return out;
  } finally {
    await relayer?.close();
  }
}

/** Where the relayer's write traces go while a measured run collects them (BENCH_TRACE). */
interface TraceSink {
  collected: Record<WriteStage, number>[] | null;
}

/** Measured writes of a relayer run at `concurrency`: BENCH_WRITES, and at least 4 rounds of the clients. */
const writesAt = (concurrency: number): number => Math.max(SETTINGS.writes, 4 * concurrency);

/** Two measured runs of the same kind as one (rates over the summed wall time). */
function mergeRuns(a: RunResult, b: RunResult): RunResult {
  const rpc = new Map<string, CallStats>();
  for (const [m, s] of [...a.usage.rpc, ...b.usage.rpc]) {
    const t = rpc.get(m) ?? { calls: 0, ms: 0 };
    rpc.set(m, { calls: t.calls + s.calls, ms: t.ms + s.ms });
  }
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
    usage: {
      rpc: [...rpc].sort((x, y) => y[1].calls - x[1].calls || x[0].localeCompare(y[0])),
      httpRequests: a.usage.httpRequests + b.usage.httpRequests,
      cpuSelfMs: a.usage.cpuSelfMs + b.usage.cpuSelfMs,
      cpuNodeMs: a.usage.cpuNodeMs === null || b.usage.cpuNodeMs === null ? null : a.usage.cpuNodeMs + b.usage.cpuNodeMs,
      loopDelay: [...a.usage.loopDelay, ...b.usage.loopDelay],
    },
  };
}

// ------------------------------------------------------------------ report

function rowOf(r: RunResult, rawRate: number, rawP50: number): string[] {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  const rate = (r.ok / r.wallMs) * 1000;
  const ratio = r.label === "raw" ? "1.00" : (rate / rawRate).toFixed(2);
  const p50Ratio = r.label === "raw" ? "1.00" : (percentile(sorted, 50) / rawP50).toFixed(2);
  const mode = r.batchMaxCalls === undefined || r.batchMaxCalls >= 2 ? `batching <= ${r.batchMaxCalls ?? "?"}` : "no batching";
  const caseName =
    r.label === "raw"
      ? "raw signed txs (direct to node)"
      : r.label === "raw batch"
        ? `raw batchCalls of ${r.callsPerTx ?? "?"} add_group, one sender (floor of a batched write)`
        : `relayer HTTP add_group (concurrency ${r.concurrency ?? "?"}, ${mode})`;
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

const p50Of = (r: RunResult): number => percentile([...r.latencies].sort((a, b) => a - b), 50);
const rateOf = (r: RunResult): number => (r.ok / r.wallMs) * 1000;
const modeOf = (r: RunResult): string => ((r.batchMaxCalls ?? 1) >= 2 ? `batching <= ${r.batchMaxCalls}` : "no batching");

/**
 * Whether `clients` closed-loop clients can see a latency <= LATENCY_TARGET x raw p50 on this node:
 * that needs clients / (target x raw p50) writes/s, and the node cannot mine more writes per second
 * than one core allows at its CPU time per write (the cheaper of raw and raw batch, measured in
 * this run). Null without the node's CPU time (not Linux).
 */
function latencyBound(r: CaseResult, clients: number): string | null {
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

/** BENCH_TRACE: p50 / p99 per stage of every relayer run (core/write-trace.ts). */
function stageTable(results: CaseResult[]): string {
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

function usageText(r: RunResult): string {
  const per = (n: number) => (r.ok > 0 ? n / r.ok : NaN);
  const total = r.usage.rpc.reduce((a, [, s]) => a + s.calls, 0);
  const methods = r.usage.rpc.map(([m, s]) => `${m} ${per(s.calls).toFixed(2)} x ${(s.ms / s.calls).toFixed(1)} ms`).join(", ");
  const node = r.usage.cpuNodeMs === null ? "n/a" : `${per(r.usage.cpuNodeMs).toFixed(1)} ms`;
  const busy = (ms: number | null) => (ms === null ? "n/a" : `${Math.round((ms / r.wallMs) * 100)}%`);
  return (
    `per write: ${per(total).toFixed(2)} JSON-RPC calls in ${per(r.usage.httpRequests).toFixed(2)} HTTP requests ` +
    `(method: calls per write x mean round trip: ${methods}); CPU ${per(r.usage.cpuSelfMs).toFixed(1)} ms in the ` +
    `benchmark process (${busy(r.usage.cpuSelfMs)} of one core), ${node} in the node (${busy(r.usage.cpuNodeMs)}); ` +
    `event-loop delay of the benchmark process p50 / p99 / max ${r.usage.loopDelay
      .map((d) => `${d.p50.toFixed(1)} / ${d.p99.toFixed(1)} / ${d.max.toFixed(1)} ms`)
      .join(" and ")}`
  );
}

async function machineInfo(nodeUrl: string): Promise<string[]> {
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

async function main(): Promise<void> {
  if (SETTINGS.payerCounts.length === 0) throw new Error("BENCH_PAYERS: no payer count");
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "relayer-bench-"));
  let node: LocalChain | undefined;
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    console.error("interrupted: stopping the child node");
    (node?.stop() ?? Promise.resolve()).finally(() => {
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

    const results: CaseResult[] = [];
    for (const n of SETTINGS.payerCounts) {
      console.log(`payers ${n}: raw baseline and relayer, ${SETTINGS.writes} writes each (+${SETTINGS.warmup} warm-up) ...`);
      const r = await runCase(dep, node, n, tmp);
      results.push(r);
      for (const x of [r.raw, ...r.relayers]) {
        console.log(`  ${x.label}: ${x.ok}/${x.writes} ok in ${(x.wallMs / 1000).toFixed(2)} s`);
      }
    }

    const rows: string[][] = [];
    const notes: string[] = [];
    const low = SETTINGS.concurrencies[0];
    const high = SETTINGS.concurrencies.at(-1) ?? low;
    const targets = {
      latency: { met: true, seen: [] as string[] },
      throughput4: { met: true, seen: [] as string[] },
      batched: { met: true, seen: [] as string[] },
    };
    let nonceTotal = 0;
    let failedTotal = 0;
    const bounds: string[] = [];
    for (const r of results) {
      const bound = latencyBound(r, low);
      if (bound) bounds.push(bound);
      const rawRate = rateOf(r.raw);
      const rawP50 = p50Of(r.raw);
      const rawBatchRows = r.rawBatch ? [rowOf(r.rawBatch, rawRate, rawP50)] : [];
      rows.push(rowOf(r.raw, rawRate, rawP50), ...rawBatchRows, ...r.relayers.map((x) => rowOf(x, rawRate, rawP50)));
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

    const report = [
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
      "Targets (ratios against the raw baseline of the same run and payer count):",
      "",
      `- relayer p50 <= ${LATENCY_TARGET.toFixed(1)}x raw p50 at concurrency ${low}, every payer count and mode: ` +
        `${mark(targets.latency.met)} (${targets.latency.seen.join("; ")})`,
      `- relayer writes/s >= ${THROUGHPUT_TARGET.toFixed(1)}x raw with 4 payers at concurrency ${low}, every mode: ` +
        `${targets.throughput4.seen.length === 0 ? "not measured" : mark(targets.throughput4.met)} (${targets.throughput4.seen.join("; ")})`,
      `- relayer writes/s >= ${BATCHED_TARGET.toFixed(1)}x raw at concurrency ${high} with batching, every payer count: ` +
        `${targets.batched.seen.length === 0 ? "not measured" : mark(targets.batched.met)} (${targets.batched.seen.join("; ")})`,
      "",
      `Nonce errors: ${nonceTotal}. Failed writes: ${failedTotal}.`,
      "",
      ...(bounds.length > 0
        ? [
            `The latency target against the node's capacity (Little's law for ${low} closed-loop clients: mean latency = clients / writes/s;`,
            "node capacity = 1000 / the node's CPU ms per write, the cheaper of raw and raw batch in this run; docs/relayer-latency.md):",
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
      `- chain: child \`hardhat node\` (EDR, automine: one block per transaction) on 127.0.0.1, per-request console logging ${SETTINGS.nodeLogging ? "on" : "off"} (\`hardhat_setLoggingEnabled\`)`,
      `- ${SETTINGS.writes} measured writes per case after ${SETTINGS.warmup} warm-up writes; raw and relayer each on their own managed account`,
      `- raw: one sequential sender per payer key (signs locally with the relayer's signTx, local nonces, fixed gas limit = estimate x ${SETTINGS.gasLimitPercent}%,`,
      "  fixed EIP-1559 fees, `eth_sendRawTransaction` then `eth_getTransactionReceipt`), through the relayer's HttpRpc client;",
      "  half of the writes just before and half just after the relayer run (same payer keys, the relayer stopped), summed",
      ...(SETTINGS.rawBatch > 1
        ? [
            `- raw batch: one sequential sender (the first payer key) sending batchCalls transactions of ${SETTINGS.rawBatch} addGroup calls, as raw otherwise;`,
            "  each call counted as a write with its transaction's latency, run right after the first half of raw (the floor of a batched write)",
          ]
        : []),
      `- relayer: createRelayer(listen: true) in the benchmark process, SQLite store in ${SETTINGS.dataDirBase || os.tmpdir()}, PAYER_COUNT = payers`,
      "  (the same derived keys as raw), JSON-RPC through FailoverRpc + HttpRpc(RPC_URL) (what RPC_URL gives it), calls counted below the FailoverRpc,",
      `  chain pollIntervalMs ${SETTINGS.pollIntervalMs} (worker tick and indexer poll), balance checks off, LOG_LEVEL silent, no request log,`,
      ...(SETTINGS.batchInFlight > 0 ? [`  BATCH_MAX_IN_FLIGHT ${SETTINGS.batchInFlight} x payers (BENCH_BATCH_IN_FLIGHT),`] : []),
      `  rate limits 1 000 000/min; ${SETTINGS.concurrencies.join(" / ")} concurrent HTTP clients (node:http, keep-alive) posting /core/v1/add_group`,
      `  (one measured run per concurrency on the same relayer, max(${SETTINGS.writes}, 4 x clients) writes each);`,
      "  latency = until the HTTP response (transaction mined and indexed)",
      "- all processes share the machine: benchmark + relayer in one Node process, the node in another",
      "- writes/s = successful writes / wall time of the measured run; p50/p99 nearest rank",
      "- nonce errors = responses or exceptions mentioning a nonce + chain-layer log lines about nonces + filler",
      "  transactions + payers whose on-chain nonce moved by a different amount than the transactions mined from",
      "  them in the measured window + payers left with pending transactions",
      ...machine,
      "",
      ...(notes.length > 0 ? ["## Notes", "", ...notes, ""] : []),
    ].join("\n");

    console.log("");
    console.log(report);
    const outDir = path.join(__dirname, "results");
    fs.mkdirSync(outDir, { recursive: true });
    // The "## History" section (written by hand: earlier runs, before/after tables) is kept.
    const outFile = path.join(outDir, "relayer.md");
    const previous = fs.existsSync(outFile) ? fs.readFileSync(outFile, "utf8") : "";
    const history = previous.indexOf(HISTORY_HEADING);
    fs.writeFileSync(outFile, history >= 0 ? `${report}\n${previous.slice(history)}` : report);
    console.log(`written to ${path.relative(process.cwd(), path.join(outDir, "relayer.md"))}`);
    if (nonceTotal > 0 || failedTotal > 0) process.exitCode = 1;
  } finally {
    clientAgent.destroy();
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
