/**
 * The relayer process's CPU time per HTTP request (issues 16 and 18: both benches are bound by it
 * on a 2-core machine). A relayer process (bench/http-cpu-child.ts: the scale benchmark's app,
 * bench/scale/reads.ts scaleApp, over a small SQLite index filled through the projection) listens
 * on 127.0.0.1; this process sends a few probes of the scale benchmark over keep-alive sockets
 * and reads the relayer process's own process.cpuUsage() before and after each batch of
 * requests (IPC), so the client's CPU is not counted.
 *
 *     npx ts-node --transpile-only bench/http-cpu.ts
 *
 * A/B: HTTP_CPU_TREES=/path/to/other/checkout,/path/to/this/checkout serves each checkout's app
 * from the same relayer process (one port each; the node_modules are shared) and sends the same
 * batches to each in turn (order A B B A ...), so that the machine's load, which on a shared
 * machine moves the CPU time per request by more than the difference sought, weighs on both
 * alike. The report gives each checkout's median over the batches and the ratio to the first.
 *
 * Settings (environment, optional):
 *   HTTP_CPU_REQUESTS (2000 per batch)  HTTP_CPU_CONCURRENCY (8)  HTTP_CPU_WARMUP (1000 per app and probe)
 *   HTTP_CPU_ROUNDS (6: batches per checkout and probe; the report gives the median)
 *   HTTP_CPU_TREES (this checkout): comma-separated checkouts to compare
 *   HTTP_CPU_DIR (a temporary directory): where the index is filled; reused when already filled
 *   HTTP_CPU_PROF (off): a directory where the relayer process writes a V8 CPU profile (--cpu-prof;
 *     its samples are wall-clock: on a busy machine the time the process waits for a core is
 *     charged to whatever function was running when it was preempted, e.g. the socket's writev)
 *   HTTP_CPU_NODE_ARGS (none): more node options for the relayer process
 *   HTTP_CPU_PROBES (comma-separated probe name prefixes; default: the four below)
 */
import { fork } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openStore } from "../src/relayer/store";
import type { CpuFromChild, CpuToChild } from "./http-cpu-child";
import type { ScaleSpec } from "./scale/dataset";
import { fillIndex } from "./scale/fill";
import { SocketClient, type ProbeClient } from "./scale/http-client";
import { quantile, scaleProbes, sendProbe, type Probe } from "./scale/reads";

const env = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const REQUESTS = env("HTTP_CPU_REQUESTS", 2000);
const CONCURRENCY = env("HTTP_CPU_CONCURRENCY", 8);
const WARMUP = env("HTTP_CPU_WARMUP", 1000);
const ROUNDS = env("HTTP_CPU_ROUNDS", 6);
const PROF = (process.env.HTTP_CPU_PROF ?? "").trim();
const NODE_ARGS = (process.env.HTTP_CPU_NODE_ARGS ?? "").split(" ").filter((a) => a !== "");
const TREES = (process.env.HTTP_CPU_TREES ?? "").split(",").map((t) => t.trim()).filter((t) => t !== "");
const SPEC: ScaleSpec = { accounts: 1_000, groups: 1_000, actions: 1_000, wallets: 1_000, usageKeys: 50 };
const DEFAULT_PROBES = [
  "account_exists (big account)",
  "list_groups (first page)",
  "pre-check add_group (usage key)",
  "pre-check lit_action",
];

interface Batch {
  cpuUs: number;
  systemUs: number;
  times: number[];
}

interface Cpu {
  us: number;
  systemUs: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const dir = process.env.HTTP_CPU_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), "http-cpu-"));
  const marker = path.join(dir, "filled.json");
  if (!fs.existsSync(marker)) {
    const store = await openStore({ dataDir: dir });
    await fillIndex(store, SPEC);
    await store.close();
    fs.writeFileSync(marker, JSON.stringify(SPEC));
  }
  const wanted = (process.env.HTTP_CPU_PROBES ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
  const prefixes = wanted.length > 0 ? wanted : DEFAULT_PROBES;
  const probes = scaleProbes(SPEC).filter((p) => prefixes.some((w) => p.name.startsWith(w)));

  const child = fork(path.join(__dirname, "http-cpu-child.ts"), [dir, ...TREES], {
    execArgv: [
      "-r",
      "ts-node/register/transpile-only",
      ...(PROF ? ["--cpu-prof", `--cpu-prof-dir=${PROF}`] : []),
      ...NODE_ARGS,
    ],
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
  });
  const waiters: ((m: CpuFromChild) => void)[] = [];
  child.on("message", (m: CpuFromChild) => waiters.shift()?.(m));
  const ask = (m: CpuToChild): Promise<CpuFromChild> =>
    new Promise((resolve) => {
      waiters.push(resolve);
      child.send(m);
    });
  const first = await new Promise<CpuFromChild>((resolve) => waiters.push(resolve));
  if (first.type !== "listening") throw new Error("relayer process did not listen");
  const clients = first.ports.map((port) => new SocketClient(port, CONCURRENCY));
  const cpu = async (): Promise<Cpu> => {
    const m = await ask({ type: "cpu" });
    if (m.type !== "cpu") throw new Error("expected cpu");
    return { us: m.us, systemUs: m.systemUs };
  };

  const names = TREES.length > 0 ? TREES.map((t) => path.basename(path.resolve(t))) : ["this checkout"];
  console.log(
    `relayer process CPU per request: median of ${ROUNDS} batches of ${REQUESTS} requests at concurrency ${CONCURRENCY}` +
      (clients.length > 1 ? `; batches alternate between ${names.join(" and ")} (A B B A ...)` : ""),
  );
  console.log("| probe | app | CPU us/request | of which kernel | p50 ms | p99 ms |\n| --- | --- | --- | --- | --- | --- |");
  for (const p of probes) {
    const batches: Batch[][] = clients.map(() => []);
    for (const c of clients) for (let i = 0; i < WARMUP; i++) await sendProbe(c, p);
    for (let round = 0; round < ROUNDS; round++) {
      const order = clients.map((_, i) => i);
      if (round % 2 === 1) order.reverse();
      for (const i of order) batches[i].push(await batch(clients[i], p, cpu));
    }
    const base = median(batches[0].map((b) => b.cpuUs));
    batches.forEach((bs, i) => {
      const us = median(bs.map((b) => b.cpuUs));
      const times = bs.flatMap((b) => b.times).sort((a, b) => a - b);
      const ratio = i === 0 ? "" : ` (${(us / base).toFixed(2)}x)`;
      console.log(
        `| ${p.name} | ${names[i]} | ${us.toFixed(0)}${ratio} | ${median(bs.map((b) => b.systemUs)).toFixed(0)} | ` +
          `${quantile(times, 0.5).toFixed(2)} | ${quantile(times, 0.99).toFixed(2)} |`,
      );
    });
  }
  for (const c of clients) c.close();
  await ask({ type: "stop" }).catch(() => undefined);
  await new Promise((resolve) => child.once("exit", resolve));
  if (!process.env.HTTP_CPU_DIR) fs.rmSync(dir, { recursive: true, force: true });
}

async function batch(client: ProbeClient, p: Probe, cpu: () => Promise<Cpu>): Promise<Batch> {
  const times: number[] = [];
  let next = 0;
  const one = async (): Promise<void> => {
    while (next < REQUESTS) {
      next++;
      const t0 = performance.now();
      await sendProbe(client, p);
      times.push(performance.now() - t0);
    }
  };
  const before = await cpu();
  await Promise.all(Array.from({ length: CONCURRENCY }, one));
  const after = await cpu();
  return {
    cpuUs: (after.us - before.us) / REQUESTS,
    systemUs: (after.systemUs - before.systemUs) / REQUESTS,
    times,
  };
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
