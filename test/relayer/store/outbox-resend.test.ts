/**
 * The outbox's record of what a row may still have to send again (migration 0008_outbox_resend,
 * ports/outbox.ts ResendState; docs/finality.md, "Sent again after a crash"), on SQLite and Postgres.
 */
import { expect } from "chai";
import { BACKENDS, storePerTest } from "../support";
import type { NewOutboxRow, Store } from "../../../src/relayer/store";

const PAYER = "0x00000000000000000000000000000000000000a1";
const SIGNED = { rawTx: "0x02", hash: "0x03", maxFeePerGas: "1", maxPriorityFeePerGas: "1", gasPrice: null };

for (const backend of BACKENDS) {
  describe(`relayer outbox: the resend record (${backend})`, function () {
    const testStore = storePerTest(backend);
    const store = (): Store => testStore().store;
    const base: NewOutboxRow = { kind: "call", requestHash: "0x", method: "addGroup", to: PAYER, calldata: "0x", payer: PAYER, gasLimit: "1" };

    /** A row stored signed, then ended as `end` (final). */
    async function row(extra: Partial<NewOutboxRow>, end: "failed" | "reverted" | "mined" | "inFlight"): Promise<number> {
      const { outbox } = store();
      await outbox.reconcileNonce(PAYER, 0);
      const [r] = await outbox.insertSignedBatch([{ ...base, ...extra }], async () => SIGNED);
      if (!r) throw new Error("not stored");
      const at = { blockNumber: 1, blockHash: "0xb1", final: true, minedHash: "0x03", gasUsed: "1" };
      if (end === "failed") await outbox.markFailed(r.id, "oversized data");
      if (end === "reverted") await outbox.markReverted(r.id, { ...at, errorName: "TransactionReverted", errorArgs: [], message: "m" });
      if (end === "mined") await outbox.markMined(r.id, { ...at, result: "{}" });
      return r.id;
    }

    it("stores a row sent from cached gas as such, with its resend state pending; others as none", async () => {
      const { outbox } = store();
      const cached = await row({ gasFromCache: true, resend: true }, "inFlight");
      const plain = await row({}, "inFlight");
      expect([(await outbox.get(cached))?.gasFromCache, (await outbox.get(cached))?.resend]).to.deep.equal([true, "pending"]);
      expect([(await outbox.get(plain))?.gasFromCache, (await outbox.get(plain))?.resend]).to.deep.equal([false, "none"]);
    });

    it("moves the resend state only from the states given: of two claims of a pending row, one wins", async () => {
      const { outbox } = store();
      const id = await row({ resend: true }, "failed");
      const claims = await Promise.all([
        outbox.setResend(id, ["pending"], "settled"),
        outbox.setResend(id, ["pending"], "claimed"),
      ]);
      expect(claims.filter(Boolean)).to.have.length(1);
      expect(await outbox.setResend(id, ["pending"], "claimed"), "no longer pending").to.equal(false);
      expect(await outbox.setResend(id, [], "settled"), "from no state").to.equal(false);
    });

    it("finds the final failed or reverted rows still pending or claimed, and mined batches only once claimed", async () => {
      const { outbox } = store();
      const failedBatch = await row({ method: "batchCalls", resend: true }, "failed");
      const revertedAlone = await row({ gasFromCache: true, resend: true }, "reverted");
      const claimed = await row({ gasFromCache: true, resend: true }, "reverted");
      await outbox.setResend(claimed, ["pending"], "claimed");
      const settled = await row({ gasFromCache: true, resend: true }, "reverted");
      await outbox.setResend(settled, ["pending"], "settled");
      // A crash may come between its becoming final and its calls' rows being stored.
      const revertedBatch = await row({ method: "batchCalls", resend: true }, "reverted");
      await row({ method: "batchCalls", resend: true }, "mined"); // nothing owed unless the front claims it
      const claimedMinedBatch = await row({ method: "batchCalls", resend: true }, "mined");
      await outbox.setResend(claimedMinedBatch, ["pending"], "claimed");
      await row({ gasFromCache: true, resend: true }, "mined");
      await row({ gasFromCache: true, resend: true }, "inFlight"); // among inFlight()
      await row({}, "reverted");
      expect((await outbox.resendDue()).map((r) => r.id)).to.deep.equal([failedBatch, revertedAlone, claimed, revertedBatch, claimedMinedBatch]);
    });

    it("stores a pre-flight refusal under its key as a reverted row without a transaction; the key then answers it and no one else stores a row", async () => {
      const { outbox } = store();
      const refused = {
        kind: "call" as const,
        idemScope: "batch-retry",
        idemKey: "7:0",
        requestHash: "0x01",
        method: "addGroup",
        to: "0x0000000000000000000000000000000000000001",
        calldata: "0x1234",
        payer: "0x0000000000000000000000000000000000000002",
        gasLimit: "0",
      };
      const stored = await outbox.insertRefused(refused, { name: "AccountDoesNotExist", args: ["1"], message: "reverted: AccountDoesNotExist" });
      expect([stored?.status, stored?.final, stored?.nonce, stored?.rawTx, stored?.errorName, stored?.errorArgs]).to.deep.equal([
        "reverted",
        true,
        null,
        null,
        "AccountDoesNotExist",
        ["1"],
      ]);
      expect(await outbox.insertRefused(refused, { name: "Other", args: [], message: "m" }), "the key is taken").to.equal(null);
      expect(await outbox.insert({ ...refused, gasLimit: "100000" }), "no queued row under the key either").to.equal(null);
      expect((await outbox.findByKey("batch-retry", "7:0"))?.id).to.equal(stored?.id);
      expect(await outbox.latestCall(), "not a typical write for cost estimates").to.equal(null);
      expect(await outbox.resendDue()).to.deep.equal([]);
    });
  });
}
