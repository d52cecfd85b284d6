import { expect } from "chai";
import { OwnBlocks } from "../../../src/relayer/chain/own-blocks";
import { BACKENDS, makeStore, skipUnlessAvailable, type TestStore } from "../support";
import { blockHash, dumpIndex, toEvent } from "./support";

const group = (g: number) => [toEvent({ kind: "account", a: g }), toEvent({ kind: "group", a: g, g })];
const own = (n: number, fork = "a", parentFork = fork) => ({ number: n, hash: blockHash(fork, n), parentHash: blockHash(parentFork, n - 1) });

for (const backend of BACKENDS) {
  describe(`index: own blocks applied from receipts (${backend})`, function () {
    this.timeout(120_000);
    let ts: TestStore | null = null;

    beforeEach(async function () {
      await skipUnlessAvailable(this, backend);
      ts = await makeStore(backend);
      // The index stands at block 1 of chain "a".
      expect(await ts.store.index.projection.applyBlock(1, blockHash("a", 1), null, [])).to.equal("applied");
    });

    afterEach(async () => {
      await ts?.cleanup();
      ts = null;
    });

    const projection = () => (ts as TestStore).store.index.projection;

    it("applies the block that continues the cursor and keeps its hash for a reorg", async () => {
      const blocks = new OwnBlocks(projection());
      expect(await blocks.apply(own(2), group(1))).to.equal(true);
      expect(await projection().cursor()).to.deep.equal({ block: 2, hash: blockHash("a", 2) });
      expect(await projection().keptBlocks(2, 2)).to.deep.equal([{ block: 2, hash: blockHash("a", 2) }]);
      expect(blocks.stats()).to.deep.equal({ applied: 1, known: 0, leftToIndexer: 0 });
    });

    it("reads the index cursor only when it cannot know it: not after applying, not for a block that continues the cursor it last knew", async () => {
      const p = projection();
      let reads = 0;
      const counting = {
        applyBlocks: p.applyBlocks.bind(p),
        cursor: () => {
          reads++;
          return p.cursor();
        },
      };
      // A long gap wait: block 4 must stay parked until block 3 comes, however loaded the machine.
      const blocks = new OwnBlocks(counting, { gapWaitMs: 60_000 });
      expect(await blocks.apply(own(2), group(1))).to.equal(true);
      expect(reads).to.equal(1);
      // Blocks out of order: 4 finds no parked block after the remembered cursor (2) and reads it
      // (one read), then 3 continues that cursor and 4 follows in the same drain (no read).
      reads = 0;
      const fourth = blocks.apply(own(4), group(3));
      await new Promise((r) => setTimeout(r, 10));
      expect(reads).to.equal(1);
      expect(await blocks.apply(own(3), group(2))).to.equal(true);
      expect(await fourth).to.equal(true);
      expect(reads).to.equal(1);
      expect(await p.cursor()).to.deep.equal({ block: 4, hash: blockHash("a", 4) });
      // The next block continues the one this object applied last: no cursor read at all.
      reads = 0;
      expect(await blocks.apply(own(5), group(4))).to.equal(true);
      expect(reads).to.equal(0);
      // The indexer applied block 6 itself (and did not say so): the remembered cursor (5) has no
      // parked block after it, so it is read again and block 7 is applied.
      expect(await p.applyBlock(6, blockHash("a", 6), blockHash("a", 5), group(5))).to.equal("applied");
      reads = 0;
      expect(await blocks.apply(own(7), group(6))).to.equal(true);
      expect(reads).to.equal(1);
      expect(await p.cursor()).to.deep.equal({ block: 7, hash: blockHash("a", 7) });
      // A reorg undid the index to block 5 (the remembered cursor, 7, is now too high): block 6 of
      // the new branch finds no parked block after 7, reads the cursor (5) and is applied.
      await p.undoTo(5);
      reads = 0;
      expect(await blocks.apply(own(6, "b", "a"), group(7))).to.equal(true);
      expect(reads).to.equal(1);
      expect(await p.cursor()).to.deep.equal({ block: 6, hash: blockHash("b", 6) });
      expect(blocks.stats()).to.deep.equal({ applied: 6, known: 0, leftToIndexer: 0 });
    });

    it("applies the blocks that arrived while a run was being applied together, in one transaction", async () => {
      const p = projection();
      const runs: number[][] = [];
      let open: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const gated = {
        cursor: () => p.cursor(),
        applyBlocks: async (...args: Parameters<typeof p.applyBlocks>) => {
          runs.push(args[0].map((b) => b.number));
          // The first run (block 2) is held until blocks 3-5 have come.
          if (runs.length === 1) await gate;
          return p.applyBlocks(...args);
        },
      };
      const blocks = new OwnBlocks(gated, { gapWaitMs: 60_000 });
      const second = blocks.apply(own(2), group(1));
      while (runs.length === 0) await new Promise((r) => setTimeout(r, 1));
      const later = [blocks.apply(own(4), group(3)), blocks.apply(own(3), group(2)), blocks.apply(own(5), group(4))];
      await new Promise((r) => setTimeout(r, 10));
      open();
      expect(await Promise.all([second, ...later])).to.deep.equal([true, true, true, true]);
      expect(runs).to.deep.equal([[2], [3, 4, 5]]);
      expect(await p.cursor()).to.deep.equal({ block: 5, hash: blockHash("a", 5) });
      expect(blocks.stats()).to.deep.equal({ applied: 4, known: 0, leftToIndexer: 0 });
    });

    it("applies nothing twice: a block the index already holds is known", async () => {
      const blocks = new OwnBlocks(projection());
      await blocks.apply(own(2), group(1));
      const before = await dumpIndex((ts as TestStore).store);
      expect(await blocks.apply(own(2), group(1))).to.equal(true);
      expect(await dumpIndex((ts as TestStore).store)).to.deep.equal(before);
      expect(blocks.stats()).to.deep.equal({ applied: 1, known: 1, leftToIndexer: 0 });
    });

    it("parks a block whose predecessor is not applied yet and applies both once it is", async () => {
      const blocks = new OwnBlocks(projection(), { gapWaitMs: 30_000 });
      const third = blocks.apply(own(3), group(2));
      const second = blocks.apply(own(2), group(1));
      expect(await Promise.all([second, third])).to.deep.equal([true, true]);
      expect((await projection().cursor())?.block).to.equal(3);
      expect(blocks.stats().applied).to.equal(2);
    });

    it("applies a parked block as soon as the indexer applies its predecessor, without waiting out the gap wait", async () => {
      const blocks = new OwnBlocks(projection(), { gapWaitMs: 60_000 });
      const third = blocks.apply(own(3), group(2));
      // The indexer, not the receipt path, brings block 2 (its header did not come with its receipt).
      expect(await projection().applyBlock(2, blockHash("a", 2), blockHash("a", 1), group(1))).to.equal("applied");
      blocks.indexAdvanced();
      const early = await Promise.race([third, new Promise<string>((r) => setTimeout(() => r("still parked"), 5_000))]);
      expect(early).to.equal(true);
      expect((await projection().cursor())?.block).to.equal(3);
    });

    it("leaves a block to the indexer when its predecessor never comes", async () => {
      const blocks = new OwnBlocks(projection(), { gapWaitMs: 20 });
      expect(await blocks.apply(own(3), group(2))).to.equal(false);
      expect((await projection().cursor())?.block).to.equal(1);
      expect(blocks.stats().leftToIndexer).to.equal(1);
    });

    it("applies nothing on a fork: the cursor's block is not the receipt block's parent", async () => {
      const blocks = new OwnBlocks(projection());
      const before = await dumpIndex((ts as TestStore).store);
      expect(await blocks.apply(own(2, "b", "b"), group(1))).to.equal(false);
      expect(await dumpIndex((ts as TestStore).store)).to.deep.equal(before);
      expect(await projection().cursor()).to.deep.equal({ block: 1, hash: blockHash("a", 1) });
    });

    it("does not hold a block a reorg dropped (a remembered header) at a height where the index holds the block that replaced it", async () => {
      // The writer's SeenHeaders may hand over the header of a block the chain no longer has: its hash
      // still names that block, and the index compares it with the hash it keeps at that height.
      const blocks = new OwnBlocks(projection());
      expect(await projection().applyBlock(2, blockHash("b", 2), blockHash("a", 1), group(5))).to.equal("applied");
      expect(await projection().applyBlock(3, blockHash("b", 3), blockHash("b", 2), [])).to.equal("applied");
      const before = await dumpIndex((ts as TestStore).store);
      expect(await blocks.apply(own(2), group(1)), "at a kept height below the cursor").to.equal(false);
      expect(await blocks.apply(own(3, "a", "a"), group(2)), "at the cursor's height").to.equal(false);
      expect(await dumpIndex((ts as TestStore).store)).to.deep.equal(before);
      expect(await projection().cursor()).to.deep.equal({ block: 3, hash: blockHash("b", 3) });
    });

    it("is undone by a reorg like any indexed block", async () => {
      const before = await dumpIndex((ts as TestStore).store);
      const blocks = new OwnBlocks(projection());
      await blocks.apply(own(2), group(1));
      expect(await dumpIndex((ts as TestStore).store)).to.not.deep.equal(before);
      await projection().undoTo(1);
      expect(await dumpIndex((ts as TestStore).store)).to.deep.equal(before);
      // The canonical block 2 of the other branch then applies in its place.
      expect(await blocks.apply(own(2, "b", "a"), group(5))).to.equal(true);
      expect(await projection().cursor()).to.deep.equal({ block: 2, hash: blockHash("b", 2) });
    });
  });
}
