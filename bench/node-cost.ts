/**
 * The node's CPU time per addGroup call by calls per transaction and by parallel senders: raw
 * signed batchCalls transactions (bench/relayer/raw.ts) straight to a child `hardhat node`, no
 * relayer; and the same under each allocator setting of the node (scripts/lib/edr-allocator.ts),
 * each on a fresh node doing the same sequence, alternated, with the ratio of each setting to the
 * first (mimalloc's default). CPU time (Linux /proc) rather than wall time, so that a loaded
 * machine changes the figures less (docs/relayer-latency.md, "fifth pass" and "tenth pass").
 *
 *     npx hardhat run bench/node-cost.ts
 *
 * Settings: NODE_COST_CALLS ("1,8,32": calls per transaction), NODE_COST_SENDERS ("1,4"),
 * NODE_COST_WRITES (512 calls per case, after a warm-up of one transaction per sender),
 * NODE_COST_PURGE ("10,100": MIMALLOC_PURGE_DELAY of each node, ms; the first is the baseline),
 * NODE_COST_ROUNDS (2: nodes per setting, the settings alternated).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Wallet, hexlify, parseEther, randomBytes } from "ethers";
import { EDR_PURGE_DELAY_VAR } from "../scripts/lib/edr-allocator";
import { setUpRelayerPayers } from "../scripts/lib/local-chain";
import { apiKeyTextHash } from "../src/core/hashing";
import { loadConfig } from "../src/relayer/config";
import { HttpRpc } from "../src/relayer/chain";
import { intEnv } from "./env";
import { deployDiamond, startNode } from "./relayer/case";
import { runRaw } from "./relayer/raw";
import { HOST } from "./relayer/settings";
import { CountingRpc } from "./relayer/usage";

const list = (name: string, def: string, min: number): number[] =>
  (process.env[name] ?? def)
    .split(",")
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isSafeInteger(n) && n >= min);

interface Sample {
  purge: number;
  senders: number;
  calls: number;
  /** Node CPU ms per call. */
  perCall: number;
  /** Share of one core the node used. */
  busy: number;
  callsPerSecond: number;
}

/** One fresh node with this purge delay: every (senders, calls) case in order. */
async function nodeRun(purge: number, sendersList: number[], callsList: number[], writes: number): Promise<Sample[]> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "node-cost-"));
  const node = await startNode(tmp, { [EDR_PURGE_DELAY_VAR]: String(purge) });
  try {
    const dep = await deployDiamond(node.url);
    const rpc = new CountingRpc(new HttpRpc(node.url));
    const env = { HOST, ROOT_SECRET: hexlify(randomBytes(32)), RPC_URL: node.url, CHAIN_ID: "31337", DIAMOND_ADDRESS: dep.diamondAddress, DATA_DIR: tmp };
    const most = Math.max(...sendersList);
    const { payerKeys } = await setUpRelayerPayers(dep.owner, dep.diamondAddress, loadConfig({ ...env, PAYER_COUNT: String(most) }), {
      fund: parseEther("1000"),
      admin: false,
    });
    const owner = new Wallet(payerKeys[0], dep.provider);
    const out: Sample[] = [];
    for (const senders of sendersList) {
      for (const calls of callsList) {
        const master = apiKeyTextHash(`node-cost-${senders}-${calls}-${hexlify(randomBytes(8))}`);
        await (await dep.diamond.connect(owner).newAccount(master, true, "node cost", "", Wallet.createRandom().address)).wait();
        const keys = payerKeys.slice(0, senders);
        await runRaw(rpc, node.proc.pid, keys, dep.diamondAddress, master, calls * senders, calls);
        const r = await runRaw(rpc, node.proc.pid, keys, dep.diamondAddress, master, writes, calls);
        const cpu = r.usage.cpuNodeMs ?? NaN;
        out.push({ purge, senders, calls, perCall: cpu / r.ok, busy: cpu / r.wallMs, callsPerSecond: (r.ok / r.wallMs) * 1000 });
      }
    }
    return out;
  } finally {
    await node.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const callsList = list("NODE_COST_CALLS", "1,8,32", 1);
  const sendersList = list("NODE_COST_SENDERS", "1,4", 1);
  const purges = list("NODE_COST_PURGE", "10,100", -1);
  const rounds = intEnv("NODE_COST_ROUNDS", 2);
  const writes = intEnv("NODE_COST_WRITES", 512);
  console.log(`load average at the start ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  const samples: Sample[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const purge of round % 2 === 0 ? purges : [...purges].reverse()) {
      console.log(`round ${round + 1}: a node with ${EDR_PURGE_DELAY_VAR}=${purge} ...`);
      samples.push(...(await nodeRun(purge, sendersList, callsList, writes)));
    }
  }
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`\nMean over ${rounds} node(s) per setting; "vs ${purges[0]}": node CPU per call against ${EDR_PURGE_DELAY_VAR}=${purges[0]}, same case.\n`);
  console.log(`| ${EDR_PURGE_DELAY_VAR} | calls per tx | senders | node CPU ms per call (each node) | node CPU ms per tx | vs ${purges[0]} | node % of a core | calls/s |`);
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const senders of sendersList) {
    for (const calls of callsList) {
      const of = (purge: number) => samples.filter((s) => s.purge === purge && s.senders === senders && s.calls === calls);
      const base = mean(of(purges[0]).map((s) => s.perCall));
      for (const purge of purges) {
        const ss = of(purge);
        const perCall = mean(ss.map((s) => s.perCall));
        console.log(
          `| ${purge} | ${calls} | ${senders} | ${perCall.toFixed(2)} (${ss.map((s) => s.perCall.toFixed(2)).join(", ")}) | ${(perCall * calls).toFixed(2)} | ${(perCall / base).toFixed(2)} | ${(mean(ss.map((s) => s.busy)) * 100).toFixed(0)}% | ${mean(ss.map((s) => s.callsPerSecond)).toFixed(0)} |`,
        );
      }
    }
  }
  console.log(`\nload average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
