/**
 * A write alone sent from its call shape's cached gas, without a pre-flight (writer/preflight.ts,
 * docs/relayer-latency.md "A write alone from cached gas"): which writes, what a revert on chain
 * answers (the pre-flight's error), and a cached gas too low (sent again, pre-flighted).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond, type DiamondFixture } from "../../fixtures/diamond";
import type { Chain } from "../../../src/relayer/chain";
import { ChainUnavailableError, RevertError, type WriteRequest } from "../../../src/relayer/ports";
import type { OutboxRow, Store } from "../../../src/relayer/store";
import {
  BACKENDS,
  FlakyRpc,
  h,
  hardhatRpc,
  makeStore,
  rejectionOf,
  skipUnlessAvailable,
  start,
  until,
  type TestStore,
} from "../support";

const PREFLIGHT_METHODS = new Set(["eth_call", "eth_estimateGas"]);

for (const backend of BACKENDS) {
  describe(`relayer writer, writes alone from cached gas (${backend})`, function () {
    let ts: TestStore | null = null;
    const chains: Chain[] = [];
    let f: DiamondFixture;
    let rpc: FlakyRpc;
    let c: Chain;

    const store = (): Store => {
      if (!ts) throw new Error("no store");
      return ts.store;
    };
    const rows = (): Promise<OutboxRow[]> => store().outbox.list();
    /** The pre-flight calls made since the last `reset()`. */
    const preflights = (): string[] => rpc.calls.filter((m) => PREFLIGHT_METHODS.has(m));
    const reset = (): void => {
      rpc.calls.length = 0;
    };
    const newAccount = (label: string, extra: Partial<WriteRequest> = {}): WriteRequest => ({
      method: "newAccount",
      args: [h(label), true, label, "", f.users[0].address],
      ...extra,
    });
    const addGroup = (account: string, name: string, extra: Partial<WriteRequest> = {}): WriteRequest => ({
      method: "addGroup",
      args: [account, name, "", [], []],
      ...extra,
    });
    const nonces = (): Promise<number[]> => Promise.all(c.payers.map((p) => ethers.provider.getTransactionCount(p, "pending")));
    /** Name and arguments of a rejection that must be a RevertError. */
    const revertOf = async (p: Promise<unknown>): Promise<{ name: string; args: readonly unknown[] }> => {
      const err = await rejectionOf(p);
      expect(err).to.be.instanceOf(RevertError);
      return { name: (err as RevertError).errorName, args: (err as RevertError).errorArgs };
    };

    beforeEach(async function () {
      await skipUnlessAvailable(this, backend);
      f = await loadFixture(deployDiamond);
      ts = await makeStore(backend);
      rpc = new FlakyRpc(hardhatRpc());
      c = await start(store(), f.diamondAddress, { provider: rpc });
      chains.push(c);
      // Every test starts with account "owner" and the shapes of newAccount and addGroup cached.
      await c.writer.write(newAccount("owner"));
      await c.writer.write(addGroup(h("owner"), "g0"));
      reset();
    });

    afterEach(async () => {
      for (const x of chains.splice(0)) await x.stop();
      await ts?.cleanup();
      ts = null;
    });

    it("a write without an Idempotency-Key of a shape seen before runs no pre-flight and uses the shape's gas limit", async () => {
      const r = await c.writer.write(newAccount("other"));
      expect(r.events.map((e) => e.name)).to.deep.equal(["AccountCreated", "AccountMetadataSet"]);
      expect(preflights()).to.deep.equal([]);
      const [first, , last] = await rows();
      expect(last.gasLimit).to.equal(first.gasLimit);
      expect(await store().index.account(h("other"))).to.deep.include({ name: "other" });
    });

    it("a write with an Idempotency-Key is pre-flighted even when its shape's gas is cached", async () => {
      await c.writer.write(newAccount("keyed", { idempotencyKey: "k", idempotencyScope: "s" }));
      expect(preflights()).to.deep.equal(["eth_call"]);
    });

    it("while the node does not answer the index, a write of a cached shape is pre-flighted: refused with nothing stored", async () => {
      const before = (await rows()).length;
      rpc.down = true;
      await until(() => c.indexer.status().consecutiveFailures > 0, 10_000, "an index round failing");
      const err = await rejectionOf(c.writer.write(newAccount("down")));
      expect(err).to.be.instanceOf(ChainUnavailableError);
      expect((err as ChainUnavailableError).queued).to.equal(false);
      expect(await rows()).to.have.length(before);
      rpc.down = false;
    });

    it("a revert on chain is answered with the pre-flight's decoded error, as a reverted row whose nonce is used", async () => {
      const cases: [string, () => WriteRequest][] = [
        ["AccountDoesNotExist", () => addGroup(h("nobody"), "g1")],
        ["AccountAlreadyExists", () => newAccount("owner")],
        ["GroupDoesNotExist", () => ({ method: "removeGroup", args: [h("owner"), 999] })],
      ];
      // the shape of removeGroup: cached by one that succeeds
      await c.writer.write({ method: "removeGroup", args: [h("owner"), 1] });
      for (const [name, request] of cases) {
        // what the pre-flight answers (a write with a key is pre-flighted; nothing is sent)
        const before = await nonces();
        const preflighted = await revertOf(c.writer.write({ ...request(), idempotencyKey: name, idempotencyScope: "s" }));
        expect(preflighted.name).to.equal(name);
        expect(await nonces()).to.deep.equal(before);
        // the same write from the cached gas: sent, reverted on chain, the same error
        reset();
        const rows0 = (await rows()).length;
        const onChain = await revertOf(c.writer.write(request()));
        const sent = rpc.calls.indexOf("eth_sendRawTransaction");
        expect(sent).to.be.gte(0);
        expect(rpc.calls.slice(0, sent).filter((m) => PREFLIGHT_METHODS.has(m))).to.deep.equal([]);
        expect(onChain).to.deep.equal(preflighted);
        const added = (await rows()).slice(rows0);
        expect(added.map((r) => [r.status, r.errorName])).to.deep.equal([["reverted", name]]);
        expect((await ethers.provider.getTransactionReceipt(added[0].minedHash ?? ""))?.status).to.equal(0);
        expect((await nonces()).reduce((a, b) => a + b)).to.equal(before.reduce((a, b) => a + b) + 1);
      }
      // no nonce is left stuck: the next writes go through
      const ok = await c.writer.write(addGroup(h("owner"), "g2"));
      expect(ok.events[0].name).to.equal("GroupAdded");
    });

    it("after a revert on chain, the next writes of that shape are pre-flighted again", async () => {
      await rejectionOf(c.writer.write(addGroup(h("nobody"), "g1")));
      reset();
      await c.writer.write(addGroup(h("owner"), "g2"));
      expect(preflights()).to.deep.equal(["eth_call"]);
      // another shape is not affected
      reset();
      await c.writer.write(newAccount("other"));
      expect(preflights()).to.deep.equal([]);
    });

    it("a cached gas too low runs out of gas on chain; the write is sent again pre-flighted and succeeds", async () => {
      // A shape whose cached estimate is too low (here a wrong one): the first write of the shape
      // (pre-flighted) ends reverted ...
      const long = "a group name of another calldata length";
      rpc.fake.set("eth_estimateGas", "0x9c40"); // 40 000: above the calldata's intrinsic gas, far below the call's
      const first = await revertOf(c.writer.write(addGroup(h("owner"), `${long} 1`)));
      expect(first.name).to.equal("TransactionReverted");
      rpc.fake.clear();
      // ... the next of that shape goes from the cached gas, runs out of it, and is sent again
      reset();
      const r = await c.writer.write(addGroup(h("owner"), `${long} 2`));
      expect(r.events[0].name).to.equal("GroupAdded");
      // sent without a pre-flight; the revert decoded (eth_call at its block and the parent); then
      // eth_estimateGas for the new gas and sent again
      expect(rpc.calls.filter((m) => PREFLIGHT_METHODS.has(m) || m === "eth_sendRawTransaction")).to.deep.equal([
        "eth_sendRawTransaction",
        "eth_call",
        "eth_call",
        "eth_estimateGas",
        "eth_sendRawTransaction",
      ]);
      const [oog, mined] = (await rows()).slice(-2);
      expect([oog.status, oog.errorName]).to.deep.equal(["reverted", "TransactionReverted"]);
      expect(Number(oog.gasUsed)).to.be.gte(Number(oog.gasLimit) * 0.95); // ran out of it (but the 1/64 kept back)
      expect(mined.status).to.equal("mined");
      const estimate = await ethers.provider.estimateGas({ from: mined.payer, to: f.diamondAddress, data: mined.calldata });
      expect(BigInt(mined.gasLimit)).to.be.gte(estimate);
      expect((await store().index.group(String(r.events[0].args.groupId)))?.name).to.equal(`${long} 2`);
    });
  });
}
