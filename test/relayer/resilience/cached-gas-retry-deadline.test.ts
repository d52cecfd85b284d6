/**
 * A write alone sent from its shape's cached gas that ran out of it on chain is sent again once
 * final (writer/cached-gas-retry.ts). Its caller waits at most the write timeout, as for any write
 * ("write() waits at most this long (then ChainUnavailableError, queued)", chain/index.ts): a retry
 * that the payer check keeps refusing (back-off, writer/until-sent.ts) goes on in the background,
 * the caller answered 503 queued. In-process Hardhat network (automine), confirmation depth 3.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond, type DiamondFixture } from "../../fixtures/diamond";
import type { Chain } from "../../../src/relayer/chain";
import { ChainUnavailableError, RevertError, type WriteReceipt, type WriteRequest } from "../../../src/relayer/ports";
import type { OutboxRow, Store } from "../../../src/relayer/store";
import { BACKENDS, FlakyRpc, h, hardhatRpc, makeStore, skipUnlessAvailable, start, until, type TestStore } from "../support";

const LONG = "a group name of a retry past the write timeout";
const WRITE_TIMEOUT_MS = 2_000;

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
  describe(`relayer: a cached-gas write's retry refused by the payer check, past the write timeout (${backend})`, function () {
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

    it("answers the caller 503 queued once the write timeout passes while the retry is refused, and applies the write once the payers are registered again", async () => {
      const rpc = new FlakyRpc(hardhatRpc());
      const relayer = await start(store(), f.diamondAddress, {
        provider: rpc,
        confirmationDepth: 3,
        payerCheckIntervalMs: 200,
        writeTimeoutMs: WRITE_TIMEOUT_MS,
      });
      chains.push(relayer);
      await relayer.writer.write({ method: "newAccount", args: [h("owner"), true, "owner", "", f.users[0].address] });
      rpc.fake.set("eth_estimateGas", "0x9c40");
      const warm = answerOf(relayer.writer.write(addGroup(`${LONG} 0`)));
      await until(() => warm.value !== undefined, 10_000, "the warm-up write answered");
      rpc.fake.clear();
      const before = (await rows()).length;
      const asked = Date.now();
      const answer = answerOf(relayer.writer.write(addGroup(`${LONG} 1`)));
      await until(async () => (await rows()).slice(before).some((r) => r.status === "reverted"), 10_000, "the cached-gas write reverted on chain");
      const payers = [...(await f.diamond.api_payers())];
      await (await f.diamond.connect(f.owner).setApiPayers([f.users[1].address])).wait();
      await mine(4); // final within the write timeout: the retry is due, and refused

      await until(() => answer.value !== undefined, 3 * WRITE_TIMEOUT_MS, "the caller answered within the write timeout (plus slack)").catch(
        (err: Error) => {
          throw new Error(`${err.message}: still unanswered ${Date.now() - asked} ms after the write (write timeout ${WRITE_TIMEOUT_MS} ms)`);
        },
      );
      expect(answer.value).to.equal("queued");

      await (await f.diamond.connect(f.owner).setApiPayers(payers)).wait();
      await until(async () => (await onChain(`${LONG} 1`)) === 1, 30_000, "the write applied in the background");
      const oog = (await rows()).slice(before).find((r) => r.status === "reverted");
      const retries = (await rows()).filter((r) => r.id > (oog?.id ?? 0) && r.kind === "call");
      expect(retries.map((r) => `${r.idemScope} ${r.idemKey}`)).to.deep.equal([`cached-gas-retry ${oog?.id}`]);
    });
  });
}
