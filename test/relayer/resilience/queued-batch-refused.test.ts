/**
 * A batch whose first broadcast does not reach the node is stored and its calls answered 503
 * queued ("stored and will be sent"). When the worker's rebroadcast then meets the node's refusal
 * as too large (node-limits.ts: nothing of it applied), its calls must still be sent, by the
 * running relayer (docs/finality.md, "Sent again after a crash": each call alone under
 * `batch-retry/<row id>:<index>`), not only after a restart. In-process Hardhat network
 * (automine), SQLite and Postgres; the node's refusal is geth's text, from a FlakyRpc.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { Transaction } from "ethers";
import { encodeCall } from "../../../src/relayer/chain/abi";
import { ChainUnavailableError, type OutboxRow } from "../../../src/relayer/ports";
import { BACKENDS, FlakyRpc, hardhatRpc, until } from "../support";
import { BATCH_SELECTOR, OVERSIZED, refusingBatches, useRecoveryFixture } from "./recovery-fixture";

/** How many of `answers` are 503 queued (stored, to be sent). */
const queuedCount = (answers: PromiseSettledResult<unknown>[]): number =>
  answers.filter((a) => a.status === "rejected" && a.reason instanceof ChainUnavailableError && a.reason.queued).length;

for (const backend of BACKENDS) {
  describe(`relayer: a queued batch refused as too large at its rebroadcast (${backend})`, function () {
    const { store, rows, addGroup, onChain, startOn, openAccount } = useRecoveryFixture(backend);

    /** The batchCalls row. */
    const batchRow = async (): Promise<OutboxRow> => {
      const batch = (await rows()).find((r) => r.method === "batchCalls");
      if (!batch) throw new Error("no batch row");
      return batch;
    };
    /** Waits until each addGroup of `names` is on chain; a time-out says what is there and `state` of batch row `id`. */
    const untilEachApplied = (names: readonly string[], id: number, state: (row: OutboxRow | null) => string): Promise<void> =>
      until(async () => (await Promise.all(names.map(onChain))).every((n) => n === 1), 10_000, "every call applied by the running relayer").catch(
        async (err: Error) => {
          throw new Error(`${err.message}: on chain ${JSON.stringify(await Promise.all(names.map(onChain)))}, batch row ${state(await store().outbox.get(id))}`);
        },
      );

    it("sends the calls of a batch answered 503 queued once its rebroadcast is refused as too large, each once, without a restart", async () => {
      const rpc = new FlakyRpc(hardhatRpc());
      // A batch's first broadcast does not reach the node; every later one is refused as too large.
      let batchBroadcasts = 0;
      rpc.before = async (method, params) => {
        if (method !== "eth_sendRawTransaction" || !Transaction.from(String(params[0])).data.startsWith(BATCH_SELECTOR)) return;
        if (batchBroadcasts++ === 0) throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8545"), { code: "ECONNREFUSED" });
        throw new Error(OVERSIZED);
      };
      const live = await startOn(rpc, { batchMaxInFlight: 1 });
      await openAccount(live);

      const names = ["queued 0", "queued 1", "queued 2"];
      const answers = await Promise.allSettled(names.map((n) => live.writes.write(addGroup(n))));
      const queued = queuedCount(answers);
      expect(queued, "the batch's calls answered 503 queued (stored, to be sent)").to.be.greaterThan(1);
      const batch = await batchRow();
      await until(async () => (await store().outbox.get(batch.id))?.status === "failed", 10_000, "the rebroadcast refused as too large");

      await untilEachApplied(names, batch.id, (row) => String(row?.resend));
      expect(await Promise.all(names.map(onChain)), "applied once each").to.deep.equal([1, 1, 1]);
      expect((await rows()).filter((r) => r.idemScope === "batch-retry").length, "the batch's calls, each sent alone once").to.equal(queued);
    });

    it("sends the calls of a batch stored unsigned (fee lookup failed, answered 503 queued) once the node refuses it as too large, each once, without a restart", async () => {
      const rpc = refusingBatches();
      const live = await startOn(rpc, { batchMaxInFlight: 1 });
      await openAccount(live);
      await new Promise((r) => setTimeout(r, 1_100)); // the fees looked up for that write are no longer cached

      rpc.failing.add("eth_maxPriorityFeePerGas");
      const names = ["unsigned 0", "unsigned 1", "unsigned 2"];
      const answers = await Promise.allSettled(names.map((n) => live.writes.write(addGroup(n))));
      rpc.failing.delete("eth_maxPriorityFeePerGas");
      const queued = queuedCount(answers);
      expect(queued, "the batch's calls answered 503 queued (stored, to be sent)").to.be.greaterThan(1);
      const batch = await batchRow();
      await until(async () => (await store().outbox.get(batch.id))?.status === "failed", 10_000, "the worker's broadcast refused as too large");

      await untilEachApplied(names, batch.id, (row) => String(row?.resend));
      expect((await rows()).filter((r) => r.idemScope === "batch-retry").length, "the batch's calls, each sent alone once").to.equal(queued);
    });

    it("sends alone, once each, the calls of a batch answered 503 queued that then reverts as a whole on chain, once it is final, without a restart", async () => {
      const rpc = new FlakyRpc(hardhatRpc());
      let dropped = false;
      rpc.before = async (method, params) => {
        if (method !== "eth_sendRawTransaction" || dropped || !Transaction.from(String(params[0])).data.startsWith(BATCH_SELECTOR)) return;
        dropped = true;
        throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8545"), { code: "ECONNREFUSED" });
      };
      const live = await startOn(rpc, { confirmationDepth: 3 });
      await openAccount(live);
      const names = ["reverted 0", "reverted 1"];
      const calls = names.map((n) => encodeCall("addGroup", addGroup(n).args));
      // A gas limit the batch runs out of on chain: it reverts as a whole, nothing of it applied.
      const err = await live.writer.write({ method: "batchCalls", args: [calls] }, { gasLimit: 60_000n, calldata: encodeCall("batchCalls", [calls]) }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err instanceof ChainUnavailableError && err.queued, "answered 503 queued (stored, to be sent)").to.equal(true);
      const batch = await batchRow();
      await until(async () => (await store().outbox.get(batch.id))?.status === "reverted", 10_000, "the worker's rebroadcast reverted on chain");
      for (let i = 0; i < 4; i++) await network.provider.send("evm_mine", []); // final

      await untilEachApplied(names, batch.id, (row) => `${row?.status} final ${row?.final}`);
      expect((await rows()).filter((r) => r.idemScope === "batch-retry").map((r) => r.idemKey).sort()).to.deep.equal([`${batch.id}:0`, `${batch.id}:1`]);
    });
  });
}
