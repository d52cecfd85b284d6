/** Shared helpers of the indexer tests: a fresh rebuild of the index from the chain, for comparison. */
import { HttpRpc, Indexer, type RpcLike } from "../../../src/relayer/chain";
import { makeStore, type TestStore } from "../backend/helpers";

/**
 * A second index built from `startBlock` to the chain's current head by its own Indexer, in a
 * fresh SQLite store (cleanup() it when done).
 */
export async function rebuildIndex(rpc: RpcLike | string, diamondAddress: string, startBlock: number): Promise<TestStore> {
  const client = typeof rpc === "string" ? new HttpRpc(rpc) : null;
  const source = client ?? (rpc as RpcLike);
  const ts = await makeStore("sqlite");
  try {
    const head = Number(await source.send("eth_blockNumber", []));
    const indexer = new Indexer(source, ts.store.index, { diamondAddress, startBlock, batchSize: 500 });
    const deadline = Date.now() + 120_000;
    while ((await ts.store.index.indexedBlock()) < head) {
      if (Date.now() > deadline) throw new Error(`rebuild did not reach block ${head}`);
      await indexer.catchUp();
    }
    return ts;
  } catch (err) {
    await ts.cleanup();
    throw err;
  } finally {
    client?.close();
  }
}
