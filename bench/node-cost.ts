/**
 * The node's CPU time per addGroup call by calls per transaction and by parallel senders: raw
 * signed batchCalls transactions (bench/relayer/raw.ts) straight to a child `hardhat node`, no
 * relayer. CPU time (Linux /proc) rather than wall time, so that a loaded machine changes the
 * figures less (docs/relayer-latency.md, "fifth pass").
 *
 *     npx hardhat run bench/node-cost.ts
 *
 * Settings: NODE_COST_CALLS ("1,8,16,32": calls per transaction), NODE_COST_SENDERS ("1,4"),
 * NODE_COST_WRITES (256 calls per case, after a warm-up of one transaction per sender).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Wallet, hexlify, parseEther, randomBytes } from "ethers";
import { setUpRelayerPayers } from "../scripts/lib/local-chain";
import { apiKeyTextHash } from "../src/core/hashing";
import { loadConfig } from "../src/relayer/config";
import { HttpRpc } from "../src/relayer/chain";
import { intEnv } from "./env";
import { deployDiamond, startNode } from "./relayer/case";
import { runRaw } from "./relayer/raw";
import { HOST } from "./relayer/settings";
import { CountingRpc } from "./relayer/usage";

const list = (name: string, def: string): number[] =>
  (process.env[name] ?? def)
    .split(",")
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isSafeInteger(n) && n >= 1);

async function main(): Promise<void> {
  const callsList = list("NODE_COST_CALLS", "1,8,16,32");
  const sendersList = list("NODE_COST_SENDERS", "1,4");
  const writes = intEnv("NODE_COST_WRITES", 256);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "node-cost-"));
  const node = await startNode(tmp);
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
    console.log(`load average at the start ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
    console.log("| calls per tx | senders | calls | node CPU ms per call | node CPU ms per tx | node % of a core | calls/s |");
    console.log("| --- | --- | --- | --- | --- | --- | --- |");
    for (const senders of sendersList) {
      for (const calls of callsList) {
        const master = apiKeyTextHash(`node-cost-${senders}-${calls}-${hexlify(randomBytes(8))}`);
        await (await dep.diamond.connect(owner).newAccount(master, true, "node cost", "", Wallet.createRandom().address)).wait();
        const keys = payerKeys.slice(0, senders);
        await runRaw(rpc, node.proc.pid, keys, dep.diamondAddress, master, calls * senders, calls);
        const r = await runRaw(rpc, node.proc.pid, keys, dep.diamondAddress, master, writes, calls);
        const cpu = r.usage.cpuNodeMs ?? NaN;
        const perCall = cpu / r.ok;
        console.log(
          `| ${calls} | ${senders} | ${r.ok} | ${perCall.toFixed(2)} | ${(perCall * calls).toFixed(2)} | ${((cpu / r.wallMs) * 100).toFixed(0)}% | ${((r.ok / r.wallMs) * 1000).toFixed(0)} |`,
        );
      }
    }
    console.log(`load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  } finally {
    await node.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
