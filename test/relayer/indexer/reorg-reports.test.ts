/**
 * Which reorgs the index reports to its listeners (the chain writer), beyond the ones it follows
 * (docs/finality.md "The index on a reorg"): the Indexer alone over the in-process Hardhat network
 * and a SQLite index, no background loop.
 *  - a reorg of a block the index never applied, in which the writer had recorded a receipt
 *    (expectBlock): no parent-hash check sees it, the receipt's height does;
 *  - a reorg deeper than the window: the index stops, and still tells the writer, from low enough
 *    to cover the first replaced block.
 */
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { Indexer, IndexHaltedError } from "../../../src/relayer/chain";
import { hardhatRpc, makeStore, type TestStore } from "../support";

const head = async (): Promise<number> => ethers.provider.getBlockNumber();
const hashOf = async (n: number): Promise<string> => {
  const b = await ethers.provider.getBlock(n);
  if (!b?.hash) throw new Error(`no block ${n}`);
  return b.hash.toLowerCase();
};
const mine = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await network.provider.send("evm_mine", []);
};
/** A block with a transaction in it (a plain transfer), as the writer's receipts would be in. */
const mineTransfer = async (): Promise<number> => {
  const [a, b] = await ethers.getSigners();
  const tx = await a.sendTransaction({ to: b.address, value: 1n });
  const r = await tx.wait();
  if (!r) throw new Error("no receipt");
  return r.blockNumber;
};

describe("indexer: reorgs reported to the writer (index alone, in-process chain)", function () {
  this.timeout(120_000);
  let ts: TestStore | null = null;

  afterEach(async () => {
    await ts?.cleanup();
    ts = null;
  });

  async function indexer(reorgWindow: number): Promise<{ ix: Indexer; told: number[] }> {
    ts = await makeStore("sqlite");
    const ix = new Indexer(hardhatRpc(), ts.store.index, {
      diamondAddress: "0x00000000000000000000000000000000000000d1",
      startBlock: (await head()) + 1,
      reorgWindow,
      pollIntervalMs: 20,
    });
    const told: number[] = [];
    ix.onReorg({ noteReorg: (block) => told.push(block) });
    await mine(1);
    await ix.syncTo(await head(), 30_000);
    return { ix, told };
  }

  it("reports a reorg of a block it never applied once it finds another block where the writer saw a receipt", async () => {
    const { ix, told } = await indexer(16);
    const snap = (await network.provider.send("evm_snapshot", [])) as string;
    const n = await mineTransfer();
    ix.expectBlock(n, await hashOf(n));
    expect(await network.provider.send("evm_revert", [snap])).to.equal(true);
    await mine(2); // another block at that height (no transaction), and one on top
    await ix.syncTo(await head(), 30_000);
    expect(told).to.deep.equal([n]);
    expect(ix.status().unappliedReorgs).to.equal(1);
    expect(ix.status().reorgs, "nothing to undo: the index never applied it").to.equal(0);
  });

  it("reports nothing when the block it applies is the one the writer saw its receipt in", async () => {
    const { ix, told } = await indexer(16);
    const n = await mineTransfer();
    ix.expectBlock(n, await hashOf(n));
    await ix.syncTo(n, 30_000);
    expect(told).to.deep.equal([]);
    expect(ix.status().unappliedReorgs).to.equal(0);
  });

  it("tells the writer of a reorg deeper than the window, from at or below the first replaced block", async () => {
    const { ix, told } = await indexer(3);
    const snap = (await network.provider.send("evm_snapshot", [])) as string;
    const forkAt = await head();
    for (let i = 0; i < 5; i++) await mineTransfer(); // blocks the new branch's (empty) ones differ from
    await ix.syncTo(await head(), 30_000);
    expect(await network.provider.send("evm_revert", [snap])).to.equal(true);
    await mine(8);
    let err: unknown = null;
    try {
      await ix.syncTo(await head(), 30_000);
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(IndexHaltedError);
    expect(told).to.have.length(1);
    expect(told[0]).to.be.at.most(forkAt + 1);
  });
});
