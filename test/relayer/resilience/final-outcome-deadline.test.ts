/**
 * A batch's calls that wait for the batch to be final (docs/finality.md "A batch's calls through a
 * reorg") on a chain that stops mining (`hardhat node` child process, automine: no block comes
 * unless a transaction or evm_mine makes one): they are answered by the write timeout as any write
 * that cannot be confirmed in time is (ChainUnavailableError, queued: 503 ChainUnavailable), and
 * stay tracked: once blocks come and the batch is final, each call is settled as the final chain
 * says, exactly once, with no one left to answer.
 * The chain layer runs in this process (startChain, SQLite store) over HTTP to the node.
 */
import { expect } from "chai";
import { Answer, PAYER, batchFinalHarness } from "./batch-final-harness";
import { expectGapFreeNonces, waitUntil } from "./support";

describe("a batch's calls waiting for it to be final, on a chain that stops mining (hardhat node)", function () {
  const t = batchFinalHarness({ label: "deadline", writeTimeoutMs: 1_500 });
  const { store, head, mine, addGroup, updateGroup, onChain, batchRow, asOwner, snapshot, revert, lastId, start, newGroup, warmGasCache } = t;

  it("the calls of a batch that reverted are answered queued by the write timeout while no block comes, and sent alone exactly once when it is final", async () => {
    const c = await start();
    const group = await newGroup(c, "deadline-1");
    await warmGasCache(c, group);
    // updateGroup of a group listing ten actions costs far more than cached: the batch runs out of gas.
    const { update, add, reverted } = await t.revertedBatch(c, group, "late-updated", "late-once");
    expect(reverted.errorName).to.equal("BatchCallOutOfGas");
    const stopped = await head();

    await waitUntil("both clients answered while no block comes", async () => update.value !== undefined && add.value !== undefined, 20_000);
    expect([update.value, add.value]).to.deep.equal(["queued", "queued"]);
    expect(await head(), "no block was mined meanwhile").to.equal(stopped);
    expect((await store().outbox.get(reverted.id))?.final, "the batch is not final").to.equal(false);

    // Blocks come: the batch is final reverted, and its calls are sent alone, once each.
    await t.untilSentAloneAndFinal("late-once");
    await t.expectApplied(c, "late-once", group, "late-updated");
    expect([update.count, add.count], "each client answered once").to.deep.equal([1, 1]);
    const alone = await t.callsAfter(reverted.id);
    expect(alone.map((r) => r.method).sort(), "each call sent alone once").to.deep.equal(["addGroup", "updateGroup"]);
    await expectGapFreeNonces(t.node.url, [PAYER]);
  });

  it("a call that failed in a batch sent from cached gas is answered queued by the write timeout while no block comes, and is not sent again once final", async () => {
    const c = await start();
    const group = await newGroup(c, "deadline-2");
    await warmGasCache(c, group);
    await (await asOwner().removeGroup(t.account, group)).wait(); // updateGroup of it now fails on chain
    const from = await lastId();
    const cachedBefore = c.status().batches.cachedGas;
    const update = new Answer(c.writes.write(updateGroup(group, "gone")));
    const beside = new Answer(c.writes.write(addGroup("beside-2")));
    const mined = await waitUntil("the batch mined", async () => {
      const r = await batchRow(from);
      return r && r.status === "mined" ? r : undefined;
    }, 30_000);
    expect(c.status().batches.cachedGas - cachedBefore, "sent from cached gas").to.equal(1);
    const stopped = await head();

    await waitUntil("the failed call answered while no block comes", async () => update.value !== undefined, 20_000);
    expect(update.value).to.equal("queued");
    expect(beside.value, "the call that applied is answered on inclusion").to.equal("ok");
    expect(await head(), "no block was mined meanwhile").to.equal(stopped);

    await mine(4);
    await t.untilFinal(mined.id);
    await mine(1);
    await t.untilEveryRowFinal();
    expect(await t.callsAfter(mined.id), "nothing sent alone").to.deep.equal([]);
    expect(await onChain("gone")).to.equal(0);
    expect(update.count).to.equal(1);
    await expectGapFreeNonces(t.node.url, [PAYER]);
  });
  it("the calls of a reverted batch answered queued by the write timeout are applied once, by the batch, when a reorg re-mines it with success before it is final", async () => {
    const c = await start();
    const group = await newGroup(c, "deadline-3");
    await warmGasCache(c, group);
    const snap = await snapshot();
    const fork = await head();
    const { update, add, reverted } = await t.revertedBatch(c, group, "reorg-updated", "reorg-once");
    await waitUntil("both clients answered while no block comes", async () => update.value !== undefined && add.value !== undefined, 20_000);
    expect([update.value, add.value]).to.deep.equal(["queued", "queued"]);

    // The reorg drops the owner's transaction and the batch's block; the re-sent batch fits its gas.
    await revert(snap);
    await mine(2);
    c.writer.noteReorg(fork + 1);
    await t.untilMinedAgainAndFinal(reverted.id);
    await t.expectApplied(c, "reorg-once", group, "reorg-updated");
    expect(await t.callsAfter(reverted.id), "nothing sent alone").to.deep.equal([]);
    expect([update.count, add.count]).to.deep.equal([1, 1]);
    await expectGapFreeNonces(t.node.url, [PAYER]);
  });
});
