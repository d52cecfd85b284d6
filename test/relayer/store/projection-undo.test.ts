import { expect } from "chai";
import fc from "fast-check";
import { IndexUndoError, type Store } from "../../../src/relayer/store";
import { BACKENDS, storePerTest } from "../support";
import { accountHash, blockHash, dumpIndex, eventSpecArb, toEvent, type EventSpec } from "./support";

// Few ids, so removals often hit members (and move the last one into the hole).
const spec = eventSpecArb(["", "x", "name"]);

const blocksArb = fc.array(fc.array(spec, { maxLength: 12 }), { minLength: 1, maxLength: 8 });

/**
 * Applies `blocks` as the blocks after `after` of chain `fork` (the first one's parent on chain
 * `parentFork`); returns the dump after each.
 */
async function applyAll(
  store: Store,
  blocks: EventSpec[][],
  fork: string,
  after = 0,
  parentFork = fork,
): Promise<Record<string, unknown[]>[]> {
  const dumps: Record<string, unknown[]>[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const n = after + i + 1;
    const outcome = await store.index.projection.applyBlock(
      n,
      blockHash(fork, n),
      n === 1 ? null : blockHash(i === 0 ? parentFork : fork, n - 1),
      blocks[i].map(toEvent),
    );
    expect(outcome, `block ${n}`).to.equal("applied");
    dumps.push(await dumpIndex(store));
  }
  return dumps;
}

for (const backend of BACKENDS) {
  describe(`index projection: journaled undo (${backend})`, function () {
    this.timeout(240_000);
    const testStore = storePerTest(backend);

    it("undoing to any block inside the window gives back exactly the index as it was after that block", async () => {
      const ts = testStore();
      const store = ts.store;
      await fc.assert(
        fc.asyncProperty(blocksArb, fc.nat(), blocksArb, async (blocks, pick, canonical) => {
          await store.index.projection.reset(1);
          const empty = await dumpIndex(store);
          const dumps = [empty, ...(await applyAll(store, blocks, "a"))];
          const target = pick % blocks.length;
          // Undone one block at a time down to the target: each step must give back its block's index.
          for (let b = blocks.length - 1; b >= target; b--) {
            await store.index.projection.undoTo(b);
            expect(await dumpIndex(store), `undone to ${b}`).to.deep.equal(dumps[b]);
            expect(await store.index.indexedBlock()).to.equal(b);
          }
          // The canonical blocks go on top of the fork point as if the dropped ones never were.
          const replay = await applyAll(store, canonical, "b", target, "a");
          await store.index.projection.reset(1);
          await applyAll(store, [...blocks.slice(0, target), ...canonical], "b");
          expect(await dumpIndex(store), "a fresh index of the canonical chain").to.deep.equal(replay.at(-1));
        }),
        { numRuns: backend === "sqlite" ? 40 : 10 },
      );
    });

    it("applying a block twice changes nothing the second time", async () => {
      const ts = testStore();
      const p = ts.store.index.projection;
      await p.initCursor(0);
      const events = [toEvent({ kind: "account", a: 0 }), toEvent({ kind: "group", a: 0, g: 1 })];
      expect(await p.applyBlock(1, blockHash("a", 1), null, events)).to.equal("applied");
      const once = await dumpIndex(ts.store);
      expect(await p.applyBlock(1, blockHash("a", 1), null, events)).to.equal("known");
      expect(await dumpIndex(ts.store)).to.deep.equal(once);
    });

    it("refuses a block whose parent is not the block it applied last (a fork) and one that leaves a gap", async () => {
      const ts = testStore();
      const p = ts.store.index.projection;
      await p.initCursor(0);
      expect(await p.applyBlock(1, blockHash("a", 1), null, [])).to.equal("applied");
      expect(await p.applyBlock(2, blockHash("b", 2), blockHash("b", 1), [toEvent({ kind: "account", a: 0 })])).to.equal("fork");
      expect(await p.applyBlock(3, blockHash("a", 3), blockHash("a", 2), [])).to.equal("gap");
      expect(await p.applyBlock(1, blockHash("b", 1), null, [])).to.equal("fork");
      expect(await ts.store.index.indexedBlock()).to.equal(1);
      expect(await ts.store.index.account(accountHash(0))).to.equal(null);
    });

    it("stamps every row with the block that last wrote it", async () => {
      const ts = testStore();
      const p = ts.store.index.projection;
      await p.initCursor(0);
      await p.applyBlock(1, blockHash("a", 1), null, [toEvent({ kind: "account", a: 0 })]);
      await p.applyBlock(2, blockHash("a", 2), blockHash("a", 1), [toEvent({ kind: "meta", a: 0, name: "n" })]);
      const account = await ts.store.db.one<{ block_number: number }>("SELECT block_number FROM accounts");
      const binding = await ts.store.db.one<{ block_number: number }>("SELECT block_number FROM bindings");
      expect(Number(account?.block_number)).to.equal(2);
      expect(Number(binding?.block_number)).to.equal(1);
    });

    it("refuses to undo past a block applied without a journal or pruned out of the window", async () => {
      const ts = testStore();
      const p = ts.store.index.projection;
      await p.initCursor(0);
      await p.applyBlock(1, blockHash("a", 1), null, [toEvent({ kind: "account", a: 0 })], { journal: false });
      for (let n = 2; n <= 5; n++) {
        await p.applyBlock(n, blockHash("a", n), blockHash("a", n - 1), [toEvent({ kind: "group", a: 0, g: n })]);
      }
      expect(await p.canUndoTo(0)).to.equal(false);
      const err = await p.undoTo(0).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(IndexUndoError);
      await p.prune(4);
      expect(await p.canUndoTo(2)).to.equal(false);
      expect(await p.canUndoTo(3)).to.equal(true);
      expect(await p.undoTo(3)).to.be.greaterThan(0);
      expect((await ts.store.index.listGroups(accountHash(0), { pageSize: 10, pageNumber: 0 })).map((g) => g.id)).to.deep.equal([
        "2",
        "3",
      ]);
    });
  });
}
