/**
 * Lit Action execution benchmark (not a test).
 *
 *     npm run bench:actions        (= npx hardhat run bench/actions.ts)
 *
 * Starts a real relayer (SQLite in a temp DATA_DIR, indexer, writer) over the in-process Hardhat
 * chain, creates an account, and measures the hello-world action
 * (`async function main() { return "Hello World!"; }`):
 *
 *  - direct: the same function called directly in Node (the baseline of the overhead ratio);
 *  - sandbox: runInSandbox only (fresh isolate, bootstrap, compile, run, dispose);
 *  - http: POST /core/v1/lit_action through the app (auth, permission from the index, CID, sandbox,
 *    usage row) with app.inject, sequential (latency) and at a fixed concurrency (throughput);
 *  - ethers: an action that touches ethers v5 (loaded lazily in its isolate) and signs a message;
 *  - event-loop delay of the relayer process while four hostile actions run at once (loops on
 *    setResponse with 100 KB, loops on getRandomValues), next to no actions and four busy loops.
 *
 * Prints a markdown report and writes it to bench/results/actions.md. Settings (environment):
 *   BENCH_N (1000) sequential executions per case, BENCH_SECONDS (5) throughput window,
 *   BENCH_CONCURRENCY (8) requests in flight for throughput.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEFAULT_ACTION_LIMITS } from "../src/relayer/lit-runtime/limits";
import { runInSandbox, type SandboxHost } from "../src/relayer/lit-runtime/sandbox";
import { BUSY_LOOPS, type EventLoopDelay, HOSTILE_ACTIONS, eventLoopDelayDuring } from "../test/relayer/lit-runtime/hostile-actions";
import { startHarness } from "../test/relayer/e2e/relayer-harness";

const N = Number(process.env.BENCH_N ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const HELLO = 'async function main() {\n  return "Hello World!";\n}\n';
const ETHERS = `async function main() {
  const w = new ethers.Wallet("0x" + "11".repeat(32));
  return await w.signMessage("hello");
}`;

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

interface Stats {
  n: number;
  p50: number;
  p99: number;
  mean: number;
}

async function latency(n: number, fn: () => Promise<void>): Promise<Stats> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = nowMs();
    await fn();
    samples.push(nowMs() - t);
  }
  samples.sort((a, b) => a - b);
  return {
    n,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    mean: samples.reduce((a, b) => a + b, 0) / samples.length,
  };
}

async function throughput(seconds: number, concurrency: number, fn: () => Promise<void>): Promise<number> {
  let done = 0;
  const end = nowMs() + seconds * 1000;
  const started = nowMs();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (nowMs() < end) {
        await fn();
        done++;
      }
    }),
  );
  return done / ((nowMs() - started) / 1000);
}

const fmt = (ms: number): string => (ms < 0.01 ? `${(ms * 1000).toFixed(2)} µs` : `${ms.toFixed(2)} ms`);

async function main(): Promise<void> {
  const h = await startHarness();
  try {
    const res = await h.call("POST", "/core/v1/new_account", { body: { account_name: "bench", account_description: "" } });
    const key = (res.json() as { api_key: string }).api_key;
    const check = await h.call("POST", "/core/v1/lit_action", { key, body: { code: HELLO } });
    if (check.statusCode !== 200 || (check.json() as { response: string }).response !== "Hello World!")
      throw new Error(`hello world failed: ${check.statusCode} ${check.body}`);

    // direct: the same function in Node
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const direct = new Function(`${HELLO}; return main;`)() as () => Promise<string>;
    for (let i = 0; i < 1000; i++) await direct();
    const directStats = await latency(Math.max(N, 10_000), async () => {
      await direct();
    });

    const host: SandboxHost = {
      keyOperation: async () => "",
      fetch: async () => {
        throw new Error("no fetch in the benchmark");
      },
    };
    const sandboxRun = async (code: string) => {
      const r = await runInSandbox({ code, paramsJson: "null", headers: {}, limits: DEFAULT_ACTION_LIMITS, host });
      if (r.error !== null) throw new Error(r.error);
    };
    for (let i = 0; i < 50; i++) await sandboxRun(HELLO);
    const sandboxStats = await latency(N, () => sandboxRun(HELLO));
    const sandboxRate = await throughput(SECONDS, CONCURRENCY, () => sandboxRun(HELLO));

    const httpRun = async (code: string) => {
      const r = await h.call("POST", "/core/v1/lit_action", { key, body: { code } });
      if (r.statusCode !== 200 || (r.json() as { has_error: boolean }).has_error) throw new Error(r.body);
    };
    for (let i = 0; i < 50; i++) await httpRun(HELLO);
    const httpStats = await latency(N, () => httpRun(HELLO));
    const httpRate = await throughput(SECONDS, CONCURRENCY, () => httpRun(HELLO));
    const ethersStats = await latency(Math.max(10, Math.floor(N / 20)), () => httpRun(ETHERS));

    const window = Number(process.env.BENCH_HOSTILE_MS ?? 3000);
    const idle = await eventLoopDelayDuring([], window);
    const busy = await eventLoopDelayDuring(BUSY_LOOPS, window);
    const hostile = await eventLoopDelayDuring(HOSTILE_ACTIONS, window);
    const delayRow = (name: string, d: EventLoopDelay) =>
      `| ${name} | ${fmt(d.p50)} | ${fmt(d.p99)} | ${fmt(d.max)} | ${d.ticks} of ${window / 10} | ${d.runs} |`;

    const ratio = (s: Stats) => (s.p50 / directStats.p50).toFixed(0);
    const cpu = os.cpus();
    const report = [
      "# Lit Action execution benchmark",
      "",
      `Run ${new Date().toISOString()} on ${cpu.length} x ${cpu[0]?.model ?? "?"}, Node ${process.version}, ` +
        `${Math.round(os.totalmem() / 2 ** 30)} GiB RAM. Command: \`npm run bench:actions\` ` +
        `(BENCH_N=${N}, BENCH_SECONDS=${SECONDS}, BENCH_CONCURRENCY=${CONCURRENCY}).`,
      "",
      "Action: `async function main() { return \"Hello World!\"; }` (http-api.md §7 vector).",
      "",
      "| case | p50 | p99 | mean | executions / s | p50 / direct p50 |",
      "|---|---|---|---|---|---|",
      `| direct call in Node (baseline) | ${fmt(directStats.p50)} | ${fmt(directStats.p99)} | ${fmt(directStats.mean)} | ${(1000 / directStats.mean).toFixed(0)} (sequential) | 1 |`,
      `| sandbox only (isolate per execution) | ${fmt(sandboxStats.p50)} | ${fmt(sandboxStats.p99)} | ${fmt(sandboxStats.mean)} | ${sandboxRate.toFixed(0)} (concurrency ${CONCURRENCY}) | ${ratio(sandboxStats)} |`,
      `| POST /core/v1/lit_action (full path) | ${fmt(httpStats.p50)} | ${fmt(httpStats.p99)} | ${fmt(httpStats.mean)} | ${httpRate.toFixed(0)} (concurrency ${CONCURRENCY}) | ${ratio(httpStats)} |`,
      `| POST lit_action, action signing with ethers v5 | ${fmt(ethersStats.p50)} | ${fmt(ethersStats.p99)} | ${fmt(ethersStats.mean)} | - | ${ratio(ethersStats)} |`,
      "",
      `Targets (issue): p50 under 20 ms -> ${httpStats.p50 < 20 ? "met" : "NOT met"} (${fmt(httpStats.p50)}); ` +
        `at least 200 executions per second -> ${httpRate >= 200 ? "met" : "NOT met"} (${httpRate.toFixed(0)} / s).`,
      "",
      `Event-loop delay of the relayer process during ${window} ms (\`monitorEventLoopDelay\`, 10 ms resolution; executions restarted as they end):`,
      "",
      "| during | p50 | p99 | max | 10 ms ticks | executions |",
      "|---|---|---|---|---|---|",
      delayRow("no actions", idle),
      delayRow("four busy loops (`for (;;) {}`)", busy),
      delayRow("four hostile actions (2 x setResponse 100 KB loop, 2 x getRandomValues loop)", hostile),
      "",
      `Target (issue 13): p99 under 50 ms with four hostile actions -> ${hostile.p99 < 50 ? "met" : "NOT met"} (${fmt(hostile.p99)}).`,
      "",
      "Notes:",
      "- Latencies are sequential (one request at a time); throughput keeps the stated number of requests in flight",
      "  for BENCH_SECONDS. The full path is app.inject (no TCP), with the key's authorisation and the",
      "  execution permission read from the SQLite index, the CID computed (cached per code text), the",
      "  usage row queued (written behind the reply in 200 ms batches), and a fresh isolate created and disposed per execution.",
      "- The overhead ratio is huge by construction: the direct call is a microtask (~µs), while each",
      "  execution creates and disposes a V8 isolate with its own heap; this is the price of isolation.",
      "- ethers v5 is loaded lazily, on first use, inside the isolate (V8 code cache; ~75 ms of module",
      "  initialisation, plus the secp256k1 tables of its pure-JS curve on the first signature):",
      "  actions that never touch `ethers` do not pay for it.",
      "",
    ].join("\n");
    console.log(report);
    const out = path.join(__dirname, "results", "actions.md");
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, report);
  } finally {
    await h.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
