/**
 * What the fresh-index gate (src/relayer/chain/fresh-index.ts, docs/finality.md "Answers that
 * follow the chain") adds to a request when the index is already at the chain head.
 *
 * How to run (from the repository root; nothing needs to be running, the ports are free ones):
 *
 *     npm run bench:fresh-reads        (npx hardhat run bench/fresh-reads.ts)
 *
 * It starts a child `hardhat node` (automine) on a free 127.0.0.1 port, deploys the diamond to it
 * over JSON-RPC (scripts/lib/local-chain), and has ChainSecured admins (fresh wallets) create their
 * accounts, a usage key and a few groups on-chain themselves. Two relayers then serve that chain
 * in this process, each listening on a free port and reaching the node over HTTP (RPC_URL, the
 * relayer's own JSON-RPC client), each with its SQLite store indexed to the head:
 *
 *  - gated: FRESH_READS=all (the default): the signature endpoints and the ChainSecured account's
 *    usage key wait for the index to reach the head (one eth_blockNumber, shared);
 *  - baseline: FRESH_READS=off: answers from the index as it is.
 *
 * Measured, one request at a time (node fetch, keep-alive), the two relayers alternating request by
 * request so that drifting load on the shared machine affects both alike:
 *
 *  - POST /core/v1/create_wallet_with_signature (a fresh CreateWallet signature each time, spread
 *    over the admins so the per-address mint limit never answers 429);
 *  - GET /core/v1/list_groups with the usage key the admin added on-chain.
 *
 * No block is mined while measuring, so the index stays at the head: what is measured is the cost
 * of the check itself. Then the same with BENCH_CONCURRENCY clients at once (default 8), to show
 * how many eth_blockNumber reads concurrent checks share.
 *
 * Prints a markdown table (p50 / p90 per case, ratio gated / baseline, difference) and writes it,
 * with the settings and machine info, to bench/results/fresh-reads.md.
 * Settings (environment, optional): BENCH_REQUESTS (300 per case and relayer), BENCH_WARMUP (20),
 * BENCH_CONCURRENCY (8), BENCH_ADMINS (40).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { Wallet, hexlify, parseEther, randomBytes, type JsonRpcProvider } from "ethers";
import { deployDiamondOverRpc, startLocalChain, freePort, LOCAL_HOST, type LocalChain } from "../scripts/lib/local-chain";
import { apiKeyTextHash, chainSecuredHash } from "../src/core";
import { loadConfig } from "../src/relayer/config";
import { createRelayer, type Relayer } from "../src/relayer/main";
import { percentile, table } from "./relayer/helpers";
import { diamondInterface } from "../src/relayer/chain";
import { chainSecuredTypedData } from "../src/relayer/services/wallet-signatures";
import { intEnv } from "./env";

const ROOT = path.resolve(__dirname, "..");

const SETTINGS = {
  requests: intEnv("BENCH_REQUESTS", 300, 1),
  warmup: intEnv("BENCH_WARMUP", 20, 1),
  concurrency: intEnv("BENCH_CONCURRENCY", 8, 1),
  admins: intEnv("BENCH_ADMINS", 40, 1),
};

const now = () => performance.now();
const progress = (msg: string) => console.error(`[bench:fresh-reads] ${new Date().toISOString()} ${msg}`);

interface Admin {
  wallet: Wallet;
  master: string;
  usageKey: string;
}

interface Served {
  label: "gated" | "baseline";
  relayer: Relayer;
  url: string;
  dataDir: string;
}

/** A fresh, single-use CreateWallet request body of `admin` (issuedAt made unique per admin). */
const issuedAt = new Map<string, number>();
async function createWalletBody(admin: Admin): Promise<string> {
  const at = Math.max(Math.floor(Date.now() / 1000) - 60, (issuedAt.get(admin.wallet.address) ?? 0) + 1);
  issuedAt.set(admin.wallet.address, at);
  const typed = chainSecuredTypedData("CreateWallet", admin.wallet.address, 31337, at);
  const signature = await admin.wallet.signTypedData(typed.domain, { CreateWallet: typed.types.CreateWallet }, typed.message);
  return JSON.stringify({ typed_data: typed, signature });
}

async function timed(fn: () => Promise<Response>): Promise<number> {
  const t = now();
  const res = await fn();
  const text = await res.text();
  const ms = now() - t;
  if (res.status !== 200) throw new Error(`unexpected ${res.status}: ${text}`);
  return ms;
}

const postJson = (url: string, body: string) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
const listGroups = (url: string, key: string) =>
  fetch(`${url}/core/v1/list_groups?page_number=0&page_size=10`, { headers: { "x-api-key": key } });

async function setUpAdmins(provider: JsonRpcProvider, diamondAddress: string, count: number): Promise<Admin[]> {
  const iface = diamondInterface;
  const admins: Admin[] = [];
  for (let i = 0; i < count; i++) {
    const wallet = new Wallet(hexlify(randomBytes(32)), provider);
    await provider.send("hardhat_setBalance", [wallet.address, `0x${parseEther("10").toString(16)}`]);
    const master = chainSecuredHash(wallet.address);
    const usageKey = hexlify(randomBytes(32)).slice(2);
    const send = async (method: string, args: unknown[]) =>
      (await wallet.sendTransaction({ to: diamondAddress, data: iface.encodeFunctionData(method, args) })).wait();
    await send("newChainSecuredAccount", [`bench ${i}`, ""]);
    await send("setUsageApiKey", [master, apiKeyTextHash(usageKey), 0, 0, "reader", "", false, false, false, [], [], [], []]);
    if (i === 0) for (let g = 0; g < 5; g++) await send("addGroup", [master, `group ${g}`, "", [], []]);
    admins.push({ wallet, master, usageKey });
  }
  return admins;
}

async function startRelayer(label: Served["label"], chain: LocalChain, diamondAddress: string, deployBlock: number): Promise<Served> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-fresh-${label}-`));
  const port = await freePort();
  const config = loadConfig({
    HOST: LOCAL_HOST,
    PORT: String(port),
    DATA_DIR: dataDir,
    ROOT_SECRET: hexlify(randomBytes(32)),
    DIAMOND_ADDRESS: diamondAddress,
    RPC_URL: chain.url,
    CHAIN_ID: "31337",
    PAYER_COUNT: "1",
    LOG_LEVEL: "silent",
    FRESH_READS: label === "gated" ? "all" : "off",
    RATE_LIMIT_KEY_PER_MINUTE: "0",
    RATE_LIMIT_IP_PER_MINUTE: "0",
    RATE_LIMIT_NEW_ACCOUNT_PER_HOUR: "0",
  });
  const relayer = await createRelayer(config, {
    listen: true,
    logger: false,
    startBlock: deployBlock,
    chain: { balanceCheckIntervalMs: 0 },
  });
  await relayer.chain.indexer.syncTo(Number(await relayer.chain.rpc.send("eth_blockNumber", [])));
  return { label, relayer, url: relayer.url ?? `http://${LOCAL_HOST}:${port}`, dataDir };
}

interface CaseResult {
  name: string;
  gated: number[];
  baseline: number[];
}

/** Sequential requests, the two relayers alternating (which goes first alternates too). */
async function sequential(
  name: string,
  served: [Served, Served],
  request: (s: Served, i: number) => Promise<() => Promise<Response>>,
): Promise<CaseResult> {
  const out: CaseResult = { name, gated: [], baseline: [] };
  for (let i = 0; i < SETTINGS.warmup + SETTINGS.requests; i++) {
    const order = i % 2 === 0 ? served : ([served[1], served[0]] as const);
    for (const s of order) {
      const call = await request(s, i);
      const ms = await timed(call);
      if (i >= SETTINGS.warmup) out[s.label].push(ms);
    }
  }
  return out;
}

/** BENCH_CONCURRENCY clients at once against one relayer; returns latencies and the gate's head reads per check. */
async function concurrent(
  s: Served,
  request: (i: number) => Promise<() => Promise<Response>>,
): Promise<{ latencies: number[]; readsPerCheck: number }> {
  const before = s.relayer.freshIndex.stats();
  const calls: (() => Promise<Response>)[] = [];
  for (let i = 0; i < SETTINGS.requests; i++) calls.push(await request(i));
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: SETTINGS.concurrency }, async () => {
      while (next < calls.length) {
        const call = calls[next++];
        latencies.push(await timed(call));
      }
    }),
  );
  const after = s.relayer.freshIndex.stats();
  const checks = after.checks - before.checks;
  return { latencies, readsPerCheck: checks === 0 ? 0 : (after.headReads - before.headReads) / checks };
}

const fmt = (ms: number) => ms.toFixed(2);

function summarise(r: { name: string; gated: number[]; baseline: number[] }): string[] {
  const g = [...r.gated].sort((a, b) => a - b);
  const b = [...r.baseline].sort((a, b2) => a - b2);
  const g50 = percentile(g, 50);
  const b50 = percentile(b, 50);
  return [
    r.name,
    fmt(b50),
    fmt(g50),
    (g50 / b50).toFixed(2),
    `+${fmt(g50 - b50)}`,
    fmt(percentile(b, 90)),
    fmt(percentile(g, 90)),
  ];
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bench-fresh-"));
  const chain = await startLocalChain({
    stdout: { file: path.join(tmp, "chain.log") },
    stderr: { file: path.join(tmp, "chain.log") },
    logging: false,
    timeoutMs: 60_000,
  });
  const served: Served[] = [];
  // ethers retries a dead node for ever: should the node exit, say so and stop rather than hang.
  const watchdog = setInterval(() => {
    if (!chain.exited()) return;
    console.error(`bench:fresh-reads: the hardhat node exited:\n${chain.output()}`);
    process.exit(1);
  }, 1000);
  watchdog.unref();
  try {
    progress(`node at ${chain.url}; deploying the diamond`);
    const dep = await deployDiamondOverRpc(chain.url, hre.artifacts, { pollingIntervalMs: 50 });
    progress(`setting up ${SETTINGS.admins} ChainSecured admins`);
    const admins = await setUpAdmins(dep.provider, dep.diamondAddress, SETTINGS.admins);
    progress("starting the relayers");
    served.push(await startRelayer("gated", chain, dep.diamondAddress, dep.deployBlock));
    served.push(await startRelayer("baseline", chain, dep.diamondAddress, dep.deployBlock));
    const pair: [Served, Served] = [served[0], served[1]];
    const reader = admins[0];

    progress("measuring, one request at a time");
    const mint = await sequential("create_wallet_with_signature", pair, async (s, i) => {
      const body = await createWalletBody(admins[i % admins.length]);
      return () => postJson(`${s.url}/core/v1/create_wallet_with_signature`, body);
    });
    const list = await sequential("list_groups (ChainSecured usage key)", pair, async (s) => () => listGroups(s.url, reader.usageKey));

    // What the check costs at least: the relayer's own eth_blockNumber round trip, measured alone.
    const rtt: number[] = [];
    for (let i = 0; i < SETTINGS.warmup + SETTINGS.requests; i++) {
      const t = now();
      await pair[0].relayer.chain.rpc.send("eth_blockNumber", []);
      if (i >= SETTINGS.warmup) rtt.push(now() - t);
    }
    rtt.sort((x, y) => x - y);
    // The gate alone, called in-process on the gated relayer (index at the head).
    const gateStart = pair[0].relayer.freshIndex.stats();
    const gateMs: number[] = [];
    for (let i = 0; i < SETTINGS.warmup + SETTINGS.requests; i++) {
      const t = now();
      await pair[0].relayer.freshIndex.ensureFresh();
      if (i >= SETTINGS.warmup) gateMs.push(now() - t);
    }
    gateMs.sort((x, y) => x - y);
    const gateEnd = pair[0].relayer.freshIndex.stats();
    // The same with a baseline list call between two checks (untimed), as in the request benchmark:
    // the node process idles between the relayer's calls.
    const gateSpacedMs: number[] = [];
    for (let i = 0; i < SETTINGS.warmup + SETTINGS.requests; i++) {
      await (await listGroups(pair[1].url, reader.usageKey)).text();
      const t = now();
      await pair[0].relayer.freshIndex.ensureFresh();
      if (i >= SETTINGS.warmup) gateSpacedMs.push(now() - t);
    }
    gateSpacedMs.sort((x, y) => x - y);

    progress(`measuring, ${SETTINGS.concurrency} at once`);
    const concurrentRows: string[][] = [];
    for (const [name, request] of [
      [
        "create_wallet_with_signature",
        (s: Served) => async (i: number) => {
          const body = await createWalletBody(admins[(i + 7) % admins.length]);
          return () => postJson(`${s.url}/core/v1/create_wallet_with_signature`, body);
        },
      ],
      ["list_groups (ChainSecured usage key)", (s: Served) => async () => () => listGroups(s.url, reader.usageKey)],
    ] as const) {
      const b = await concurrent(pair[1], request(pair[1]));
      const g = await concurrent(pair[0], request(pair[0]));
      const row = summarise({ name: `${name}, ${SETTINGS.concurrency} at once`, gated: g.latencies, baseline: b.latencies });
      concurrentRows.push([...row, g.readsPerCheck.toFixed(2)]);
    }

    const header = ["request", "baseline p50 ms", "gated p50 ms", "ratio (gated / baseline)", "added p50 ms", "baseline p90 ms", "gated p90 ms"];
    const sequentialTable = table(header, [summarise(mint), summarise(list)]);
    const concurrentTable = table([...header, "head reads per check (gated)"], concurrentRows);
    const cpus = os.cpus();
    const report = [
      "# Fresh reads: the cost of answering from the chain head",
      "",
      "Generated by `npm run bench:fresh-reads` (bench/fresh-reads.ts); see its header for the method.",
      "The index is at the head throughout: the gated relayer's check is one `eth_blockNumber` (shared by concurrent requests) and a comparison.",
      "",
      "## One request at a time",
      "",
      sequentialTable,
      "",
      `For scale: one \`eth_blockNumber\` round trip of the relayer's RPC client to this node, measured alone in the same run: p50 ${fmt(percentile(rtt, 50))} ms, p90 ${fmt(percentile(rtt, 90))} ms; ` +
        `the gate's check alone (FreshIndex.ensureFresh, in-process): p50 ${fmt(percentile(gateMs, 50))} ms, p90 ${fmt(percentile(gateMs, 90))} ms, ` +
        `${gateEnd.waits - gateStart.waits} of ${gateEnd.checks - gateStart.checks} checks waited for the indexer; ` +
        `the check alone with a baseline list call between checks: p50 ${fmt(percentile(gateSpacedMs, 50))} ms, p90 ${fmt(percentile(gateSpacedMs, 90))} ms.`,
      "",
      `## ${SETTINGS.concurrency} clients at once`,
      "",
      concurrentTable,
      "",
      "## Settings",
      "",
      `- ${SETTINGS.requests} measured requests per case and relayer after ${SETTINGS.warmup} warm-up ones; ${SETTINGS.admins} ChainSecured admins`,
      "- gated: FRESH_READS=all; baseline: FRESH_READS=off; both relayers in this process, SQLite, RPC_URL = a child `hardhat node` (automine) over HTTP",
      "- latency = from sending the request (node fetch, keep-alive) to the end of the response body; p50/p90 nearest rank",
      `- machine: ${os.availableParallelism()} CPUs (nproc), ${cpus[0]?.model ?? "unknown CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, shared with other work; node ${process.version}`,
      `- run at ${new Date().toISOString()}`,
      "",
    ].join("\n");
    console.log(report);
    const out = path.join(ROOT, "bench", "results", "fresh-reads.md");
    fs.writeFileSync(out, report);
    console.log(`written to ${path.relative(ROOT, out)}`);
    dep.provider.destroy();
  } finally {
    clearInterval(watchdog);
    for (const s of served) {
      await s.relayer.close().catch(() => undefined);
      fs.rmSync(s.dataDir, { recursive: true, force: true });
    }
    await chain.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
