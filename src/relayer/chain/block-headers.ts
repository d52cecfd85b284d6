/**
 * Block headers as the indexer reads them (indexer.ts): asked for in JSON-RPC batches, checked
 * (the block asked for, with its hash and parent hash), and the search for a reorg's fork point.
 */
import type { KeptBlock } from "../ports";
import { hexToNumber, sendAll, toQuantity, type RpcCall, type RpcLike, type RpcSettled } from "./rpc";

export interface Header {
  number: number;
  hash: string;
  parentHash: string;
}

/** Block headers asked for in one JSON-RPC batch. */
export const HEADER_BATCH = 64;

export function headerCall(n: number): RpcCall {
  return { method: "eth_getBlockByNumber", params: [toQuantity(n), false] };
}

export function parseHeader(r: RpcSettled, n: number): Header | null {
  if (!r.ok) throw r.error;
  if (r.result === null || r.result === undefined) return null;
  const b = r.result as { number?: unknown; hash?: unknown; parentHash?: unknown };
  if (typeof b.hash !== "string" || typeof b.parentHash !== "string") throw new Error(`block ${n}: header without hash`);
  const number = hexToNumber(b.number, "block.number");
  if (number !== n) throw new Error(`asked for block ${n}, got ${number}`);
  return { number, hash: b.hash.toLowerCase(), parentHash: b.parentHash.toLowerCase() };
}

/**
 * The highest of `kept` (highest block first, as the projection lists them) whose hash the chain
 * still has at its height: the fork point of a reorg, or null when none of them is on the chain.
 * Headers are asked for HEADER_BATCH at a time, stopping at the first batch that holds it.
 */
export async function highestStillOnChain(rpc: RpcLike, kept: readonly KeptBlock[]): Promise<number | null> {
  for (let i = 0; i < kept.length; i += HEADER_BATCH) {
    const chunk = kept.slice(i, i + HEADER_BATCH);
    const results = await sendAll(rpc, chunk.map((k) => headerCall(k.block)));
    for (const [j, k] of chunk.entries()) {
      const now = parseHeader(results[j], k.block);
      if (now !== null && now.hash === k.hash) return k.block;
    }
  }
  return null;
}
