import { expect } from "chai";
import fc from "fast-check";
import type { Store } from "../../../src/relayer/store";
import { BACKENDS, storePerTest } from "../support";
import { blockHash, dumpIndex, eventSpecArb, toEvent, type EventSpec } from "./support";

// Blocks older than the reorg window are applied without the journal, each write as one statement
// and the writes nobody reads back queued and sent together (projection/journal.ts). That path must
// leave exactly the index the journaled path leaves, for any history, text included.
// Quotes, backslashes, a `$1`-looking text and non-ASCII: the queued writes travel as literals on Postgres.
const spec = eventSpecArb(["", "x", "it's", "a\\b", "$1 '$2'", "ü€😀", "\\'); DROP TABLE accounts; --"]);

const blocksArb = fc.array(fc.array(spec, { maxLength: 15 }), { minLength: 1, maxLength: 6 });

async function applyAll(store: Store, blocks: EventSpec[][], journal: boolean): Promise<void> {
  await store.index.projection.reset(1);
  for (let i = 0; i < blocks.length; i++) {
    const n = i + 1;
    const outcome = await store.index.projection.applyBlock(
      n,
      blockHash("main", n),
      n === 1 ? null : blockHash("main", n - 1),
      blocks[i].map(toEvent),
      { journal },
    );
    expect(outcome, `block ${n}`).to.equal("applied");
  }
}

/** The blocks as the indexer's catch-up applies old ones: several per transaction (applyOldBlocks), cut at `cut`. */
async function applyTogether(store: Store, blocks: EventSpec[][], cut: number): Promise<void> {
  await store.index.projection.reset(1);
  const old = blocks.map((events, i) => ({ number: i + 1, hash: blockHash("main", i + 1), events: events.map(toEvent) }));
  const split = Math.min(cut, old.length);
  expect(await store.index.projection.applyOldBlocks(old.slice(0, split))).to.equal(split);
  // Blocks at or below the cursor are skipped: the whole list again applies only the rest.
  expect(await store.index.projection.applyOldBlocks(old)).to.equal(old.length - split);
}

for (const backend of BACKENDS) {
  describe(`index projection: blocks applied without the journal (${backend})`, function () {
    this.timeout(240_000);
    const testStore = storePerTest(backend);

    it("leaves exactly the index the journaled path leaves, for any history", async () => {
      const store = testStore().store;
      await fc.assert(
        fc.asyncProperty(blocksArb, async (blocks) => {
          await applyAll(store, blocks, true);
          const journaled = await dumpIndex(store);
          await applyAll(store, blocks, false);
          expect(await dumpIndex(store)).to.deep.equal(journaled);
        }),
        { numRuns: backend === "postgres" ? 25 : 60 },
      );
    });

    it("leaves that index too when several blocks are applied in one transaction", async () => {
      const store = testStore().store;
      await fc.assert(
        fc.asyncProperty(blocksArb, fc.nat(6), async (blocks, cut) => {
          await applyAll(store, blocks, true);
          const journaled = await dumpIndex(store);
          await applyTogether(store, blocks, cut);
          expect(await dumpIndex(store)).to.deep.equal(journaled);
          expect(await store.index.projection.applyOldBlocks([])).to.equal(0);
        }),
        { numRuns: backend === "postgres" ? 25 : 60 },
      );
    });
  });
}
