/**
 * A write alone sent from its shape's cached gas that ran out of it on chain (reverted without
 * data, nothing applied) is sent again, pre-flighted, once that attempt is final
 * (docs/relayer-latency.md, "A write alone from cached gas"). These tests stop the relayer between
 * that revert and the retry (stop() writes nothing to the outbox a crash would not leave either)
 * and start another one on the same outbox: its start-up recovery sends the write again, once,
 * under the key `cached-gas-retry/<row id>`, also when the payer check refuses it at first.
 * In-process Hardhat network (automine), confirmation depth 3, SQLite and Postgres.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import type { Chain } from "../../../src/relayer/chain";
import type { OutboxRow } from "../../../src/relayer/store";
import { BACKENDS, FlakyRpc, hardhatRpc, start, until } from "../support";
import { useRecoveryFixture } from "./recovery-fixture";

/** A group name whose addGroup calldata has a length no other test write has (its own call shape). */
const LONG = "a group name of a call shape of its own";

for (const backend of BACKENDS) {
  describe(`relayer restarted between a cached-gas write's revert and its retry (${backend})`, function () {
    const { store, rows, onChain, mine, fixture, chains, stop, warnings, logger, revertFromCachedGas } = useRecoveryFixture(backend);

    const run = async (rpc: FlakyRpc): Promise<Chain> => {
      const c = await start(store(), fixture().diamondAddress, { provider: rpc, confirmationDepth: 3, logger, payerCheckIntervalMs: 200 });
      chains.push(c);
      return c;
    };

    /**
     * A first relayer sends a write from a cached gas too low: it runs out of gas on chain (not final
     * yet); the relayer is stopped before the retry. Returns that row and what its caller was answered.
     */
    async function revertedFromCacheThenStopped(name: string): Promise<{ oog: OutboxRow; answer: { value: string | undefined } }> {
      const rpc = new FlakyRpc(hardhatRpc());
      const first = await run(rpc);
      // The shape's first write, pre-flighted with a wrong (too low) estimate, runs out of gas: the
      // estimate stays cached for the shape.
      const { warm, answer, oog, before } = await revertFromCachedGas(first, rpc, LONG, name);
      expect(warm.value).to.equal("TransactionReverted");
      expect([oog.errorName, oog.final], "out of its cached gas, not final yet").to.deep.equal(["TransactionReverted", false]);
      await stop(first);
      await until(() => answer.value !== undefined, 5_000, "the caller answered on stop");
      expect((await rows()).length, "nothing sent again by the stopped relayer").to.equal(before + 1);
      return { oog, answer };
    }

    it("answers the caller 503 queued when the relayer stops before the retry, and the restarted relayer sends the write again once it is final, exactly once", async () => {
      const { oog, answer } = await revertedFromCacheThenStopped(`${LONG} 1`);

      const second = await run(new FlakyRpc(hardhatRpc()));
      await mine(4); // the reverted attempt is final
      await until(async () => (await onChain(`${LONG} 1`)) === 1, 20_000, "the write applied by the restarted relayer");
      await mine(4);
      await until(async () => (await rows()).every((r) => r.final || r.status === "failed"), 20_000, "every row final");
      await second.indexer.syncTo(await ethers.provider.getBlockNumber(), 20_000);
      const retries = (await rows()).filter((r) => r.id > oog.id && r.kind === "call");
      expect(retries.map((r) => `${r.method} ${r.idemScope} ${r.idemKey} ${r.status}`)).to.deep.equal([
        `addGroup cached-gas-retry ${oog.id} mined`,
      ]);
      expect(await onChain(`${LONG} 1`), "applied once").to.equal(1);
      const indexed = await store().db.one<{ n: number | string }>("SELECT COUNT(*) AS n FROM account_groups WHERE name = $1", [`${LONG} 1`]);
      expect(Number(indexed?.n), "in the index").to.equal(1);
      expect(answer.value, "a stopped relayer answers as for any write still under way").to.equal("queued");
      expect(oog.gasFromCache, "the row records that it went from the cached gas").to.equal(true);
    });

    it("a retry the payer check refuses at first is tried again with back-off and sent once the payers are registered again", async () => {
      const { oog } = await revertedFromCacheThenStopped(`${LONG} 2`);
      const payers = [...(await fixture().diamond.api_payers())];
      await (await fixture().diamond.connect(fixture().owner).setApiPayers([fixture().users[1].address])).wait();

      await run(new FlakyRpc(hardhatRpc()));
      await mine(4); // the reverted attempt is final: the retry is due, and refused
      await until(() => warnings.some((w) => /refused by the payer check/.test(w)), 10_000, "the retry refused by the payer check");
      await new Promise((r) => setTimeout(r, 1_500)); // more than one back-off period
      expect(await onChain(`${LONG} 2`), "not sent while the payers are unregistered").to.equal(0);

      await (await fixture().diamond.connect(fixture().owner).setApiPayers(payers)).wait();
      await until(async () => (await onChain(`${LONG} 2`)) === 1, 30_000, "the write applied once the payers are registered");
      const retries = (await rows()).filter((r) => r.id > oog.id && r.kind === "call");
      expect(retries.map((r) => `${r.idemScope} ${r.idemKey}`)).to.deep.equal([`cached-gas-retry ${oog.id}`]);
    });

    it("a live retry refused by the payer check waits with back-off; stopped meanwhile, its caller is answered 503 queued and the next start sends it once", async () => {
      const rpc = new FlakyRpc(hardhatRpc());
      const first = await run(rpc);
      const { answer, before } = await revertFromCachedGas(first, rpc, LONG, `${LONG} 3`);
      const payers = [...(await fixture().diamond.api_payers())];
      await (await fixture().diamond.connect(fixture().owner).setApiPayers([fixture().users[1].address])).wait();
      await mine(4); // final: the live retry is due, and refused
      await until(() => warnings.some((w) => /refused by the payer check/.test(w)), 10_000, "the live retry refused by the payer check");
      await new Promise((r) => setTimeout(r, 500));
      expect(answer.value, "still waiting (back-off), not answered with the refusal").to.equal(undefined);
      await stop(first);
      await until(() => answer.value !== undefined, 5_000, "the caller answered on stop");
      expect(answer.value).to.equal("queued");
      const oog = (await rows()).slice(before).find((r) => r.status === "reverted");
      expect([(await rows()).length, oog?.resend], "nothing sent again; still to be sent").to.deep.equal([before + 1, "pending"]);

      await (await fixture().diamond.connect(fixture().owner).setApiPayers(payers)).wait();
      await run(new FlakyRpc(hardhatRpc()));
      await until(async () => (await onChain(`${LONG} 3`)) === 1, 20_000, "the write applied by the next start");
      const retries = (await rows()).filter((r) => r.id > (oog?.id ?? 0) && r.kind === "call");
      expect(retries.map((r) => `${r.idemScope} ${r.idemKey}`)).to.deep.equal([`cached-gas-retry ${oog?.id}`]);
    });
  });
}
