import { expect } from "chai";
import fc from "fast-check";
import type { ApplyOutcome, Store } from "../../../src/relayer/store";
import { BACKENDS, storePerTest } from "../support";
import { blockHash, dumpIndex, eventSpecArb, toEvent, type EventSpec } from "./support";

// applyBlocks applies a run of blocks in one transaction (the writer's own blocks that arrived
// together, chain/own-blocks.ts). Each block must be judged exactly as applyBlock judges it, against
// the cursor the blocks before it in the run left: same outcomes, same index, same journal.
const spec = eventSpecArb(["", "x", "name"]);

/** The events of blocks 2, 3, ... */
const runArb = fc.array(fc.array(spec, { maxLength: 10 }), { minLength: 1, maxLength: 7 });

interface Listed {
  number: number;
  hash: string;
  parentHash: string;
  events: ReturnType<typeof toEvent>[];
}

/** Blocks 2.. of chain "a" over block 1, each move listing one of them once more somewhere. */
function listed(blocks: EventSpec[][], moves: readonly number[]): Listed[] {
  const list = blocks.map((events, i) => ({
    number: i + 2,
    hash: blockHash("a", i + 2),
    parentHash: blockHash("a", i + 1),
    events: events.map(toEvent),
  }));
  // Each move lists a block once more at another place: a repeat of an applied block ("known") or
  // one ahead of its predecessor ("gap", then applied where it comes again).
  for (const m of moves) list.splice(m % (list.length + 1), 0, list[m % list.length]);
  return list;
}

async function reset(store: Store): Promise<void> {
  await store.index.projection.reset(1);
  expect(await store.index.projection.applyBlock(1, blockHash("a", 1), null, [])).to.equal("applied");
}

for (const backend of BACKENDS) {
  describe(`index projection: a run of blocks in one transaction (${backend})`, function () {
    this.timeout(240_000);
    const testStore = storePerTest(backend);

    it("gives each block of a run the outcome applyBlock gives it one at a time, and leaves the same index", async () => {
      const { store } = testStore();
      await fc.assert(
        fc.asyncProperty(runArb, fc.array(fc.nat(), { maxLength: 3 }), fc.nat(), async (blocks, moves, cut) => {
          const list = listed(blocks, moves);
          await reset(store);
          const alone: ApplyOutcome[] = [];
          for (const b of list) alone.push(await store.index.projection.applyBlock(b.number, b.hash, b.parentHash, b.events));
          const oneByOne = await dumpIndex(store);

          await reset(store);
          // In two runs, cut anywhere: the second is judged against the cursor the first left.
          const at = cut % (list.length + 1);
          const together = [
            ...(await store.index.projection.applyBlocks(list.slice(0, at))),
            ...(await store.index.projection.applyBlocks(list.slice(at))),
          ];
          expect(together).to.deep.equal(alone);
          expect(await dumpIndex(store)).to.deep.equal(oneByOne);
        }),
        { numRuns: backend === "postgres" ? 15 : 40 },
      );
    });

    it("keeps every block of a run undoable: undoing to its first block's parent gives back the index before the run", async () => {
      const { store } = testStore();
      await reset(store);
      const before = await dumpIndex(store);
      const run = listed([[{ kind: "account", a: 1 }], [{ kind: "group", a: 1, g: 1 }], []], []);
      expect(await store.index.projection.applyBlocks(run)).to.deep.equal(["applied", "applied", "applied"]);
      expect(await store.index.projection.keptBlocks(2, 4)).to.have.length(3);
      await store.index.projection.undoTo(1);
      expect(await dumpIndex(store)).to.deep.equal(before);
    });

    it("applies nothing of a run whose first block forks from the cursor, and reports each block", async () => {
      const { store } = testStore();
      await reset(store);
      const before = await dumpIndex(store);
      const run = [
        { number: 2, hash: blockHash("b", 2), parentHash: blockHash("b", 1), events: [toEvent({ kind: "account", a: 1 })] },
        { number: 3, hash: blockHash("b", 3), parentHash: blockHash("b", 2), events: [] },
      ];
      expect(await store.index.projection.applyBlocks(run)).to.deep.equal(["fork", "gap"]);
      expect(await dumpIndex(store)).to.deep.equal(before);
    });

    it("answers an empty run with no outcomes and changes nothing", async () => {
      const { store } = testStore();
      await reset(store);
      const before = await dumpIndex(store);
      expect(await store.index.projection.applyBlocks([])).to.deep.equal([]);
      expect(await dumpIndex(store)).to.deep.equal(before);
    });
  });
}
