/**
 * Real reorganisations of the rehearsal node: evm_snapshot, let `depth` blocks be mined (by the
 * node's interval, holding the load's writes), evm_revert to the snapshot and evm_mine `depth + 1`
 * blocks one at a time (hardhat_mine of several blocks at once gives the later ones a zero parent
 * hash, which no real chain has and which an index that checks parent hashes cannot follow). The
 * canonical chain then has other blocks at the same heights and is longer than the dropped branch,
 * as after a sequencer's reorg of the unsafe head; the transactions of the dropped blocks are no
 * longer on it.
 *
 * Recovery is measured from the reorg until (a) every outbox row the relayer had mined in a dropped
 * block is mined again in a block of the canonical chain (or recorded as no longer applicable),
 * and (b) a new write sent after the reorg is answered.
 */
import { toQuantity } from "ethers";
import type { BaseSepoliaNode } from "./node";
import type { RelayerProcess } from "./relayer-process";

export interface ReorgResult {
  depth: number;
  /** The last block both branches share. */
  forkBlock: number;
  /** Transactions in the dropped blocks (all senders). */
  droppedTxs: number;
  /** Outbox rows (transactions) of the relayer among them. */
  droppedRows: number;
  /** ms from the reorg until the dropped rows are back on the canonical chain and a new write is answered. */
  recoveryMs: number;
  /** Blocks between the reorg and the answer of the first write sent after it. */
  probeBlocks: number;
  probeAnswered: boolean;
}

interface OutboxRow {
  id: number;
  status: string;
  block_number: number | null;
  block_hash: string | null;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function blockNumber(node: Pick<BaseSepoliaNode, "rpc">): Promise<number> {
  return Number(BigInt((await node.rpc("eth_blockNumber")) as string));
}

async function canonicalHash(node: BaseSepoliaNode, n: number): Promise<string | null> {
  const b = (await node.rpc("eth_getBlockByNumber", [toQuantity(n), false])) as { hash: string } | null;
  return b?.hash ?? null;
}

export async function reorg(
  node: BaseSepoliaNode,
  relayer: RelayerProcess,
  depth: number,
  probe: () => Promise<{ answered: boolean }>,
  timeoutMs = 180_000,
): Promise<ReorgResult> {
  const snapshot = (await node.rpc("evm_snapshot")) as string;
  const forkBlock = await blockNumber(node);
  const buildDeadline = Date.now() + 60_000 + depth * 10_000;
  while ((await blockNumber(node)) < forkBlock + depth) {
    if (Date.now() > buildDeadline) throw new Error(`the node did not mine ${depth} blocks after ${forkBlock}`);
    await sleep(200);
  }
  // The transactions of the blocks about to be dropped, read from the node (the relayer may not
  // have seen their receipts yet), and the relayer's outbox rows they belong to.
  const dropped = new Set<string>();
  for (let n = forkBlock + 1; n <= forkBlock + depth; n++) {
    const b = (await node.rpc("eth_getBlockByNumber", [toQuantity(n), false])) as { transactions: string[] } | null;
    for (const h of b?.transactions ?? []) dropped.add(h.toLowerCase());
  }
  if ((await node.rpc("evm_revert", [snapshot])) !== true) throw new Error(`evm_revert ${snapshot} refused`);
  const rows = (relayer.db().prepare("SELECT id, status, block_number, block_hash, tx_hashes FROM outbox").all() as (OutboxRow & { tx_hashes: string })[]).filter(
    (r) => (JSON.parse(r.tx_hashes) as string[]).some((h) => dropped.has(h.toLowerCase())),
  );
  for (let i = 0; i < depth + 1; i++) await node.rpc("evm_mine", []);
  const t0 = Date.now();
  const head0 = await blockNumber(node);

  let probeAnswered = false;
  let probeBlocks = -1;
  const probeDone = probe().then(async (r) => {
    probeAnswered = r.answered;
    probeBlocks = (await blockNumber(node)) - head0;
  });

  const deadline = t0 + timeoutMs;
  const pending = new Set(rows.map((r) => r.id));
  const get = relayer.db().prepare("SELECT id, status, block_number, block_hash FROM outbox WHERE id = ?");
  while (pending.size > 0 && Date.now() < deadline) {
    for (const id of [...pending]) {
      const r = get.get(id) as OutboxRow | undefined;
      if (!r) continue;
      if (r.status === "reverted" || r.status === "failed") pending.delete(id);
      else if (r.status === "mined" && r.block_number !== null && r.block_number > forkBlock && r.block_hash !== null) {
        if ((await canonicalHash(node, Number(r.block_number))) === r.block_hash) pending.delete(id);
      }
    }
    if (pending.size > 0) await sleep(250);
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([probeDone, new Promise<void>((r) => (timer = setTimeout(r, Math.max(0, deadline - Date.now()))))]);
  clearTimeout(timer); // no timer left behind to hold the process
  return {
    depth,
    forkBlock,
    droppedTxs: dropped.size,
    droppedRows: rows.length,
    recoveryMs: pending.size === 0 && probeAnswered ? Date.now() - t0 : Number.POSITIVE_INFINITY,
    probeBlocks,
    probeAnswered,
  };
}
