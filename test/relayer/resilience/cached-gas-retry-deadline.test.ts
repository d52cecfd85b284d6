/**
 * A write alone sent from its shape's cached gas that ran out of it on chain is sent again once
 * final (writer/cached-gas-retry.ts). Its caller waits at most the write timeout, as for any write
 * ("write() waits at most this long (then ChainUnavailableError, queued)", chain/index.ts): a retry
 * that the payer check keeps refusing (back-off, writer/until-sent.ts) goes on in the background,
 * the caller answered 503 queued. In-process Hardhat network (automine), confirmation depth 3.
 */
import { expect } from "chai";
import { BACKENDS, FlakyRpc, h, hardhatRpc, start, until } from "../support";
import { answerOf, useRecoveryFixture } from "./recovery-fixture";

const LONG = "a group name of a retry past the write timeout";
const WRITE_TIMEOUT_MS = 2_000;

for (const backend of BACKENDS) {
  describe(`relayer: a cached-gas write's retry refused by the payer check, past the write timeout (${backend})`, function () {
    const { store, rows, addGroup, onChain, mine, chains, fixture } = useRecoveryFixture(backend);

    it("answers the caller 503 queued once the write timeout passes while the retry is refused, and applies the write once the payers are registered again", async () => {
      const rpc = new FlakyRpc(hardhatRpc());
      const relayer = await start(store(), fixture().diamondAddress, {
        provider: rpc,
        confirmationDepth: 3,
        payerCheckIntervalMs: 200,
        writeTimeoutMs: WRITE_TIMEOUT_MS,
      });
      chains.push(relayer);
      await relayer.writer.write({ method: "newAccount", args: [h("owner"), true, "owner", "", fixture().users[0].address] });
      rpc.fake.set("eth_estimateGas", "0x9c40");
      const warm = answerOf(relayer.writer.write(addGroup(`${LONG} 0`)));
      await until(() => warm.value !== undefined, 10_000, "the warm-up write answered");
      rpc.fake.clear();
      const before = (await rows()).length;
      const asked = Date.now();
      const answer = answerOf(relayer.writer.write(addGroup(`${LONG} 1`)));
      await until(async () => (await rows()).slice(before).some((r) => r.status === "reverted"), 10_000, "the cached-gas write reverted on chain");
      const payers = [...(await fixture().diamond.api_payers())];
      await (await fixture().diamond.connect(fixture().owner).setApiPayers([fixture().users[1].address])).wait();
      await mine(4); // final within the write timeout: the retry is due, and refused

      await until(() => answer.value !== undefined, 3 * WRITE_TIMEOUT_MS, "the caller answered within the write timeout (plus slack)").catch(
        (err: Error) => {
          throw new Error(`${err.message}: still unanswered ${Date.now() - asked} ms after the write (write timeout ${WRITE_TIMEOUT_MS} ms)`);
        },
      );
      expect(answer.value).to.equal("queued");

      await (await fixture().diamond.connect(fixture().owner).setApiPayers(payers)).wait();
      await until(async () => (await onChain(`${LONG} 1`)) === 1, 30_000, "the write applied in the background");
      const oog = (await rows()).slice(before).find((r) => r.status === "reverted");
      const retries = (await rows()).filter((r) => r.id > (oog?.id ?? 0) && r.kind === "call");
      expect(retries.map((r) => `${r.idemScope} ${r.idemKey}`)).to.deep.equal([`cached-gas-retry ${oog?.id}`]);
    });
  });
}
