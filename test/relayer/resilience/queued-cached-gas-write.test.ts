/**
 * A write alone sent from its shape's cached gas whose first broadcast does not reach the node is
 * stored and answered 503 queued ("stored and will be sent"). When the worker's rebroadcast then
 * runs out of that cached gas on chain (nothing applied), the write must still be sent again,
 * pre-flighted, under `cached-gas-retry/<row id>` (writer/cached-gas-retry.ts), by the running
 * relayer, not only after a restart. In-process Hardhat network (automine), confirmation depth 3.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { Transaction } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond, type DiamondFixture } from "../../fixtures/diamond";
import type { Chain } from "../../../src/relayer/chain";
import { ChainUnavailableError, RevertError, type WriteReceipt, type WriteRequest } from "../../../src/relayer/ports";
import type { OutboxRow, Store } from "../../../src/relayer/store";
import { BACKENDS, FlakyRpc, h, hardhatRpc, makeStore, skipUnlessAvailable, start, until, type TestStore } from "../support";

const LONG = "a group name of a queued write from cached gas";

function answerOf(p: Promise<WriteReceipt>): { value: string | undefined } {
  const a: { value: string | undefined } = { value: undefined };
  p.then(
    () => {
      a.value = "ok";
    },
    (e: unknown) => {
      if (e instanceof ChainUnavailableError) a.value = e.queued ? "queued" : "unavailable";
      else a.value = e instanceof RevertError ? e.errorName : `other: ${(e as Error).message}`;
    },
  );
  return a;
}

for (const backend of BACKENDS) {
  describe(`relayer: a queued write from cached gas that runs out of it at its rebroadcast (${backend})`, function () {
    let ts: TestStore | null = null;
    const chains: Chain[] = [];
    let f: DiamondFixture;

    const store = (): Store => {
      if (!ts) throw new Error("no store");
      return ts.store;
    };
    const rows = (): Promise<OutboxRow[]> => store().outbox.list();
    const addGroup = (name: string): WriteRequest => ({ method: "addGroup", args: [h("owner"), name, "", [], []] });
    const onChain = async (name: string): Promise<number> =>
      (await f.diamond.listGroups(h("owner"), 0, 100)).filter((g) => g.name === name).length;
    const mine = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) await network.provider.send("evm_mine", []);
    };

    beforeEach(async function () {
      await skipUnlessAvailable(this, backend);
      f = await loadFixture(deployDiamond);
      ts = await makeStore(backend);
    });

    afterEach(async () => {
      for (const x of chains.splice(0)) await x.stop();
      await ts?.cleanup();
      ts = null;
    });

    it("sends the write again once its out-of-gas rebroadcast is final, without a restart, once", async () => {
      const rpc = new FlakyRpc(hardhatRpc());
      const relayer = await start(store(), f.diamondAddress, { provider: rpc, confirmationDepth: 3 });
      chains.push(relayer);
      await relayer.writer.write({ method: "newAccount", args: [h("owner"), true, "owner", "", f.users[0].address] });
      // The shape's first write, pre-flighted with a too low estimate, runs out of gas: that estimate stays cached.
      rpc.fake.set("eth_estimateGas", "0x9c40");
      const warm = answerOf(relayer.writer.write(addGroup(`${LONG} 0`)));
      await until(() => warm.value !== undefined, 10_000, "the warm-up write answered");
      expect(warm.value).to.equal("TransactionReverted");
      rpc.fake.clear();

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
