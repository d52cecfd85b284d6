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
import { PAYER, batchFinalHarness } from "./batch-final-harness";
import { expectGapFreeNonces, waitUntil } from "./support";

describe("a relayer restarted while a batch waits to be final (hardhat node)", function () {
  const t = batchFinalHarness({ label: "batch-final-crash", writeTimeoutMs: 60_000 });
  const { store, mine, snapshot, revert, start, newGroup, warmGasCache } = t;
  let first: Chain | null = null;

  it("sends alone, exactly once, the calls of a batch that reverted once it is final, when the relayer that sent it stopped before", async () => {
    first = await start();
    const group = await newGroup(first, "crash-1");
    await warmGasCache(first, group);
    const { update, add, reverted } = await t.revertedBatch(first, group, "crash-updated", "crash-once");
    expect(reverted.errorName).to.equal("BatchCallOutOfGas");
    await t.stop(first);
    first = null;
    await waitUntil("both clients answered", async () => update.value !== undefined && add.value !== undefined, 10_000);
    expect([update.value, add.value], "answered 503 queued on stop").to.deep.equal(["queued", "queued"]);
    expect((await store().outbox.list()).filter((r) => r.id > reverted.id), "nothing sent alone").to.deep.equal([]);

    const c = await start();
    await t.untilSentAloneAndFinal("crash-once");
    await t.expectApplied(c, "crash-once", group, "crash-updated");
    const alone = await t.callsAfter(reverted.id);
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
    const { update, add, reverted } = await t.revertedBatch(first, group, "crash-remined", "crash-remined-once");
    await t.stop(first);
    first = null;
    await waitUntil("both clients answered", async () => update.value !== undefined && add.value !== undefined, 10_000);

    // The reorg drops the owner's transaction and the batch's block; the restarted relayer's index
    // follows it, re-sends the batch, which fits its gas on the new branch.
    await revert(snap);
    await mine(2);
    const c = await start();
    await t.untilMinedAgainAndFinal(reverted.id);
    await t.expectApplied(c, "crash-remined-once", group, "crash-remined");
    expect(await t.callsAfter(reverted.id), "nothing sent alone").to.deep.equal([]);
    await expectGapFreeNonces(t.node.url, [PAYER]);
  });
});
