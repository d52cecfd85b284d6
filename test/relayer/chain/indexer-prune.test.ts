import { expect } from "chai";
import { Indexer } from "../../../src/relayer/chain";
import { makeStore, type TestStore } from "../support";
import { StaticNode } from "./static-node";

// Every indexer round drops the journal and kept hashes of blocks that left the reorg window
// (projection.prune: a write transaction, a durable commit). Rounds run every poll interval, idle
// or not, so a round whose window has not moved must not prune: nothing new lies below its floor.
// Once the cursor moves, the next round prunes as before. (Same code on both databases: SQLite.)

const DIAMOND = `0x${"d2".repeat(20)}`;

describe("relayer indexer: pruning the reorg window", function () {
  this.timeout(30_000);
  let ts: TestStore | null = null;
  let indexer: Indexer | null = null;

  afterEach(async () => {
    await indexer?.stop();
    indexer = null;
    await ts?.cleanup();
    ts = null;
  });

  /** An indexer over `node` caught up to its head, and a count of the prunes from then on. */
  async function caughtUp(node: StaticNode): Promise<{ indexer: Indexer; prunes: number[] }> {
    ts = await makeStore("sqlite");
    indexer = new Indexer(node, ts.store.index, { diamondAddress: DIAMOND, startBlock: 1, reorgWindow: 4, pollIntervalMs: 50 });
    await indexer.syncTo(node.head, 5_000);
    const projection = ts.store.index.projection;
    const prune = projection.prune.bind(projection);
    const prunes: number[] = [];
    projection.prune = (block, options) => {
      prunes.push(block);
      return prune(block, options);
    };
    return { indexer, prunes };
  }

  it("runs no prune in rounds where the cursor has not moved", async () => {
    const node = new StaticNode(20);
    const { indexer, prunes } = await caughtUp(node);
    for (let i = 0; i < 3; i++) await indexer.catchUp();
    expect(await indexer.indexedBlock()).to.equal(20);
    expect(prunes, "prunes in three rounds at the same head").to.deep.equal([]);
  });

  it("prunes below the new floor once the cursor moves, and drops what left the window", async () => {
    const node = new StaticNode(20);
    const { indexer, prunes } = await caughtUp(node);
    await indexer.catchUp();
    node.head = 22;
    await indexer.catchUp();
    expect(await indexer.indexedBlock()).to.equal(22);
    expect(prunes).to.deep.equal([19]);
    const kept = await (ts as TestStore).store.index.projection.keptBlocks(0, 22);
    expect(kept.map((b) => b.block)).to.deep.equal([22, 21, 20, 19]);
  });
});
