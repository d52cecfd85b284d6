import { expect } from "chai";
import { accounts, sharedCursorHarness } from "./shared-cursor-support";
import { accountHash, blockHash, toEvent } from "./support";

// Two relayers may share one Postgres index; their indexers serialise on the cursor row
// (store/projection/index.ts). Catching up, each applies blocks older than the reorg window in
// runs (applyOldBlocks), then moves the cursor to the end of the range it read (advanceCursor).
// Their ranges differ (each reads the head at its own time), so the other indexer can commit a
// cursor inside this one's run while this one waits for the cursor row's lock. The blocks of the
// run above that cursor must still be applied: the indexer moves the cursor past them next.
// The same holds for one block (applyBlock): its answer must be about the cursor the other
// indexer left, not the one read before waiting.
// (SQLite has one process per database file: no second indexer.)

describe("index projection: a cursor another indexer sharing the database moves while this one waits (postgres)", function () {
  this.timeout(60_000);
  const harness = sharedCursorHarness();
  const { otherIndexerMoves, whenWaiting } = harness;

  it("answers a block as a gap when another indexer undid the index below its parent while it waited for the cursor row", async () => {
    const t = harness.store();
    const projection = t.store.index.projection;
    for (let n = 1; n <= 5; n++) {
      expect(await projection.applyBlock(n, blockHash("a", n), n === 1 ? null : blockHash("a", n - 1), [])).to.equal("applied");
    }
    // The other relayer's indexer follows a reorg: undone to block 3.
    const undo = await otherIndexerMoves(3, blockHash("a", 3));
    const applying = projection.applyBlock(6, blockHash("a", 6), blockHash("a", 5), [toEvent({ kind: "account", a: 1 })]);
    await whenWaiting();
    await undo.query("COMMIT");

    expect(await applying).to.equal("gap");
    expect(await projection.cursor()).to.deep.equal({ block: 3, hash: blockHash("a", 3) });
    expect(await accounts(t)).to.deep.equal([]);
  });

  it("applies the blocks above the cursor another indexer committed while it waited for the cursor row", async () => {
    const t = harness.store();
    // This relayer's catch-up run: blocks 60 and 90 of the range 1..100 hold events.
    const run = [
      { number: 60, hash: `0x${"6".repeat(64)}`, events: [toEvent({ kind: "account", a: 1 })] },
      { number: 90, hash: `0x${"9".repeat(64)}`, events: [toEvent({ kind: "account", a: 2 })] },
    ];
    // The other relayer's indexer, whose node was behind, applies 1..50 (no events there) and
    // holds the cursor row until it commits.
    const catchUp = await otherIndexerMoves(50, null);
    const applying = t.store.index.projection.applyOldBlocks(run);
    await whenWaiting();
    await catchUp.query("COMMIT");

    expect(await applying, "blocks applied").to.equal(2);
    // What the indexer does next: the cursor to the end of the range it read.
    await t.store.index.projection.advanceCursor(100);
    expect(await accounts(t)).to.deep.equal([accountHash(1), accountHash(2)]);
    expect((await t.store.index.projection.cursor())?.block).to.equal(100);
  });
});
