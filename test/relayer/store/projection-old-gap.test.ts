import { expect } from "chai";
import { accounts, sharedCursorHarness } from "./shared-cursor-support";
import { accountHash, toEvent } from "./support";

// Two relayers with different reorg windows (REORG_WINDOW / CONFIRMATION_DEPTH) share one Postgres
// index. The one with the narrower window applies blocks as old (applyOldBlocks, no journal, no
// parent hash) that the other still keeps and can undo. When the other follows a reorg and undoes
// the index below the run this one read, applying the run would leave the undone blocks out for
// good (a hole): the run is refused as a gap, as applyBlock refuses a block whose parent is gone
// (docs/finality.md, "The index on a reorg"). (SQLite has one process per database file.)

describe("index projection: old blocks after another indexer undid the index below them (postgres)", function () {
  this.timeout(60_000);
  const harness = sharedCursorHarness();
  const { otherIndexerMoves, whenWaiting } = harness;

  /** This indexer's run of old blocks read after cursor 100: blocks 150 and 190 of 101..200 hold events. */
  const run = [
    { number: 150, hash: `0x${"5".repeat(64)}`, events: [toEvent({ kind: "account", a: 1 })] },
    { number: 190, hash: `0x${"9".repeat(64)}`, events: [toEvent({ kind: "account", a: 2 })] },
  ];

  it("refuses a run of old blocks as a gap when another indexer undid the index below the run while it waited for the cursor row", async () => {
    const t = harness.store();
    const projection = t.store.index.projection;
    await projection.advanceCursor(100);
    const undo = await otherIndexerMoves(80);
    const applying = projection.applyOldBlocks(run, { after: 100 });
    await whenWaiting();
    await undo.query("COMMIT");

    expect(await applying).to.equal("gap");
    expect(await projection.cursor(), "the cursor the other indexer left").to.deep.equal({ block: 80, hash: null });
    expect(await accounts(t), "nothing applied").to.deep.equal([]);
  });

  it("refuses a run of old blocks as a gap when the cursor is already below it", async () => {
    const t = harness.store();
    const projection = t.store.index.projection;
    await projection.advanceCursor(80);
    expect(await projection.applyOldBlocks(run, { after: 100 })).to.equal("gap");
    expect(await accounts(t)).to.deep.equal([]);
  });

  it("does not move the cursor over blocks after a gap to the end of the range read", async () => {
    const t = harness.store();
    const projection = t.store.index.projection;
    await projection.advanceCursor(80);
    expect(await projection.advanceCursor(200, null, { after: 100 })).to.equal(false);
    expect((await projection.cursor())?.block).to.equal(80);
  });

  it("applies the run and moves the cursor to the end of the range when the cursor stands where the run starts", async () => {
    const t = harness.store();
    const projection = t.store.index.projection;
    await projection.advanceCursor(100);
    expect(await projection.applyOldBlocks(run, { after: 100 })).to.equal(2);
    expect(await projection.advanceCursor(200, null, { after: 190 })).to.equal(true);
    expect(await accounts(t)).to.deep.equal([accountHash(1), accountHash(2)]);
    expect((await projection.cursor())?.block).to.equal(200);
  });
});
