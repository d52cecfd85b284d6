/**
 * Rows written before migration 0008_outbox_resend have no resend state: the migration added the
 * column with its default, `none` (docs/finality.md, "Upgrading to the version with migration 0008").
 * A batch row still in flight at the upgrade is rebroadcast by the first start of the new version;
 * its calls are owed by no one else (every older instance is stopped first). This test builds that
 * row (a batch stored signed, its broadcast never reached the node, then its resend state set back to
 * the column default, as the migration left it) and starts the new version on a node that refuses the
 * batch as too large: each call must be sent alone, once. In-process Hardhat network (automine),
 * SQLite and Postgres; the node's refusal is geth's text, from a FlakyRpc.
 */
import { expect } from "chai";
import { BACKENDS, FlakyRpc, hardhatRpc, until } from "../support";
import { refusingBatches, useRecoveryFixture } from "./recovery-fixture";

for (const backend of BACKENDS) {
  describe(`relayer: a batch row written before migration 0008 (${backend})`, function () {
    const { store, rows, onChain, stop, startOn: run, storeUnsentBatch } = useRecoveryFixture(backend);

    it("sends alone, once, the calls of a batch row without resend state that the node refuses as too large after the upgrade", async () => {
      const down = new FlakyRpc(hardhatRpc());
      const old = await run(down);
      await storeUnsentBatch(old, down, ["legacy 0", "legacy 1"]);
      await stop(old);
      const batch = (await rows()).find((r) => r.method === "batchCalls");
      if (!batch) throw new Error("no batch row");
      // As migration 0008 left a row of an older version: no resend state.
      await store().db.run("UPDATE outbox SET resend = 0, gas_from_cache = 0 WHERE id = $1", [batch.id]);
      expect((await store().outbox.get(batch.id))?.resend).to.equal("none");

      await run(refusingBatches());
      await until(async () => (await onChain("legacy 0")) === 1 && (await onChain("legacy 1")) === 1, 20_000, "both calls applied");
      await until(async () => (await store().outbox.get(batch.id))?.resend === "settled", 10_000, "the batch row settled");
      expect(
        (await rows()).filter((r) => r.kind === "call" && r.id > batch.id).map((r) => `${r.idemScope} ${r.idemKey}`).sort(),
        "each call sent alone once, keyed by the batch row",
      ).to.deep.equal([`batch-retry ${batch.id}:0`, `batch-retry ${batch.id}:1`]);
    });
  });
}
