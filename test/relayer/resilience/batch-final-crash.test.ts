/**
 * A relayer that stops (or crashes) while a batch waits to be final (docs/finality.md "A crash
 * while a batch waits to be final"), on a real chain (`hardhat node` child process, automine;
 * reorganised with evm_snapshot / evm_revert): the relayer started again on the same outbox
 * settles the batch's calls once it is final, as the final chain says: a call the batch did not
 * apply is sent alone exactly once, and none is sent alone when a reorg re-mined the batch with
 * success meanwhile. The first relayer is stopped with stop(): it writes nothing more to the outbox
 * than a SIGKILL would let it (its clients are answered 503 queued and no call is sent alone).
 * The chain layer runs in this process (startChain, SQLite store) over HTTP to the node.
 */
import { expect } from "chai";
import type { Chain } from "../../../src/relayer/chain";
import { Answer, PAYER, TEN_CIDS, batchFinalHarness } from "./batch-final-harness";
import { expectGapFreeNonces, waitUntil } from "./support";

describe("a relayer restarted while a batch waits to be final (hardhat node)", function () {
  const t = batchFinalHarness({ label: "batch-final-crash", writeTimeoutMs: 60_000 });
  const { store, head, mine, addGroup, updateGroup, onChain, inIndex, batchRow, asOwner, snapshot, revert, lastId, start, newGroup, warmGasCache } = t;
  let first: Chain | null = null;

  it("sends alone, exactly once, the calls of a batch that reverted once it is final, when the relayer that sent it stopped before", async () => {
    first = await start();
    const group = await newGroup(first, "crash-1");
    await warmGasCache(first, group);
    await (await asOwner().updateGroup(t.account, group, "grown", "", TEN_CIDS, [])).wait();
    const from = await lastId();
    const update = new Answer(first.writes.write(updateGroup(group, "crash-updated")));
    const add = new Answer(first.writes.write(addGroup("crash-once")));
    const reverted = await waitUntil("the batch reverted on chain", async () => {
      const r = await batchRow(from);
      return r && r.status === "reverted" ? r : undefined;
    }, 30_000);
    expect(reverted.errorName).to.equal("BatchCallOutOfGas");
    await t.stop(first);
    first = null;
    await waitUntil("both clients answered", async () => update.value !== undefined && add.value !== undefined, 10_000);
    expect([update.value, add.value], "answered 503 queued on stop").to.deep.equal(["queued", "queued"]);
    expect((await store().outbox.list()).filter((r) => r.id > reverted.id), "nothing sent alone").to.deep.equal([]);

    const c = await start();
    await mine(4); // the batch is final reverted
    await waitUntil("the calls applied alone", async () => (await onChain("crash-once")) === 1, 30_000);
    await mine(4);
    await waitUntil("every row final", async () => (await store().outbox.list()).every((r) => r.final || r.status === "failed"), 30_000);
    await c.indexer.syncTo(await head(), 30_000);
    expect(await onChain("crash-once"), "on chain").to.equal(1);
    expect(await inIndex("crash-once"), "in the index").to.equal(1);
    expect((await t.d.diamond.listGroups(t.account, 0, 100)).find((g) => String(g.id) === group)?.name).to.equal("crash-updated");
    const alone = (await store().outbox.list()).filter((r) => r.id > reverted.id && r.kind === "call");
    expect(alone.map((r) => `${r.method} ${r.idemScope} ${r.idemKey}`).sort(), "each call sent alone once, keyed by the batch row").to.deep.equal([
      `addGroup batch-retry ${reverted.id}:1`,
      `updateGroup batch-retry ${reverted.id}:0`,
    ]);
    await expectGapFreeNonces(t.node.url, [PAYER]);
  });

  it("sends none of the calls alone when a reorg re-mined the reverted batch with success while the relayer that sent it was stopped", async () => {
    first = await start();
    const group = await newGroup(first, "crash-2");
    await warmGasCache(first, group);
    const snap = await snapshot();
    await (await asOwner().updateGroup(t.account, group, "grown", "", TEN_CIDS, [])).wait();
    const from = await lastId();
    const update = new Answer(first.writes.write(updateGroup(group, "crash-remined")));
    const add = new Answer(first.writes.write(addGroup("crash-remined-once")));
    const reverted = await waitUntil("the batch reverted on chain", async () => {
      const r = await batchRow(from);
      return r && r.status === "reverted" ? r : undefined;
    }, 30_000);
    await t.stop(first);
    first = null;
    await waitUntil("both clients answered", async () => update.value !== undefined && add.value !== undefined, 10_000);

    // The reorg drops the owner's transaction and the batch's block; the restarted relayer's index
    // follows it, re-sends the batch, which fits its gas on the new branch.
    await revert(snap);
    await mine(2);
    const c = await start();
    await waitUntil("the batch mined again on the new branch", async () => {
      const r = await store().outbox.get(reverted.id);
      return r?.status === "mined" ? r : undefined;
    }, 30_000);
    await mine(4);
    await waitUntil("the batch final", async () => (await store().outbox.get(reverted.id))?.final === true, 30_000);
    await mine(4);
    await waitUntil("every row final", async () => (await store().outbox.list()).every((r) => r.final || r.status === "failed"), 30_000);
    await c.indexer.syncTo(await head(), 30_000);
    expect(await onChain("crash-remined-once"), "on chain").to.equal(1);
    expect(await inIndex("crash-remined-once"), "in the index").to.equal(1);
    expect((await t.d.diamond.listGroups(t.account, 0, 100)).find((g) => String(g.id) === group)?.name).to.equal("crash-remined");
    expect((await store().outbox.list()).filter((r) => r.id > reverted.id && r.kind === "call"), "nothing sent alone").to.deep.equal([]);
    await expectGapFreeNonces(t.node.url, [PAYER]);
  });
});
