/**
 * A batch that reverted as a whole is final, and its calls are to be sent alone (docs/finality.md,
 * "A batch's calls through a reorg"): the moment between the batch becoming final and its calls'
 * rows being stored, and the answers the batching front gives meanwhile. What must hold: no call is
 * lost, none is sent twice, and no answer the front gave is contradicted by what the chain does.
 * A crash in that moment is reproduced by its state: the relayer that sent the batch is stopped
 * while the batch waits to be final (stop() writes nothing a crash would not leave), then the row is
 * marked final as the finality tracker does, with no call's row stored. Real chain (`hardhat node`
 * child, automine), one payer, confirmation depth 3, SQLite and Postgres.
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import type { Chain } from "../../../src/relayer/chain";
import { BACKENDS } from "../support";
import { Answer, PAYER, batchFinalHarness } from "./batch-final-harness";
import { devKey, expectGapFreeNonces, waitUntil } from "./support";

for (const backend of BACKENDS) {
  describe(`a batch final reverted around a crash or a refused retry (${backend})`, function () {
    const t = batchFinalHarness({ label: `batch-final-then-crash-${backend}`, writeTimeoutMs: 60_000, backend });
    const { store, mine, asOwner, onChain, start, newGroup, warmGasCache } = t;

    /** A batch [updateGroup, addGroup(name)] sent from cached gas too low for the grown group: it reverts as a whole. */
    async function revertedBatch(c: Chain, label: string): Promise<{ id: number; blockHash: string; update: Answer; add: Answer; group: string }> {
      const group = await newGroup(c, `${label}-group`);
      await warmGasCache(c, group);
      const { update, add, reverted } = await t.revertedBatch(c, group, `${label}-updated`, label);
      expect(reverted.errorName).to.equal("BatchCallOutOfGas");
      if (reverted.blockHash === null) throw new Error("no block hash");
      return { id: reverted.id, blockHash: reverted.blockHash, update, add, group };
    }

    const aloneAfter = async (id: number): Promise<string[]> => (await t.callsAfter(id)).map((r) => `${r.method} ${r.idemScope} ${r.idemKey}`).sort();

    it("sends alone, once, the calls of a batch that became final reverted just before a crash, before any call's row was stored", async () => {
      const first = await start();
      const b = await revertedBatch(first, "final-then-crash");
      await t.stop(first);
      await waitUntil("both clients answered", async () => b.update.value !== undefined && b.add.value !== undefined, 10_000);
      expect([b.update.value, b.add.value], "answered 503 queued on stop").to.deep.equal(["queued", "queued"]);
      await mine(4);
      // The crash's state: the tracker marked the batch final; its calls' rows were never stored.
      expect(await store().outbox.markFinal(b.id, b.blockHash)).to.equal(true);
      expect(await aloneAfter(b.id)).to.deep.equal([]);

      await start();
      await waitUntil("the add applied alone", async () => (await onChain("final-then-crash")) === 1, 30_000);
      await waitUntil("the batch settled", async () => (await store().outbox.get(b.id))?.resend === "settled", 30_000);
      expect(await aloneAfter(b.id), "each call sent alone once, keyed by the batch row").to.deep.equal([
        `addGroup batch-retry ${b.id}:1`,
        `updateGroup batch-retry ${b.id}:0`,
      ]);
      expect(await onChain("final-then-crash"), "applied once").to.equal(1);
      await expectGapFreeNonces(t.node.url, [PAYER]);
    });

    it("sends nothing twice when a relayer starts after the front sent the calls of a final reverted batch alone", async () => {
      const first = await start();
      const b = await revertedBatch(first, "front-then-start");
      await mine(4); // final: the front sends both calls alone
      await waitUntil("both clients answered", async () => b.update.value !== undefined && b.add.value !== undefined, 30_000);
      expect([b.update.value, b.add.value]).to.deep.equal(["ok", "ok"]);
      await start(); // its recovery looks at the final reverted batch, still due
      await waitUntil("the batch settled", async () => (await store().outbox.get(b.id))?.resend === "settled", 30_000);
      expect(await aloneAfter(b.id)).to.deep.equal([`addGroup batch-retry ${b.id}:1`, `updateGroup batch-retry ${b.id}:0`]);
      expect(await onChain("front-then-start"), "applied once").to.equal(1);
    });

    it("answers a call whose retry the payer check refuses 503 queued, never 'nothing was sent', and applies it once the payers pass", async () => {
      const first = await start({ payerCheckIntervalMs: 200 });
      const b = await revertedBatch(first, "refused-retry");
      const payers = [...(await t.d.diamond.api_payers())];
      await (await asOwner().setApiPayers([new Wallet(devKey(8)).address])).wait(); // the relayer's payer is no longer registered
      await mine(4); // final: the front sends both calls alone, and the payer check refuses them
      await waitUntil("both clients answered", async () => b.update.value !== undefined && b.add.value !== undefined, 30_000);
      expect([b.update.value, b.add.value], "queued: they will be applied").to.deep.equal(["queued", "queued"]);
      expect(await onChain("refused-retry")).to.equal(0);
      await (await asOwner().setApiPayers(payers)).wait();
      await waitUntil("the add applied", async () => (await onChain("refused-retry")) === 1, 30_000);
      await waitUntil("the batch settled", async () => (await store().outbox.get(b.id))?.resend === "settled", 30_000);
      expect(await aloneAfter(b.id)).to.deep.equal([`addGroup batch-retry ${b.id}:1`, `updateGroup batch-retry ${b.id}:0`]);
      expect(await t.groupName(b.group)).to.equal("refused-retry-updated");
    });
  });
}
