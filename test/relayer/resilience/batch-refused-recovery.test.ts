/**
 * A batch the node refuses as too large (node-limits.ts: nothing of it applied, the row failed)
 * has its calls sent again: live by the batching front, in smaller batches; after a crash (or a
 * stop) by the start-up recovery, each call alone under the key `batch-retry/<row id>:<index>`
 * (docs/finality.md, "Sent again after a crash"). Only one of them does it. In-process Hardhat
 * network (automine), SQLite and Postgres; the node's refusal is the text geth gives, from a
 * FlakyRpc in front of the network.
 */
import { expect } from "chai";
import { Transaction } from "ethers";
import { ChainUnavailableError } from "../../../src/relayer/ports";
import { BACKENDS, FlakyRpc, hardhatRpc, until } from "../support";
import { BATCH_SELECTOR, OVERSIZED, refusingBatches, useRecoveryFixture } from "./recovery-fixture";

for (const backend of BACKENDS) {
  describe(`relayer: a batch the node refuses as too large, through a restart (${backend})`, function () {
    const { store, rows, addGroup, onChain, fixture, stop, startOn: run, openAccount, storeUnsentBatch } = useRecoveryFixture(backend);

    it("sends alone, exactly once, the calls of a stored batch that the node refuses as too large when the restarted relayer rebroadcasts it", async () => {
      const down = new FlakyRpc(hardhatRpc());
      const first = await run(down);
      // A batch stored signed whose broadcast did not reach the node (its callers: 503 queued).
      const err = await storeUnsentBatch(first, down, ["refused 0", "refused 1"]);
      expect(err).to.be.instanceOf(ChainUnavailableError);
      expect((err as ChainUnavailableError).queued, "stored, to be sent").to.equal(true);
      await stop(first);
      const batch = (await rows()).find((r) => r.method === "batchCalls");
      expect([batch?.status, batch?.resend]).to.deep.equal(["signed", "pending"]);
      if (!batch) throw new Error("unreachable");

      // The node of the restarted relayer refuses it as too large: nothing of it applied.
      await run(refusingBatches());
      await until(async () => (await onChain("refused 0")) === 1 && (await onChain("refused 1")) === 1, 20_000, "both calls applied");
      await until(async () => (await store().outbox.get(batch.id))?.resend === "settled", 10_000, "the batch row settled");
      const after = await rows();
      expect(after.find((r) => r.id === batch.id)?.status).to.equal("failed");
      expect(
        after.filter((r) => r.kind === "call" && r.id > batch.id).map((r) => `${r.method} ${r.idemScope} ${r.idemKey} ${r.status}`).sort(),
        "each call sent alone once, keyed by the batch row",
      ).to.deep.equal([`addGroup batch-retry ${batch.id}:0 mined`, `addGroup batch-retry ${batch.id}:1 mined`]);
      expect([await onChain("refused 0"), await onChain("refused 1")], "applied once each").to.deep.equal([1, 1]);
    });

    it("sends the calls of a refused batch once the payers are registered again when the payer check refuses them at first", async () => {
      const down = new FlakyRpc(hardhatRpc());
      const first = await run(down);
      await storeUnsentBatch(first, down, ["gated 0", "gated 1"]);
      await stop(first);
      const payers = [...(await fixture().diamond.api_payers())];
      await (await fixture().diamond.connect(fixture().owner).setApiPayers([fixture().users[1].address])).wait();

      const refusals: string[] = [];
      const logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (_: unknown, msg: string) => void refusals.push(msg) };
      await run(refusingBatches(), { logger, payerCheckIntervalMs: 200 });
      await until(() => refusals.some((m) => /refused by the payer check/.test(m)), 10_000, "the calls refused by the payer check");
      await new Promise((r) => setTimeout(r, 1_000));
      expect([await onChain("gated 0"), await onChain("gated 1")], "not sent while the payers are unregistered").to.deep.equal([0, 0]);
      await (await fixture().diamond.connect(fixture().owner).setApiPayers(payers)).wait();
      await until(async () => (await onChain("gated 0")) === 1 && (await onChain("gated 1")) === 1, 30_000, "both calls applied");
      const batch = (await rows()).find((r) => r.method === "batchCalls");
      expect((await rows()).filter((r) => r.idemScope === "batch-retry").map((r) => r.idemKey).sort()).to.deep.equal([`${batch?.id}:0`, `${batch?.id}:1`]);
    });

    it("leaves to the live batching front the calls of a batch refused as too large: a later start sends none of them again", async () => {
      const live = await run(refusingBatches(), { batchMaxInFlight: 1 });
      await openAccount(live);
      const names = ["live 0", "live 1", "live 2"];
      await Promise.all(names.map((n) => live.writes.write(addGroup(n))));
      const refused = (await rows()).filter((r) => r.method === "batchCalls");
      expect(refused.length, "the front sent a batch, refused").to.be.greaterThan(0);
      await stop(live);
      const before = (await rows()).length;

      const again = await run(new FlakyRpc(hardhatRpc()));
      await again.writer.write(addGroup("after restart")); // the start-up recovery has looked at every row by now
      await new Promise((r) => setTimeout(r, 500));
      expect((await rows()).slice(before).map((r) => r.method), "nothing sent again").to.deep.equal(["addGroup"]);
      expect(await Promise.all(names.map(onChain)), "applied once each").to.deep.equal([1, 1, 1]);
      const settled = await Promise.all(refused.map((r) => store().outbox.get(r.id)));
      expect(settled.map((r) => `${r?.status} ${r?.resend}`), "taken over by the front").to.deep.equal(refused.map(() => "failed settled"));
    });

    it("answers the calls 503 queued when another relayer's start-up recovery claimed their refused batch first, which then applies each once", async () => {
      const rpc = new FlakyRpc(hardhatRpc());
      const live = await run(rpc, { batchMaxInFlight: 1 });
      await openAccount(live);
      // As the node refuses the batch, another relayer's recovery claims its row (the race the claim settles).
      rpc.before = async (method, params) => {
        if (method !== "eth_sendRawTransaction" || !Transaction.from(String(params[0])).data.startsWith(BATCH_SELECTOR)) return;
        const row = (await rows()).find((r) => r.rawTx === params[0]);
        if (row) await store().outbox.setResend(row.id, ["pending"], "claimed");
        throw new Error(OVERSIZED);
      };
      const names = ["claimed 0", "claimed 1", "claimed 2"];
      const answers = await Promise.allSettled(names.map((n) => live.writes.write(addGroup(n))));
      const queued = answers.filter((a) => a.status === "rejected" && a.reason instanceof ChainUnavailableError && a.reason.queued);
      expect(queued.length, "the batch's calls answered 503 queued").to.be.greaterThan(0);
      const batch = (await rows()).find((r) => r.method === "batchCalls");
      expect([batch?.status, batch?.resend]).to.deep.equal(["failed", "claimed"]);
      await stop(live);

      await run(new FlakyRpc(hardhatRpc()));
      await until(async () => (await Promise.all(names.map(onChain))).every((n) => n === 1), 20_000, "every call applied");
      await until(async () => (await store().outbox.get(batch?.id ?? 0))?.resend === "settled", 10_000, "the batch row settled");
      expect(await Promise.all(names.map(onChain)), "applied once each").to.deep.equal([1, 1, 1]);
      expect((await rows()).filter((r) => r.idemScope === "batch-retry").length, "the batch's calls, sent alone by the recovery").to.equal(queued.length);
    });
  });
}
