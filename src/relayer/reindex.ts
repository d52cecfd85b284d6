/**
 * Rebuilds the index from the chain (docs/finality.md, "Rebuilding the index"): every index row,
 * the undo journal and the kept block hashes are dropped, the cursor goes back to the block before
 * `startBlock` (the diamond's deployment block), and an Indexer applies the chain again up to the
 * head it finds when it starts. Used by `npx hardhat relayer:reindex`; the relayer's `--reindex`
 * flag does the same reset and lets its own indexer catch up.
 *
 * Run it with the relayer stopped (or on a database no relayer uses): the reset and a relayer's
 * indexer would otherwise race.
 */
import { Indexer } from "./chain/indexer";
import type { RpcLike } from "./chain/rpc";
import { hexToNumber } from "./chain/rpc";
import { indexRowCounts, type Store } from "./store";

export interface ReindexOptions {
  store: Store;
  rpc: RpcLike;
  diamondAddress: string;
  /** First block to index (the diamond's deployment block). */
  startBlock: number;
  /** Blocks per eth_getLogs request (default the indexer's). */
  batchSize?: number;
  /** Reorg window of the rebuilt index (default the chain's). */
  reorgWindow?: number;
  /** Called after each round with the block reached. */
  onProgress?: (indexedBlock: number, head: number) => void;
}

export interface ReindexResult {
  startBlock: number;
  /** The head when the rebuild started: everything up to it is applied. */
  head: number;
  indexedBlock: number;
  /** Rows per index table after the rebuild. */
  rows: Record<string, number>;
}

export async function reindex(opts: ReindexOptions): Promise<ReindexResult> {
  const { store } = opts;
  await store.index.projection.reset(opts.startBlock);
  const head = hexToNumber(await opts.rpc.send("eth_blockNumber", []), "eth_blockNumber");
  const indexer = new Indexer(opts.rpc, store.index, {
    diamondAddress: opts.diamondAddress,
    startBlock: opts.startBlock,
    batchSize: opts.batchSize,
    reorgWindow: opts.reorgWindow,
  });
  let indexed = await store.index.indexedBlock();
  let stalled = 0;
  while (indexed < head) {
    await indexer.catchUp();
    const now = await store.index.indexedBlock();
    opts.onProgress?.(now, head);
    // A node behind the head it reported a moment ago: give it a few rounds, then say so.
    stalled = now > indexed ? 0 : stalled + 1;
    if (stalled > 20) throw new Error(`reindex: the node stays behind block ${head} (indexed ${now})`);
    if (stalled > 0) await new Promise((r) => setTimeout(r, 250 * stalled));
    indexed = now;
  }
  const rows: Record<string, number> = await indexRowCounts(store.db);
  return { startBlock: opts.startBlock, head, indexedBlock: indexed, rows };
}
