/**
 * Lit Action execution benchmark (not a test).
 *
 *     npm run bench:actions        (= npx hardhat run bench/actions.ts)
 *
 * Starts a real relayer (SQLite in a temp DATA_DIR, indexer, writer) over the in-process Hardhat
 * chain, creates an account (its wallet is the PKP of the key cases), starts a local HTTP server
 * (allow-listed for fetch), and measures six actions (CASES), each on two paths:
 *
 *  - sandbox: runInSandbox only (a prepared isolate, install, run, dispose), with a host doing the
 *    same key work as the relayer (secp256k1, AES-256-GCM) and the guarded fetch;
 *  - http: POST /core/v1/lit_action through the app (auth, permission from the index, CID, sandbox,
 *    key requests checked against the index, usage row) with app.inject.
 *
 * Per case and path: sequential latency (p50, p99, mean over BENCH_N runs), throughput with
 * BENCH_CONCURRENCY requests in flight for BENCH_SECONDS, the isolate heap an execution used (mean,
 * from the sandbox's own measure at the end of each run), and the p50 ratio to hello world on the
 * same path in this run (the baseline). Then the event-loop delay of the relayer process while four
 * hostile actions run at once (loops on setResponse with 100 KB, loops on getRandomValues), next
 * to no actions and four busy loops.
 *
 * Prints a markdown report and writes it to bench/results/actions.md. Settings (environment):
 *   BENCH_N (300) sequential executions per case and path, BENCH_SECONDS (5) throughput window,
 *   BENCH_CONCURRENCY (8) requests in flight for throughput, BENCH_CASES (all) comma-separated
 *   case names, BENCH_HOSTILE_MS (3000) event-loop window.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { SigningKey } from "ethers";
import { guardedFetch } from "../src/relayer/lit-runtime/fetch-guard";
import { DEFAULT_ACTION_LIMITS } from "../src/relayer/lit-runtime/limits";
import { closeSandbox, prepareSandbox, runInSandbox, type SandboxHost } from "../src/relayer/lit-runtime/sandbox";
import { BUSY_LOOPS, type EventLoopDelay, HOSTILE_ACTIONS, eventLoopDelayDuring } from "../test/relayer/lit-runtime/hostile-actions";
import { startHarness } from "../test/relayer/e2e/relayer-harness";
import { percentile } from "./relayer/helpers";

const N = Number(process.env.BENCH_N ?? 300);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const TARGET_P50_MS = 20;
const TARGET_RATE = 150;

interface Case {
  name: string;
  title: string;
  code: string;
  /** js_params; `{pkpId}` and `{url}` are filled in. */
  params: (ctx: { pkpId: string; url: string }) => unknown;
  /** Checks a successful response (the benchmark stops on a wrong one). */
  check: (response: unknown) => boolean;
}

const CASES: Case[] = [
  {
    name: "hello",
    title: "hello world (baseline)",
    code: 'async function main() {\n  return "Hello World!";\n}\n',
    params: () => null,
    check: (r) => r === "Hello World!",
  },
  {
    name: "keccak",
    title: "`ethers.utils.keccak256` + `arrayify` on the params",
    code: "async function main({ data }) {\n  return ethers.utils.keccak256(ethers.utils.arrayify(data));\n}\n",
    params: () => ({ data: "0x1234567890abcdef" }),
    check: (r) => r === "0xed8ab4fde4c4e2749641d9d89de3d920f9845e086abd71e6921319f41f0e784f",
  },
  {
    name: "signEcdsa",
    title: "`Lit.Actions.signEcdsa` with a PKP of the account",
    code: "async function main({ pkpId }) {\n  const toSign = new Uint8Array(32).fill(7);\n  return await Lit.Actions.signEcdsa({ pkpId, toSign });\n}\n",
    params: ({ pkpId }) => ({ pkpId }),
    check: (r) => typeof r === "string" && /^0x[0-9a-f]{130}$/.test(r),
  },
  {
    name: "wallet",
    title: "an ethers `Wallet` from a derived key signing a message",
    code:
      "async function main({ pkpId }) {\n  const wallet = new ethers.Wallet(await Lit.Actions.getPrivateKey({ pkpId }));\n" +
      '  return await wallet.signMessage("hello");\n}\n',
    params: ({ pkpId }) => ({ pkpId }),
    check: (r) => typeof r === "string" && /^0x[0-9a-f]{130}$/.test(r),
  },
  {
    name: "fetch",
    title: "`fetch` to a local HTTP server (allow-listed)",
    code: "async function main({ url }) {\n  const res = await fetch(url);\n  return await res.text();\n}\n",
    params: ({ url }) => ({ url }),
    check: (r) => r === "pong",
  },
  {
    name: "encrypt",
    title: "encrypt then decrypt",
    code:
      "async function main({ pkpId }) {\n  const ciphertext = await Lit.Actions.Encrypt({ pkpId, message: \"secret\" });\n" +
      "  return await Lit.Actions.Decrypt({ pkpId, ciphertext });\n}\n",
    params: ({ pkpId }) => ({ pkpId }),
    check: (r) => r === "secret",
  },
];

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

interface Stats {
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
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), mean: samples.reduce((a, b) => a + b, 0) / samples.length };
}

/** Executions per second with `concurrency` in flight, and the process's CPU time (all threads) per execution. */
async function throughput(seconds: number, concurrency: number, fn: () => Promise<void>): Promise<{ rate: number; cpuMs: number }> {
  let done = 0;
  const end = nowMs() + seconds * 1000;
  const started = nowMs();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (nowMs() < end) {
        await fn();
        done++;
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return { rate: done / ((nowMs() - started) / 1000), cpuMs: (used.user + used.system) / 1000 / done };
}

const fmt = (ms: number): string => (ms < 0.01 ? `${(ms * 1000).toFixed(2)} µs` : `${ms.toFixed(2)} ms`);
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB`;

interface Row {
  c: Case;
  path: "sandbox" | "http";
  stats: Stats;
  rate: number;
  /** The relayer process's CPU time (every thread) per execution during the throughput window. */
  cpuMs: number;
  heap: number;
}

/** The key work of the relayer's host (services/lit-action.ts), with one fixed key, for the sandbox path. */
function benchHost(privateKey: string, aesKey: Buffer, allowList: string[]): SandboxHost {
  return {
    keyOperation: async (op, args) => {
      switch (op) {
        case "getPrivateKey":
          return privateKey;
        case "signEcdsa":
          return new SigningKey(privateKey).sign(String(args.toSign)).serialized;
        case "Encrypt": {
          const nonce = randomBytes(12);
          const cipher = createCipheriv("aes-256-gcm", aesKey, nonce);
          const body = Buffer.concat([cipher.update(String(args.message), "utf8"), cipher.final()]);
          return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString("hex");
        }
        case "Decrypt": {
          const bytes = Buffer.from(String(args.ciphertext).replace(/^0x/i, ""), "hex");
          const decipher = createDecipheriv("aes-256-gcm", aesKey, bytes.subarray(0, 12));
          decipher.setAuthTag(bytes.subarray(bytes.length - 16));
          return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]).toString("utf8");
        }
        default:
          throw new Error(`${op} is not used by the benchmark`);
      }
    },
    fetch: (request, o) =>
      guardedFetch(request, {
        allowList,
        timeoutMs: o.timeoutMs,
        maxBytes: DEFAULT_ACTION_LIMITS.maxFetchResponseBytes,
        signal: o.signal,
        bytes: o.bytes,
      }),
  };
}

async function main(): Promise<void> {
  // Sandbox start-up, first (the relayer's start would prepare it): the CPU (the whole process's,
  // all threads) and RSS until the workers are up; workers start without the process's preloads
  // (docs/lit-action-runtime.md, "Sandbox workers and preloads").
  const startRss = process.memoryUsage().rss;
  const startCpu = process.cpuUsage();
  const startAt = performance.now();
  await prepareSandbox(DEFAULT_ACTION_LIMITS.memoryLimitMb);
  const startUp = {
    ms: performance.now() - startAt,
    cpuMs: ((c) => (c.user + c.system) / 1000)(process.cpuUsage(startCpu)),
    rssMb: (process.memoryUsage().rss - startRss) / 2 ** 20,
  };
  console.error(`sandbox start-up: ${fmt(startUp.ms)}, ${startUp.cpuMs.toFixed(0)} CPU-ms, +${startUp.rssMb.toFixed(0)} MiB RSS`);
  const server = http.createServer((_req, res) => res.end("pong"));
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ping`;
  const allowList = ["127.0.0.1"];
  const h = await startHarness({ LIT_ACTION_FETCH_ALLOW_LIST: allowList.join(",") });
  try {
    const res = await h.call("POST", "/core/v1/new_account", { body: { account_name: "bench", account_description: "" } });
    const account = res.json() as { api_key: string; wallet_address: string };
    const key = account.api_key;
    const ctx = { pkpId: account.wallet_address, url };
    const wanted = (process.env.BENCH_CASES ?? "").split(",").filter((x) => x !== "");
    const cases = CASES.filter((c) => c.name === "hello" || wanted.length === 0 || wanted.includes(c.name));

    await prepareSandbox(DEFAULT_ACTION_LIMITS.memoryLimitMb);
    const host = benchHost(`0x${randomBytes(32).toString("hex")}`, randomBytes(32), allowList);
    const rows: Row[] = [];
    for (const c of cases) {
      const paramsJson = JSON.stringify(c.params(ctx));
      let heapSum = 0;
      let heapRuns = 0;
      const sandboxRun = async () => {
        const r = await runInSandbox({ code: c.code, paramsJson, headers: {}, limits: DEFAULT_ACTION_LIMITS, host });
        if (r.error !== null || r.response === null) throw new Error(`${c.name} (sandbox): ${r.error}`);
        const parsed: unknown = (() => {
          try {
            return JSON.parse(r.response) as unknown;
          } catch {
            return r.response;
          }
        })();
        if (!c.check(parsed)) throw new Error(`${c.name} (sandbox): unexpected response ${r.response}`);
        if (r.heapUsedBytes !== null) {
          heapSum += r.heapUsedBytes;
          heapRuns++;
        }
      };
      const httpRun = async () => {
        const r = await h.call("POST", "/core/v1/lit_action", { key, body: { code: c.code, js_params: c.params(ctx) } });
        const reply = r.json() as { response: unknown; has_error: boolean };
        if (r.statusCode !== 200 || reply.has_error || !c.check(reply.response)) throw new Error(`${c.name} (http): ${r.statusCode} ${r.body}`);
      };
      for (const [pathName, fn] of [
        ["sandbox", sandboxRun],
        ["http", httpRun],
      ] as const) {
        for (let i = 0; i < 20; i++) await fn();
        heapSum = 0;
        heapRuns = 0;
        const stats = await latency(N, fn);
        const { rate, cpuMs } = await throughput(SECONDS, CONCURRENCY, fn);
        rows.push({ c, path: pathName, stats, rate, cpuMs, heap: heapRuns > 0 ? heapSum / heapRuns : NaN });
        console.error(`${c.name} ${pathName}: p50 ${fmt(stats.p50)} p99 ${fmt(stats.p99)} ${rate.toFixed(0)}/s ${cpuMs.toFixed(2)} CPU-ms`);
      }
    }
    const rssMb = process.memoryUsage().rss / 2 ** 20;

    const window = Number(process.env.BENCH_HOSTILE_MS ?? 3000);
    const idle = await eventLoopDelayDuring([], window);
    const busy = await eventLoopDelayDuring(BUSY_LOOPS, window);
    const hostile = await eventLoopDelayDuring(HOSTILE_ACTIONS, window);
    const delayRow = (name: string, d: EventLoopDelay) =>
      `| ${name} | ${fmt(d.p50)} | ${fmt(d.p99)} | ${fmt(d.max)} | ${d.ticks} of ${window / 10} | ${d.runs} |`;

    const base = (p: Row["path"]) => rows.find((r) => r.c.name === "hello" && r.path === p) as Row;
    const heapOf = (c: Case) => rows.find((r) => r.c === c && r.path === "sandbox")?.heap ?? NaN;
    const tableRow = (r: Row) =>
      `| ${r.c.title} | ${r.path === "http" ? "full HTTP path" : "sandbox alone"} | ${fmt(r.stats.p50)} | ${fmt(r.stats.p99)} | ` +
      `${fmt(r.stats.mean)} | ${r.rate.toFixed(0)} | ${r.cpuMs.toFixed(2)} ms | ${(2000 / r.cpuMs).toFixed(0)} | ${kb(heapOf(r.c))} | ` +
      `${(r.stats.p50 / base(r.path).stats.p50).toFixed(1)} |`;
    const full = rows.filter((r) => r.path === "http");
    const missed = full.filter((r) => !(r.stats.p50 < TARGET_P50_MS && r.rate >= TARGET_RATE));
    const cpuRatio = (name: string, beforeMs: number) => {
      const row = full.find((r) => r.c.name === name);
      return row === undefined ? "-" : (beforeMs / row.cpuMs).toFixed(1);
    };
    const cpu = os.cpus();
    const load = os.loadavg().map((x) => x.toFixed(2)).join(", ");
    const report = [
      "# Lit Action execution benchmark",
      "",
      `Run ${new Date().toISOString()} on ${cpu.length} x ${cpu[0]?.model ?? "?"}, Node ${process.version}, ` +
        `${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, load average at the end ${load} (the machine is shared). ` +
        `Command: \`npm run bench:actions\` (BENCH_N=${N}, BENCH_SECONDS=${SECONDS}, BENCH_CONCURRENCY=${CONCURRENCY}).`,
      "",
      "Runtime: isolates prepared ahead of demand (bootstrap, and the ethers bundle's loader for code that names `ethers`),",
      "one fresh isolate per execution, disposed after it; ethers' modules evaluated on first use; bootstrap and ethers",
      "compiled with code caches trained in a throwaway context (docs/lit-action-runtime.md, \"Warm isolates\").",
      "",
      "| action | path | p50 | p99 | mean | executions / s (concurrency " + CONCURRENCY + ") | CPU per execution | 2 cores / CPU per execution | isolate heap per execution | p50 / hello world p50 |",
      "|---|---|---|---|---|---|---|---|---|---|",
      ...rows.map(tableRow),
      "",
      `Targets (issue 15), every case on the full path: p50 under ${TARGET_P50_MS} ms and at least ${TARGET_RATE} executions / s -> ` +
        (missed.length === 0 ? "met" : `NOT met for ${missed.map((r) => `${r.c.name} (${fmt(r.stats.p50)}, ${r.rate.toFixed(0)} / s)`).join("; ")}`) +
        ".",
      "",
      `Relayer process RSS after the runs: ${rssMb.toFixed(0)} MiB (two sandbox workers, each with 4 prepared isolates per kind).`,
      "",
      `Sandbox start-up (\`prepareSandbox\`, the workers up): ${fmt(startUp.ms)}, ${startUp.cpuMs.toFixed(0)} ms of CPU (the whole process), ` +
        `+${startUp.rssMb.toFixed(0)} MiB RSS.`,
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
      "  execution permission read from the SQLite index, the CID computed (cached per code text), key requests",
      "  checked against the index, and the usage row queued (written behind the reply in 200 ms batches).",
      "- Isolate heap: V8's used heap of the execution's isolate when the action ended (the prepared bootstrap,",
      "  the ethers bundle when loaded, and what the action allocated).",
      "- CPU per execution: the relayer process's CPU time (all threads: HTTP, sandbox workers, isolated-vm, the local",
      "  HTTP server of the fetch case) during the throughput window, divided by the executions; \"2 cores / CPU\" is the",
      "  rate two idle cores would allow at that cost. It depends much less on the other load of the machine than the",
      "  rates and latencies do, which are what this shared machine gave in this run.",
      "- Every execution uses up one prepared isolate (preparation included in CPU per execution). Before this run's",
      "  runtime, the ethers bundle's start-up cost about 20-30 ms of CPU in every fresh isolate (parse and evaluation",
      "  of the 800 KB UMD bundle), capping ethers actions near 40-65 per second on 2 cores.",
      "- The same benchmark with the runtime before lazy modules and trained caches (main at 2e64ea1: the UMD bundle",
      "  run in every ethers isolate), measured on this machine on 2026-12-05 at 13:45 UTC (load 15-16), full HTTP path,",
      "  CPU per execution: hello world 4.41 ms, keccak256 26.93 ms, Wallet 31.23 ms, fetch 5.70 ms (p50 3.62 / 20.92 /",
      `  27.92 / 10.17 ms; 215 / 23 / 32 / 175 per s). In this run keccak256 costs ${cpuRatio("keccak", 26.93)} x less CPU per execution and a`,
      `  Wallet ${cpuRatio("wallet", 31.23)} x less; fetch is unchanged (its cost over hello world, about 1 ms, is the guarded request on the relayer's thread`,
      "  with a new connection per fetch, and the messages between worker and relayer).",
      "- Before (bench/results/actions.md of 2026-11-23, a fresh isolate created per execution and ethers loaded",
      "  in it on first use): hello world 2.63 ms p50 / 9.29 ms p99 / 318 per s on the full path; an action signing",
      "  with an ethers v5 Wallet 209.99 ms p50 / 322.67 ms p99 (throughput not measured). That run's load is not",
      "  known, so compare ratios to hello world in the same run: the ethers Wallet signing was 80 x hello world then,",
      `  ${(full.find((r) => r.c.name === "wallet")?.stats.p50 ?? NaN) / base("http").stats.p50 > 0 ? ((full.find((r) => r.c.name === "wallet")?.stats.p50 ?? NaN) / base("http").stats.p50).toFixed(1) : "-"} x in this run (full path).`,
      "",
    ].join("\n");
    console.log(report);
    const out = path.join(__dirname, "results", "actions.md");
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, report);
  } finally {
    await h.close();
    server.close();
  }
}

// The sandbox workers belong to the process (docs/lit-action-runtime.md): end them, and the
// process ends on its own.
main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => closeSandbox());
