/**
 * A write alone sent from its shape's cached gas that ran out of it on chain is sent again once
 * final (writer/cached-gas-retry.ts). Its caller waits at most the write timeout, as for any write
 * ("write() waits at most this long (then ChainUnavailableError, queued)", chain/index.ts): a retry
 * that the payer check keeps refusing (back-off, writer/until-sent.ts) goes on in the background,
 * the caller answered 503 queued. In-process Hardhat network (automine), confirmation depth 3.
 */
import { expect } from "chai";
import { BACKENDS, FlakyRpc, hardhatRpc, start, until } from "../support";
import { useRecoveryFixture } from "./recovery-fixture";

const LONG = "a group name of a retry past the write timeout";
const WRITE_TIMEOUT_MS = 2_000;

for (const backend of BACKENDS) {
  describe(`relayer: a cached-gas write's retry refused by the payer check, past the write timeout (${backend})`, function () {
    const { store, rows, onChain, mine, chains, fixture, revertFromCachedGas } = useRecoveryFixture(backend);

    it("answers the caller 503 queued once the write timeout passes while the retry is refused, and applies the write once the payers are registered again", async () => {
      const rpc = new FlakyRpc(hardhatRpc());
      const relayer = await start(store(), fixture().diamondAddress, {
        provider: rpc,
        confirmationDepth: 3,
        payerCheckIntervalMs: 200,
        writeTimeoutMs: WRITE_TIMEOUT_MS,
      });
      chains.push(relayer);
      const { answer, before, sentAt: asked } = await revertFromCachedGas(relayer, rpc, LONG, `${LONG} 1`);
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
