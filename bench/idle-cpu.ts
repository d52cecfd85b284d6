/**
 * What an idle relayer spends its CPU on (docs/relayer-latency.md, "Ninth pass: an idle relayer's
 * CPU"). Starts a child hardhat node, the diamond and a relayer as the relayer write benchmark does
 * (bench/relayer/case.ts, relayer-run.ts: same process layout, the same JSON-RPC call counter and
 * SQLite statement counter of bench/relayer/usage.ts), warms it up with a few writes, then watches
 * it idle (no write) in samples of IDLE_SAMPLE_MS (10 000), alternating:
 *
 *  - A: nothing else running in this process;
 *  - B: the benchmark's own event-loop monitor on (perf_hooks monitorEventLoopDelay, resolution
 *    1 ms, as bench/relayer/usage.ts measureFrom enables it for every measured segment).
 *
 * Each sample prints the process CPU (process.cpuUsage), its threads' CPU (Linux /proc/self/task:
 * main thread, libuv pool, V8 helpers, worker threads), JSON-RPC calls and SQLite statements per
 * second, the main thread's context switches per second (its wake-ups) and, with IDLE_TIMERS=1,
 * the timer / immediate callbacks that ran, counted by their creation site (async_hooks). Then
 * one V8 CPU profile of IDLE_SAMPLE_MS with its top self-time functions (the stacks of the top 4).
 *
 *     IDLE_POLL_MS=1000 IDLE_SAMPLES=4 npx hardhat run bench/idle-cpu.ts
 *
 * It is a diagnostic, not part of `npm run bench:relayer`; its figures are in that section of
 * docs/relayer-latency.md.
 *
 * Settings: IDLE_POLL_MS (1000: the relayer's pollIntervalMs), IDLE_SAMPLE_MS (10000),
 * IDLE_SAMPLES (4: A B B A ...), IDLE_PROFILE (1: the CPU profile at the end; 0 = off),
 * IDLE_TIMERS (0), IDLE_HOLD_MS (0); BENCH_SQL=1 adds the statements per second by SQL text.
 */
import { createHook } from "node:async_hooks";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { hexlify, parseEther, randomBytes } from "ethers";
import { OPEN_RATE_LIMITS_ENV, freePort, setUpRelayerPayers } from "../scripts/lib/local-chain";
import { loadConfig } from "../src/relayer/config";
import { createRelayer } from "../src/relayer/main";
import { FailoverRpc, HttpRpc } from "../src/relayer/chain";
import { intEnv } from "./env";
import { deployDiamond, startNode } from "./relayer/case";
import { profileThisProcess } from "./relayer/cpu-profile";
import { hexNum, sleep } from "./relayer/helpers";
import { post } from "./relayer/http-client";
import { HOST } from "./relayer/settings";
import { CountingRpc, measureFrom, sqlSnapshot, statCpuMs } from "./relayer/usage";

const POLL_MS = Math.max(1, intEnv("IDLE_POLL_MS", 1000));
const SAMPLE_MS = Math.max(500, intEnv("IDLE_SAMPLE_MS", 10_000));
const SAMPLES = Math.max(1, intEnv("IDLE_SAMPLES", 4));
const PROFILE = intEnv("IDLE_PROFILE", 1) !== 0;
/** IDLE_HOLD_MS (0): after the samples, stay idle this long (its pid printed), e.g. for strace or perf. */
const HOLD_MS = intEnv("IDLE_HOLD_MS", 0);
/** IDLE_TIMERS (0): 1 counts the timer callbacks by creation site (async_hooks; its stack captures cost CPU themselves). */
const TIMERS = intEnv("IDLE_TIMERS", 0) !== 0;

/** CPU ms per thread of this process, by "tid comm" (Linux /proc; empty elsewhere). */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[] = [];
  try {
    tids = fs.readdirSync("/proc/self/task");
  } catch {
    return out;
  }
  for (const tid of tids) {
    const ms = statCpuMs(`/proc/self/task/${tid}/stat`);
    if (ms === null) continue; // the thread ended
    let name = "main";
    if (tid !== String(process.pid)) {
      try {
        name = fs.readFileSync(`/proc/self/task/${tid}/comm`, "utf8").trim();
      } catch {
        continue; // the thread ended
      }
    }
    out.set(`${name}#${tid}`, ms);
  }
  return out;
}

/** Voluntary + involuntary context switches of the main thread so far (Linux /proc; 0 elsewhere). */
function mainSwitches(): number {
  try {
    const status = fs.readFileSync(`/proc/self/task/${process.pid}/status`, "utf8");
    return [...status.matchAll(/ctxt_switches:\s+(\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
  } catch {
    return 0;
  }
}

/** Timer / immediate callbacks run, by the first caller frame outside node's internals when created. */
const created = new Map<number, string>();
const fired = new Map<string, number>();
function siteOf(stack: string | undefined): string {
  const lines = (stack ?? "").split("\n").slice(1);
  const frames = lines.filter((l) => !l.includes("node:") && !l.includes("(internal/") && !l.includes("idle-cpu.ts"));
  return frames
    .slice(0, 2)
    .map((l) => l.trim().replace(/^at /, "").replace(process.cwd() + "/", ""))
    .join(" <- ");
}
const hook = createHook({
  init(asyncId, type) {
    if (type !== "Timeout" && type !== "Immediate" && type !== "TIMERWRAP") return;
    created.set(asyncId, `${type} ${siteOf(new Error().stack)}`);
  },
  before(asyncId) {
    const site = created.get(asyncId);
    if (site !== undefined) fired.set(site, (fired.get(site) ?? 0) + 1);
  },
  destroy(asyncId) {
    created.delete(asyncId);
  },
});

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "idle-cpu-"));
  const node = await startNode(tmp);
  try {
    const dep = await deployDiamond(node.url);
    const env = {
      HOST,
      ROOT_SECRET: hexlify(randomBytes(32)),
      RPC_URL: node.url,
      CHAIN_ID: "31337",
      DIAMOND_ADDRESS: dep.diamondAddress,
      PAYER_COUNT: "1",
      LOG_LEVEL: "silent",
      ...OPEN_RATE_LIMITS_ENV,
    };
    const setupDir = fs.mkdtempSync(path.join(tmp, "setup-"));
    await setUpRelayerPayers(dep.owner, dep.diamondAddress, loadConfig({ ...env, DATA_DIR: setupDir }), { fund: parseEther("1000"), admin: true });
    const config = loadConfig({ ...env, PORT: String(await freePort()), DATA_DIR: fs.mkdtempSync(path.join(tmp, "relayer-")) });
    const counted = new CountingRpc(new HttpRpc(config.chain.rpcUrl));
    // All hooks on from here, so timers created at start (setInterval) are attributed too.
    if (TIMERS) hook.enable();
    const relayer = await createRelayer(config, {
      provider: new FailoverRpc([{ name: "node", rpc: counted }]),
      listen: true,
      logger: false,
      startBlock: dep.deployBlock,
      chain: { pollIntervalMs: POLL_MS, balanceCheckIntervalMs: 0 },
    });
    try {
      while (!relayer.chain.status().writer.ready) await sleep(50);
      await relayer.chain.indexer.syncTo(hexNum(await counted.send("eth_blockNumber", [])));
      while ((await relayer.chain.writer.checkPayers())?.ok !== true) await sleep(200);
      const account = await post(`${relayer.url}/core/v1/new_account`, { account_name: "idle", account_description: "" });
      const apiKey = (account.body as { api_key?: string }).api_key ?? "";
      for (let i = 0; i < 10; i++) {
        const r = await post(`${relayer.url}/core/v1/add_group`, { group_name: `g${i}`, group_description: "", pkp_ids_permitted: [], cid_hashes_permitted: [] }, apiKey);
        if (r.status !== 200) throw new Error(`add_group: HTTP ${r.status} ${r.text}`);
      }
      console.log(`relayer idle, pollIntervalMs ${POLL_MS}; samples of ${SAMPLE_MS} ms; load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
      await sleep(2000);
      for (let i = 0; i < SAMPLES; i++) {
        const withMonitor = i % 4 === 1 || i % 4 === 2; // A B B A
        fired.clear();
        const threads0 = threadCpu();
        const main0 = mainSwitches();
        const sql0 = sqlSnapshot();
        const usage = measureFrom(counted, node.proc.pid, { loopDelay: withMonitor });
        await sleep(SAMPLE_MS);
        const u = usage();
        const wakeups = mainSwitches() - main0;
        const threads1 = threadCpu();
        const per = (n: number) => ((n / SAMPLE_MS) * 1000).toFixed(1);
        const calls = u.rpc.reduce((a, [, c]) => a + c.calls, 0);
        console.log(
          `\n${withMonitor ? "B (event-loop monitor on)" : "A (nothing else)"}: process CPU ${per(u.cpuSelfMs)} ms/s, main thread ${u.cpuMainMs === null ? "-" : per(u.cpuMainMs)} ms/s, ` +
            `node ${u.cpuNodeMs === null ? "-" : per(u.cpuNodeMs)} ms/s; ${per(calls)} JSON-RPC calls/s (${u.rpc.map(([m, c]) => `${m} ${per(c.calls)}`).join(", ")}), ` +
            `${per(u.sqlStatements)} SQLite statements/s; main thread ${per(wakeups)} context switches/s; GC ${u.gc.minor + u.gc.major} (${(u.gc.minorMs + u.gc.majorMs).toFixed(1)} ms); load ${os.loadavg()[0].toFixed(2)}`,
        );
        const threadLines = [...threads1]
          .map(([k, v]): [string, number] => [k, v - (threads0.get(k) ?? 0)])
          .filter(([, v]) => v > 0)
          .sort((a, b) => b[1] - a[1]);
        console.log(`  threads (ms/s): ${threadLines.map(([k, v]) => `${k} ${per(v)}`).join(", ")}`);
        const sql = [...sqlSnapshot()].map(([k, n]): [string, number] => [k, n - (sql0.get(k) ?? 0)]).filter(([, n]) => n > 0);
        if (sql.length > 0) console.log(`  statements/s by SQL text: ${sql.sort((a, b) => b[1] - a[1]).map(([k, n]) => `${per(n)} x ${k}`).join("; ")}`);
        const timers = [...fired].sort((a, b) => b[1] - a[1]).slice(0, 12);
        if (TIMERS) console.log(`  callbacks/s by creation site:\n${timers.map(([k, n]) => `    ${per(n)} x ${k}`).join("\n")}`);
      }
      if (HOLD_MS > 0) {
        console.log(`holding idle ${HOLD_MS} ms: pid ${process.pid}`);
        await sleep(HOLD_MS);
      }
      hook.disable();
      if (PROFILE) await profile(SAMPLE_MS);
    } finally {
      hook.disable();
      await relayer.close();
    }
  } finally {
    await node.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** A V8 CPU profile of `ms`, its top self-time functions printed. */
async function profile(ms: number): Promise<void> {
  const stop = await profileThisProcess(500);
  await sleep(ms);
  const p = (await stop()) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const n = byId.get(id);
    if (n === undefined) return;
    const f = n.callFrame;
    const key = `${f.functionName || "(anonymous)"} ${f.url.replace(/^file:\/\//, "").replace(process.cwd() + "/", "")}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  });
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const nodeSelf = new Map<number, number>();
  p.samples.forEach((id, i) => nodeSelf.set(id, (nodeSelf.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000));
  const name = (n: ProfileNode) => `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.replace(/^file:\/\//, "").replace(process.cwd() + "/", "")}:${n.callFrame.lineNumber + 1}`;
  const topNodes = [...nodeSelf].filter(([id]) => byId.get(id)?.callFrame.functionName !== "(idle)").sort((a, b) => b[1] - a[1]).slice(0, 4);
  for (const [id, v] of topNodes) {
    const chain: string[] = [];
    for (let cur: number | undefined = id; cur !== undefined && chain.length < 12; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (n) chain.push(name(n));
    }
    console.log(`  stack of ${((v / ms) * 1000).toFixed(2)} ms/s: ${chain.join(" <- ")}`);
  }
  // "dispatch" is the inspector's own Profiler.start / stop call (native, from this function).
  const total = [...self].filter(([k]) => !k.startsWith("(idle)") && !k.startsWith("dispatch ")).reduce((a, [, v]) => a + v, 0);
  console.log(`\nCPU profile, ${ms} ms: ${((total / ms) * 1000).toFixed(1)} ms/s sampled on the main thread outside (idle); top self time (ms/s):`);
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${((v / ms) * 1000).toFixed(2)}  ${k}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
