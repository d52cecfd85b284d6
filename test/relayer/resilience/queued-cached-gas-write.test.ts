/**
 * A write alone sent from its shape's cached gas whose first broadcast does not reach the node is
 * stored and answered 503 queued ("stored and will be sent"). When the worker's rebroadcast then
 * runs out of that cached gas on chain (nothing applied), the write must still be sent again,
 * pre-flighted, under `cached-gas-retry/<row id>` (writer/cached-gas-retry.ts), by the running
 * relayer, not only after a restart. In-process Hardhat network (automine), confirmation depth 3.
 */
import { expect } from "chai";
import { Transaction } from "ethers";
import type { OutboxRow } from "../../../src/relayer/store";
import { BACKENDS, FlakyRpc, hardhatRpc, start, until } from "../support";
import { answerOf, useRecoveryFixture } from "./recovery-fixture";

const LONG = "a group name of a queued write from cached gas";

for (const backend of BACKENDS) {
  describe(`relayer: a queued write from cached gas that runs out of it at its rebroadcast (${backend})`, function () {
    const { store, rows, addGroup, onChain, mine, chains, fixture, cacheTooLowGas } = useRecoveryFixture(backend);

    it("sends the write again once its out-of-gas rebroadcast is final, without a restart, once", async () => {
      const rpc = new FlakyRpc(hardhatRpc());
      const relayer = await start(store(), fixture().diamondAddress, { provider: rpc, confirmationDepth: 3 });
      chains.push(relayer);
      // The shape's first write, pre-flighted with a too low estimate, runs out of gas: that estimate stays cached.
      const { warm } = await cacheTooLowGas(relayer, rpc, LONG);
      expect(warm.value).to.equal("TransactionReverted");

      // The next write of the shape goes from the cached gas; its first broadcast does not reach the node.
      let dropped = false;
      rpc.before = async (method, params) => {
        if (method !== "eth_sendRawTransaction" || dropped) return;
        if (Transaction.from(String(params[0])).data.length < 10) return;
        dropped = true;
        throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8545"), { code: "ECONNREFUSED" });
      };
      const before = (await rows()).length;
      const answer = answerOf(relayer.writer.write(addGroup(`${LONG} 1`)));
      await until(() => answer.value !== undefined, 10_000, "the write answered");
      expect(answer.value, "stored, to be sent").to.equal("queued");
      let oog: OutboxRow | undefined;
      await until(async () => {
        oog = (await rows()).slice(before).find((r) => r.status === "reverted");
        return oog !== undefined;
      }, 10_000, "the rebroadcast ran out of the cached gas on chain");
      expect([oog?.gasFromCache, oog?.errorName]).to.deep.equal([true, "TransactionReverted"]);
      await mine(4); // final

      await until(async () => (await onChain(`${LONG} 1`)) === 1, 10_000, "the write applied by the running relayer").catch(async (err: Error) => {
        throw new Error(`${err.message}: row ${oog?.id} resend ${(await store().outbox.get(oog?.id ?? 0))?.resend}`);
      });
      const retries = (await rows()).filter((r) => r.id > (oog?.id ?? 0) && r.kind === "call");
      expect(retries.map((r) => `${r.idemScope} ${r.idemKey}`)).to.deep.equal([`cached-gas-retry ${oog?.id}`]);
    });
  });
}
