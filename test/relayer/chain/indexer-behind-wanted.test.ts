import { expect } from "chai";
import { Indexer } from "../../../src/relayer/chain";
import { ChainUnavailableError } from "../../../src/relayer/ports";
import { makeStore, type TestStore } from "../support";
import { StaticNode } from "./static-node";

// A write waits for its receipt's block (syncTo); the indexer's round then asks for the logs up to
// that block in the same JSON-RPC batch as the head (the fast path, indexer.ts). The node answering
// may not have that block: a node behind the one that gave the receipt (failover, a load balancer),
// or one on a shorter branch after a reorg. Like geth, it refuses logs past its head ("block range
// extends beyond current head block"). The blocks it has must still be applied, as for any lagging
// node: not one round after another failing until the chain reaches the awaited block.
// (The indexer does the same on both databases: SQLite only.)

const DIAMOND = `0x${"d1".repeat(20)}`;

describe("relayer indexer: a write waiting for a block the node has not reached", function () {
  this.timeout(30_000);
  let ts: TestStore | null = null;
  let indexer: Indexer | null = null;

  afterEach(async () => {
    await indexer?.stop();
    indexer = null;
    await ts?.cleanup();
    ts = null;
  });

  it("applies the blocks the node has while the write waits for a later one", async () => {
    ts = await makeStore("sqlite");
    const node = new StaticNode(10);
    indexer = new Indexer(node, ts.store.index, { diamondAddress: DIAMOND, startBlock: 1, reorgWindow: 64, pollIntervalMs: 50 });
    // The receipt said block 12; this node is at 10.
    let waited: unknown = null;
    await indexer.syncTo(12, 600).catch((err: unknown) => {
      waited = err;
    });
    expect(waited).to.be.instanceOf(ChainUnavailableError);
    expect(await ts.store.index.indexedBlock(), "blocks applied from the node's 10").to.equal(10);
    expect(indexer.status().lastError).to.equal(null);
  });
});
