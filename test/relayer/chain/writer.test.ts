import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond, type DiamondFixture } from "../../fixtures/diamond";
import type { Chain } from "../../../src/relayer/chain";
import {
  ChainUnavailableError,
  IdempotencyConflictError,
  RevertError,
  type WriteRequest,
} from "../../../src/relayer/ports";
import type { OutboxRow, Store } from "../../../src/relayer/store";
import {
  BACKENDS,
  FlakyRpc,
  devKey,
  h,
  hardhatRpc,
  lower,
  makeStore,
  mine,
  rejectionOf,
  setAutomine,
  skipUnlessAvailable,
  start,
  until,
  type TestStore,
} from "../support";

const newAccount = (f: DiamondFixture, label: string, extra: Partial<WriteRequest> = {}): WriteRequest => ({
  method: "newAccount",
  args: [h(label), true, label, "", f.users[0].address],
  ...extra,
});

async function rows(store: Store): Promise<OutboxRow[]> {
  return store.outbox.list();
}

for (const backend of BACKENDS) {
  describe(`relayer writer (${backend})`, function () {
    let ts: TestStore | null = null;
    const chains: Chain[] = [];
    let f: DiamondFixture;

    const store = (): Store => {
      if (!ts) throw new Error("no store");
      return ts.store;
    };
    const track = (c: Chain): Chain => {
      chains.push(c);
      return c;
    };

    beforeEach(async function () {
      await skipUnlessAvailable(this, backend);
      f = await loadFixture(deployDiamond);
      ts = await makeStore(backend);
    });

    afterEach(async () => {
      for (const c of chains.splice(0)) await c.stop();
      await setAutomine(true);
      await ts?.cleanup();
      ts = null;
    });

    it("resolves only after the block is indexed (read-your-writes) with the decoded events", async () => {
      // The indexer loop is nearly idle: write() itself must sync the index before resolving.
      const c = track(await start(store(), f.diamondAddress, { indexerPollIntervalMs: 60_000 }));
      const A = h("ryw");
      const r = await c.writer.write(newAccount(f, "ryw"));
      expect(r.events.map((e) => e.name)).to.deep.equal(["AccountCreated", "AccountMetadataSet"]);
      expect(r.events[0].args).to.deep.equal({ apiKeyHash: A, admin: lower(f.users[0].address), managed: true });
      expect(await store().index.account(A)).to.deep.include({ master: A, managed: true, name: "ryw" });
      expect(await store().index.indexedBlock()).to.be.gte(r.blockNumber);

      const g = await c.writer.write({ method: "addGroup", args: [A, "g", "d", [h("cid")], []] });
      const groupId = g.events.find((e) => e.name === "GroupAdded")?.args.groupId;
      expect(groupId).to.equal("1");
      expect(await store().index.group("1")).to.deep.include({ name: "g", description: "d", cids: [h("cid")] });
      const receipt = await ethers.provider.getTransactionReceipt(g.txHash);
      expect(receipt?.status).to.equal(1);
      expect(g.gasUsed).to.equal(receipt?.gasUsed.toString());
      expect((await rows(store())).map((x) => [x.status, x.attempts])).to.deep.equal([
        ["mined", 1],
        ["mined", 1],
      ]);
    });

    it("a pre-flight revert is a RevertError and persists, sends and spends nothing", async () => {
      const c = track(await start(store(), f.diamondAddress));
      const nonces = await Promise.all(c.payers.map((p) => ethers.provider.getTransactionCount(p, "pending")));
      const nobody = h("nobody");
      const err = await rejectionOf(
        c.writer.write({ method: "addGroup", args: [nobody, "g", "", [], []], idempotencyKey: "k", idempotencyScope: "s" }),
      );
      expect(err).to.be.instanceOf(RevertError);
      expect((err as RevertError).errorName).to.equal("AccountDoesNotExist");
      expect((err as RevertError).errorArgs).to.deep.equal([nobody]);
      expect(await rows(store())).to.deep.equal([]);
      expect(await Promise.all(c.payers.map((p) => ethers.provider.getTransactionCount(p, "pending")))).to.deep.equal(nonces);
      expect(await Promise.all(c.payers.map((p) => store().outbox.nextNonce(p)))).to.deep.equal(nonces);

      const denied = await rejectionOf(
        c.writer.write({ method: "setApiPayers", args: [[f.users[1].address]] }),
      );
      expect((denied as RevertError).errorName).to.equal("OnlyConfigOperatorOrOwner");
      // the same key may be used again once the request can succeed (nothing was recorded)
      await c.writer.write(newAccount(f, "nobody"));
      const ok = await c.writer.write({ method: "addGroup", args: [nobody, "g", "", [], []], idempotencyKey: "k", idempotencyScope: "s" });
      expect(ok.events[0].name).to.equal("GroupAdded");
    });

    it("pre-flight of known shapes (preflightKnownShapes): eth_estimateGas for a new call shape, then one eth_call; a cached gas too low falls back", async () => {
      const rpc = new FlakyRpc(hardhatRpc());
      const c = track(await start(store(), f.diamondAddress, { provider: rpc, preflightKnownShapes: true }));
      const preflights = (): string[] => rpc.calls.filter((m) => m === "eth_call" || m === "eth_estimateGas");
      rpc.calls.length = 0; // start-up checks
      const A = h("shape a");
      await c.writer.write(newAccount(f, "shape a"));
      expect(preflights()).to.deep.equal(["eth_estimateGas"]);
      rpc.calls.length = 0;
      await c.writer.write(newAccount(f, "shape b")); // same calldata length
      expect(preflights()).to.deep.equal(["eth_call"]);

      // A cached estimate too low for the call (here a wrong one: the transaction runs out of gas
      // on chain) ...
      rpc.fake.set("eth_estimateGas", "0x5208");
      const oog = await rejectionOf(c.writer.write({ method: "addGroup", args: [A, "g1", "", [], []] }));
      expect(oog).to.be.instanceOf(RevertError);
      rpc.fake.clear();
      // ... makes the eth_call of the same shape fail, and eth_estimateGas decides
      rpc.calls.length = 0;
      const g = await c.writer.write({ method: "addGroup", args: [A, "g2", "", [], []] });
      expect(g.events[0].name).to.equal("GroupAdded");
      expect(preflights()).to.deep.equal(["eth_call", "eth_estimateGas"]);
      const row = (await rows(store())).at(-1);
      const estimate = await ethers.provider.estimateGas({ from: row?.payer, to: f.diamondAddress, data: row?.calldata });
      expect(BigInt(row?.gasLimit ?? 0)).to.be.gte(estimate);
      rpc.calls.length = 0;
      await c.writer.write({ method: "addGroup", args: [A, "g3", "", [], []] });
      expect(preflights()).to.deep.equal(["eth_call"]);

      // a revert in the pre-flight of a known shape is still the decoded error, and costs nothing
      const before = (await rows(store())).length;
      const nonces = await Promise.all(c.payers.map((p) => ethers.provider.getTransactionCount(p, "pending")));
      const nobody = h("nobody");
      const err = await rejectionOf(c.writer.write({ method: "addGroup", args: [nobody, "g4", "", [], []] }));
      expect((err as RevertError).errorName).to.equal("AccountDoesNotExist");
      expect((err as RevertError).errorArgs).to.deep.equal([nobody]);
      expect(await rows(store())).to.have.length(before);
      expect(await Promise.all(c.payers.map((p) => ethers.provider.getTransactionCount(p, "pending")))).to.deep.equal(nonces);
    });

    it("a transaction that reverts on-chain is a RevertError, never a success", async () => {
      const rpc = new FlakyRpc(hardhatRpc());
      // Hold every broadcast until both writes passed their pre-flight estimate.
      let estimates = 0;
      rpc.before = async (method) => {
        if (method === "eth_estimateGas") estimates++;
        if (method === "eth_sendRawTransaction") await until(() => estimates >= 2, 5000, "two estimates");
      };
      const c = track(await start(store(), f.diamondAddress, { provider: rpc }));
      await setAutomine(false);
      const p1 = c.writer.write(newAccount(f, "twice"));
      const p2 = c.writer.write({ ...newAccount(f, "twice"), args: [h("twice"), true, "other name", "", f.users[1].address] });
      const both = Promise.allSettled([p1, p2]); // handles the rejection whenever it comes
      await until(async () => (await rows(store())).filter((r) => r.status === "sent").length === 2, 5000, "two sent rows");
      await mine();
      const settled = await both;
      const ok = settled.filter((s) => s.status === "fulfilled");
      const failed = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected");
      expect(ok).to.have.length(1);
      expect(failed).to.have.length(1);
      const err = failed[0].reason as RevertError;
      expect(err).to.be.instanceOf(RevertError);
      expect(err.errorName).to.equal("AccountAlreadyExists");
      expect(err.errorArgs).to.deep.equal([h("twice")]);
      expect((await rows(store())).map((r) => r.status).sort()).to.deep.equal(["mined", "reverted"]);
      // a repeat of an idempotent call that reverted on-chain gets the same error (see the idempotency test)
    });

    it("a reverted receipt is an error even when the node throws on broadcast (Hardhat automine)", async () => {
      const rpc = new FlakyRpc(hardhatRpc());
      rpc.fake.set("eth_estimateGas", "0x100000"); // skip the pre-flight check
      const c = track(await start(store(), f.diamondAddress, { provider: rpc }));
      const nobody = h("nobody");
      const err = await rejectionOf(c.writer.write({ method: "addGroup", args: [nobody, "g", "", [], []] }));
      expect(err).to.be.instanceOf(RevertError);
      expect((err as RevertError).errorName).to.equal("AccountDoesNotExist");
      expect((err as RevertError).errorArgs).to.deep.equal([nobody]);
      const [row] = await rows(store());
      expect(row.status).to.equal("reverted");
      expect((await ethers.provider.getTransactionReceipt(row.minedHash ?? ""))?.status).to.equal(0);
    });

    it("20 concurrent writes through 2 payers all succeed, with contiguous nonces and no retries", async () => {
      const c = track(await start(store(), f.diamondAddress));
      const receipts = await Promise.all(Array.from({ length: 20 }, (_, i) => c.writer.write(newAccount(f, `many ${i}`))));
      expect(new Set(receipts.map((r) => r.txHash)).size).to.equal(20);
      const all = await rows(store());
      expect(all.every((r) => r.status === "mined" && r.attempts === 1)).to.equal(true);
      for (const payer of c.payers) {
        const nonces = all.filter((r) => r.payer === payer).map((r) => r.nonce ?? -1).sort((a, b) => a - b);
        expect(nonces.length).to.be.greaterThan(5);
        expect(nonces).to.deep.equal(nonces.map((_, i) => i));
        expect(await ethers.provider.getTransactionCount(payer)).to.equal(nonces.length);
      }
      expect(await store().index.accountHashes()).to.have.members(Array.from({ length: 20 }, (_, i) => h(`many ${i}`)));
    });

    it("re-signs a stuck transaction with higher fees (dropped from the mempool, or just underpriced)", async () => {
      const c = track(await start(store(), f.diamondAddress, { stuckAfterMs: 250 }));
      await setAutomine(false);

      // dropped by the node
      const p = c.writer.write(newAccount(f, "stuck"));
      await until(async () => (await rows(store()))[0]?.status === "sent", 5000, "sent");
      const first = (await rows(store()))[0];
      await network.provider.send("hardhat_dropTransaction", [first.txHashes[0]]);
      await until(async () => {
        const r = (await rows(store()))[0];
        return r.attempts >= 2 && r.status === "sent";
      }, 5000, "a second attempt");
      await mine();
      const r = await p;
      const row = (await rows(store()))[0];
      expect(r.txHash).to.equal(row.minedHash);
      expect(r.txHash).to.not.equal(first.txHashes[0]);
      expect(row.txHashes).to.include(r.txHash);
      expect(BigInt(row.maxFeePerGas ?? 0)).to.be.gte((BigInt(first.maxFeePerGas ?? 0) * 1125n) / 1000n);
      expect(BigInt(row.maxPriorityFeePerGas ?? 0)).to.be.gte((BigInt(first.maxPriorityFeePerGas ?? 0) * 1125n) / 1000n);
      const tx = await ethers.provider.getTransaction(r.txHash);
      expect(tx?.nonce).to.equal(first.nonce);

      // still in the mempool: the replacement must out-bid it
      const p2 = c.writer.write(newAccount(f, "stuck 2"));
      await until(async () => (await rows(store()))[1]?.attempts >= 2 && (await rows(store()))[1]?.status === "sent", 5000, "replacement");
      await mine();
      const r2 = await p2;
      const row2 = (await rows(store()))[1];
      expect(row2.txHashes.indexOf(r2.txHash)).to.be.greaterThan(0);
      expect(await store().index.account(h("stuck 2"))).to.not.equal(null);
    });

    it("recovers after a crash: the stored transaction is rebroadcast and applied exactly once", async () => {
      const req = newAccount(f, "crash", { idempotencyKey: "crash-key", idempotencyScope: "anon:10.0.0.1" });
      const a = track(await start(store(), f.diamondAddress));
      await setAutomine(false);
      // observe the rejection from the start: stop() rejects it while its own promise is pending
      const pending = rejectionOf(a.writer.write(req));
      await until(async () => (await rows(store()))[0]?.status === "sent", 5000, "sent");
      const row = (await rows(store()))[0];
      const payerNonce = await ethers.provider.getTransactionCount(row.payer, "latest");
      await a.stop(); // the "crash": worker gone before the receipt
      const err = await pending;
      expect(err).to.be.instanceOf(ChainUnavailableError);
      expect((err as ChainUnavailableError).queued).to.equal(true);
      // the node lost it too (restart): only the relayer's copy remains
      await network.provider.send("hardhat_dropTransaction", [row.txHashes[0]]);
      expect(await ethers.provider.getTransaction(row.txHashes[0])).to.equal(null);

      if (!ts) throw new Error("no store");
      const store2 = await ts.reopen();
      const b = track(await start(store2, f.diamondAddress));
      await until(async () => (await ethers.provider.getTransaction(row.txHashes[0])) !== null, 5000, "rebroadcast");
      await mine();
      const r = await b.writer.write(req); // the client's retry returns the original outcome
      expect(r.txHash).to.equal(row.txHashes[0]);
      expect(await ethers.provider.getTransactionCount(row.payer, "latest")).to.equal(payerNonce + 1);
      const after = await rows(store2);
      expect(after).to.have.length(1);
      expect(after[0]).to.deep.include({ status: "mined", attempts: 1, minedHash: row.txHashes[0] });
      expect(await store2.index.account(h("crash"))).to.not.equal(null);
    });

    it("RPC down after the row is stored: ChainUnavailableError(queued) and a restart completes it", async () => {
      const rpc = new FlakyRpc(hardhatRpc());
      rpc.failing.add("eth_sendRawTransaction");
      const req = newAccount(f, "queued", { idempotencyKey: "q", idempotencyScope: "m" });
      const a = track(await start(store(), f.diamondAddress, { provider: rpc }));
      const err = await rejectionOf(a.writer.write(req));
      expect(err).to.be.instanceOf(ChainUnavailableError);
      expect((err as ChainUnavailableError).queued).to.equal(true);
      const row = (await rows(store()))[0];
      expect(row.status).to.equal("signed");
      expect(row.rawTx).to.match(/^0x02/);
      await a.stop();

      if (!ts) throw new Error("no store");
      const store2 = await ts.reopen();
      const b = track(await start(store2, f.diamondAddress));
      const r = await b.writer.write(req);
      expect(r.txHash).to.equal(row.txHashes[0]);
      expect((await rows(store2)).map((x) => x.status)).to.deep.equal(["mined"]);
      expect(await store2.index.account(h("queued"))).to.not.equal(null);
    });

    it("Idempotency-Key: repeats (also concurrent) return the first outcome; another body conflicts", async () => {
      const c = track(await start(store(), f.diamondAddress));
      const req = newAccount(f, "idem", { idempotencyKey: "key-1", idempotencyScope: "anon:1.2.3.4" });
      const [r1, r2] = await Promise.all([c.writer.write(req), c.writer.write(req)]);
      expect(r2).to.deep.equal(r1);
      expect(await c.writer.write(req)).to.deep.equal(r1);
      expect(await rows(store())).to.have.length(1);

      const conflict = await rejectionOf(c.writer.write({ ...req, args: [h("idem"), true, "changed", "", f.users[0].address] }));
      expect(conflict).to.be.instanceOf(IdempotencyConflictError);
      // the key is scoped: another scope may use it for its own request
      await c.writer.write({ ...newAccount(f, "idem other"), idempotencyKey: "key-1", idempotencyScope: "anon:5.6.7.8" });
      expect(await rows(store())).to.have.length(2);
    });

    it("RPC down: ChainUnavailableError(queued=false) with nothing stored; works once the RPC is back", async () => {
      const rpc = new FlakyRpc(hardhatRpc());
      rpc.down = true;
      const c = track(await start(store(), f.diamondAddress, { provider: rpc, maxBackoffMs: 50 }));
      const err = await rejectionOf(c.writer.write(newAccount(f, "down")));
      expect(err).to.be.instanceOf(ChainUnavailableError);
      expect((err as ChainUnavailableError).queued).to.equal(false);
      expect(await rows(store())).to.deep.equal([]);
      expect(c.writer.isReady()).to.equal(false);
      await until(() => c.indexer.status().consecutiveFailures >= 2, 5000, "indexer retries");

      // the node is reachable but estimateGas itself fails at the transport level
      rpc.down = false;
      rpc.failing.add("eth_estimateGas");
      const err2 = await rejectionOf(c.writer.write(newAccount(f, "down")));
      expect((err2 as ChainUnavailableError).queued).to.equal(false);
      rpc.failing.clear();
      const r = await c.writer.write(newAccount(f, "down"));
      expect(r.events[0].name).to.equal("AccountCreated");
      // The write's block came to the index from its receipt: the indexer's own next round
      // (backoff at most 50 ms) is what clears its error.
      await until(() => c.indexer.status().lastError === null, 5000, "indexer recovered");
    });

    it("takes over nonces used outside the relayer and re-queues a row whose nonce was taken", async () => {
      // a transaction from the payer key before start: the counter starts after it
      await (await f.payer.sendTransaction({ to: f.payer.address, value: 0n })).wait();
      const c = track(await start(store(), f.diamondAddress, { payerKeys: [devKey(4)], stuckAfterMs: 200 }));
      await c.writer.write(newAccount(f, "after external"));
      expect((await rows(store()))[0]).to.deep.include({ nonce: 1, attempts: 1 });

      // and one after start: our signed nonce 2 is taken by someone else
      await (await f.payer.sendTransaction({ to: f.payer.address, value: 0n })).wait();
      const r = await c.writer.write(newAccount(f, "taken"));
      const row = (await rows(store()))[1];
      expect(row.nonce).to.equal(3);
      expect(row.txHashes).to.have.length(2);
      expect(r.txHash).to.equal(row.txHashes[1]);
      expect(await store().index.account(h("taken"))).to.not.equal(null);
    });

    it("a permanently rejected transaction fails and its nonce is filled, so later writes go through", async () => {
      const rpc = new FlakyRpc(hardhatRpc());
      let rejectOnce = true;
      rpc.before = async (method) => {
        if (method === "eth_sendRawTransaction" && rejectOnce) {
          rejectOnce = false;
          throw Object.assign(new Error("intrinsic gas too low"), { code: -32000 });
        }
      };
      const c = track(await start(store(), f.diamondAddress, { provider: rpc, payerKeys: [devKey(4)] }));
      const req = newAccount(f, "rejected", { idempotencyKey: "r", idempotencyScope: "s" });
      const err = await rejectionOf(c.writer.write(req));
      expect(err).to.be.instanceOf(ChainUnavailableError);
      expect((err as ChainUnavailableError).queued).to.equal(false);
      // nothing was applied, so a retry under the same key runs again
      const r = await c.writer.write(req);
      expect(await store().index.account(h("rejected"))).to.not.equal(null);
      // the filler is the worker's: its receipt is recorded on a worker tick, maybe after the
      // write behind it was answered (its block applied from its receipt once the filler's was indexed)
      await until(async () => (await rows(store())).some((x) => x.kind === "filler" && x.status === "mined"), 5000, "the filler mined");
      const all = await rows(store());
      expect(all.map((x) => [x.kind, x.status, x.nonce])).to.deep.equal([
        ["call", "failed", 0],
        ["filler", "mined", 0],
        ["call", "mined", 1],
      ]);
      expect((await ethers.provider.getTransaction(r.txHash))?.nonce).to.equal(1);
    });

    it("tops up payers below the threshold from the admin payer", async () => {
      const c = track(
        await start(store(), f.diamondAddress, {
          rebalanceAmountWei: ethers.parseEther("2"),
          minPayerBalanceWei: ethers.parseEther("1"),
        }),
      );
      const low = ethers.parseEther("0.1");
      await network.provider.send("hardhat_setBalance", [f.payer2.address, ethers.toQuantity(low)]);
      const tops = await c.checkBalances();
      expect(tops.map((t) => [t.payer, t.status, t.amount])).to.deep.equal([
        [lower(f.payer2.address), "mined", ethers.parseEther("2")],
      ]);
      expect(await ethers.provider.getBalance(f.payer2.address)).to.equal(low + ethers.parseEther("2"));
      expect(await c.checkBalances()).to.deep.equal([]);

      // default amount: the diamond's rebalanceAmount (0 = off)
      const d = track(await start(store(), f.diamondAddress));
      await network.provider.send("hardhat_setBalance", [f.payer.address, ethers.toQuantity(low)]);
      expect(await d.checkBalances()).to.deep.equal([]);
      await (await f.diamond.connect(f.configOperator).setRebalanceAmount(ethers.parseEther("3"))).wait();
      const tops2 = await d.checkBalances();
      expect(tops2.map((t) => [t.payer, t.amount])).to.deep.equal([[lower(f.payer.address), ethers.parseEther("3")]]);
    });
  });
}
