/**
 * The raw baseline of the relayer write benchmark (bench/relayer.ts): addGroup transactions signed
 * locally (the relayer's signTx) with locally managed nonces, a fixed gas limit and fixed fees,
 * sent with eth_sendRawTransaction straight to the node by one sequential sender per payer key,
 * each waiting for its receipt; with callsPerTx > 1 ("raw batch"), batchCalls transactions.
 */
import { Wallet, type TransactionLike } from "ethers";
import { diamondInterface } from "../../src/relayer/chain";
import { encodeBatchCalls } from "../../src/relayer/chain/batcher";
import { signTx } from "../../src/relayer/chain/sign";
import { NONCE_RE, errText, hexNum, now, sleep } from "./helpers";
import { checkNonces, nonceMark, nonces } from "./nonces";
import type { RunResult } from "./results";
import { SETTINGS } from "./settings";
import { measureFrom, type CountingRpc } from "./usage";

const groupArgs = (master: string, name: string) => [master, name, "bench", [] as bigint[], [] as string[]] as const;

/**
 * Raw baseline: one sequential sender per payer key; local nonces; eth_sendRawTransaction + receipt.
 * With callsPerTx > 1 ("raw batch"), each transaction is batchCalls of that many addGroup calls,
 * each call counted as a write whose latency is its transaction's; `count` is in writes.
 */
export async function runRaw(
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
  const before = await nonceMark(rpc, payers);
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
