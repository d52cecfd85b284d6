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
import { Answer, PAYER, TEN_CIDS, batchFinalHarness } from "./batch-final-harness";
import { expectGapFreeNonces, waitUntil } from "./support";

describe("a batch's calls waiting for it to be final, on a chain that stops mining (hardhat node)", function () {
  const t = batchFinalHarness({ label: "deadline", writeTimeoutMs: 1_500 });
  const { store, head, mine, addGroup, updateGroup, onChain, inIndex, batchRow, asOwner, snapshot, revert, lastId, start, newGroup, warmGasCache } = t;

  it("the calls of a batch that reverted are answered queued by the write timeout while no block comes, and sent alone exactly once when it is final", async () => {
    const c = await start();
    const group = await newGroup(c, "deadline-1");
    await warmGasCache(c, group);
    // updateGroup of a group listing ten actions costs far more than cached: the batch runs out of gas.
    await (await asOwner().updateGroup(t.account, group, "grown", "", TEN_CIDS, [])).wait();
    const from = await lastId();
    const update = new Answer(c.writes.write(updateGroup(group, "late-updated")));
    const add = new Answer(c.writes.write(addGroup("late-once")));
    const reverted = await waitUntil("the batch reverted on chain", async () => {
      const r = await batchRow(from);
      return r && r.status === "reverted" ? r : undefined;
    }, 30_000);
    expect(reverted.errorName).to.equal("BatchCallOutOfGas");
    const stopped = await head();

    await waitUntil("both clients answered while no block comes", async () => update.value !== undefined && add.value !== undefined, 20_000);
    expect([update.value, add.value]).to.deep.equal(["queued", "queued"]);
    expect(await head(), "no block was mined meanwhile").to.equal(stopped);
    expect((await store().outbox.get(reverted.id))?.final, "the batch is not final").to.equal(false);

    // Blocks come: the batch is final reverted, and its calls are sent alone, once each.
    await mine(4);
    await waitUntil("the calls applied alone", async () => (await onChain("late-once")) === 1, 30_000);
    await mine(4);
    await waitUntil("every row final", async () => (await store().outbox.list()).every((r) => r.final || r.status === "failed"), 30_000);
    await c.indexer.syncTo(await head(), 30_000);
    expect(await onChain("late-once"), "on chain").to.equal(1);
    expect(await inIndex("late-once"), "in the index").to.equal(1);
    expect((await t.d.diamond.listGroups(t.account, 0, 100)).find((g) => String(g.id) === group)?.name).to.equal("late-updated");
    expect([update.count, add.count], "each client answered once").to.deep.equal([1, 1]);
    const alone = (await store().outbox.list()).filter((r) => r.id > reverted.id && r.kind === "call");
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
    await waitUntil("the batch final", async () => (await store().outbox.get(mined.id))?.final === true, 30_000);
    await mine(1);
    await waitUntil("every row final", async () => (await store().outbox.list()).every((r) => r.final || r.status === "failed"), 30_000);
    expect((await store().outbox.list()).filter((r) => r.id > mined.id && r.kind === "call"), "nothing sent alone").to.deep.equal([]);
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
    await (await asOwner().updateGroup(t.account, group, "grown", "", TEN_CIDS, [])).wait();
    const from = await lastId();
    const update = new Answer(c.writes.write(updateGroup(group, "reorg-updated")));
    const add = new Answer(c.writes.write(addGroup("reorg-once")));
    const reverted = await waitUntil("the batch reverted on chain", async () => {
      const r = await batchRow(from);
      return r && r.status === "reverted" ? r : undefined;
    }, 30_000);
    await waitUntil("both clients answered while no block comes", async () => update.value !== undefined && add.value !== undefined, 20_000);
    expect([update.value, add.value]).to.deep.equal(["queued", "queued"]);

    // The reorg drops the owner's transaction and the batch's block; the re-sent batch fits its gas.
    await revert(snap);
    await mine(2);
    c.writer.noteReorg(fork + 1);
    await waitUntil("the batch mined again on the new branch", async () => {
      const r = await store().outbox.get(reverted.id);
      return r?.status === "mined" ? r : undefined;
    }, 30_000);
    await mine(4);
    await waitUntil("the batch final", async () => (await store().outbox.get(reverted.id))?.final === true, 30_000);
    await mine(4);
    await waitUntil("every row final", async () => (await store().outbox.list()).every((r) => r.final || r.status === "failed"), 30_000);
    await c.indexer.syncTo(await head(), 30_000);
    expect(await onChain("reorg-once"), "on chain").to.equal(1);
    expect(await inIndex("reorg-once"), "in the index").to.equal(1);
    expect((await t.d.diamond.listGroups(t.account, 0, 100)).find((g) => String(g.id) === group)?.name).to.equal("reorg-updated");
    expect((await store().outbox.list()).filter((r) => r.id > reverted.id && r.kind === "call"), "nothing sent alone").to.deep.equal([]);
    expect([update.count, add.count]).to.deep.equal([1, 1]);
    await expectGapFreeNonces(t.node.url, [PAYER]);
  });
});
