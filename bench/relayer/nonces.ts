/**
 * On-chain nonce accounting of a measured window of the relayer write benchmark (bench/relayer.ts):
 * the payers' nonces before and after, the transactions mined from them in between, and what is
 * left pending.
 */
import type { RpcLike } from "../../src/relayer/chain";
import { hexNum } from "./helpers";

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

export async function nonces(rpc: RpcLike, payers: string[], tag: "latest" | "pending"): Promise<number[]> {
  return Promise.all(payers.map(async (p) => hexNum(await rpc.send("eth_getTransactionCount", [p, tag]))));
}

/** Where a measured window starts: the block number and each payer's latest nonce. */
export interface NonceMark {
  block: number;
  latest: number[];
}

export async function nonceMark(rpc: RpcLike, payers: string[]): Promise<NonceMark> {
  return { block: hexNum(await rpc.send("eth_blockNumber", [])), latest: await nonces(rpc, payers, "latest") };
}

/**
 * On-chain nonce accounting for a measured window: each payer's nonce must advance by exactly the
 * number of transactions mined from it, nothing may stay pending, and the mined total must equal
 * the successful writes.
 */
export async function checkNonces(
  rpc: RpcLike,
  payers: string[],
  before: NonceMark,
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
