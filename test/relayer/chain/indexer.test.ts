import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond } from "../../fixtures/diamond";
import { decodeLogs } from "../../../src/relayer/chain";
import type { RpcLog } from "../../../src/relayer/chain/rpc";
import { ChainUnavailableError } from "../../../src/relayer/ports";
import {
  BACKENDS,
  chainPerTest,
  FlakyRpc,
  ZERO_ADDRESS,
  chainSnapshot,
  h,
  hardhatRpc,
  indexSnapshot,
  lower,
  rejectionOf,
  start,
  until,
} from "../support";

const ZERO32 = `0x${"0".repeat(64)}`;

for (const backend of BACKENDS) {
  describe(`relayer indexer (${backend})`, function () {
    const t = chainPerTest(backend);

    it("rebuilds the state the contract views show after a scripted sequence of writes", async () => {
      const f = await loadFixture(deployDiamond);
      const ts = t.testStore();
      const store = ts.store;
      const c = t.keep(await start(store, f.diamondAddress));
      const w = (method: string, ...args: unknown[]) => c.writer.write({ method, args });

      const A = h("account A");
      const B = h("account B");
      const [userX, userY, userZ, walletA, walletB] = f.users;
      const pkps = [1, 2, 3, 4].map((i) => ethers.Wallet.createRandom().address);
      const [cid1, cid2, cid3, cid4] = ["c1", "c2", "c3", "c4"].map((s) => h(s));
      const U1 = h("usage 1");
      const U2 = h("usage 2");
      const U3 = h("usage 3");

      // accounts (managed, through the payers)
      await w("newAccount", A, true, "Account A", "first", walletA.address);
      expect(await store.index.account(A)).to.deep.include({ name: "Account A", managed: true, admin: lower(walletA.address) });
      await w("newAccount", B, true, "Account B", "second", walletB.address);

      // wallets
      await w("registerWalletDerivation", A, pkps[0], 101n, "w1", "wallet one");
      await w("registerWalletDerivation", A, pkps[1], 102n, "w2", "");
      await w("registerWalletDerivation", B, pkps[2], 103n, "w3", "b's");
      expect((await store.index.walletByDerivation("102"))?.pkp).to.equal(lower(pkps[1]));

      // actions
      await w("addAction", A, "act1", "one", cid1);
      await w("addAction", A, "act2", "", cid2);

      // groups, with wildcards
      const g1 = (await w("addGroup", A, "g1", "group one", [cid1, 0n], [pkps[0], ZERO_ADDRESS])).events.find(
        (e) => e.name === "GroupAdded",
      )?.args.groupId as string;
      const g2r = await w("addGroup", A, "g2", "", [cid2, cid3], [pkps[1]]);
      const g2 = g2r.events.find((e) => e.name === "GroupAdded")?.args.groupId as string;
      expect(g2r.events.map((e) => e.name)).to.include("ActionAdded"); // cid3 registered implicitly
      await w("addGroup", B, "gb", "b group", [0n], [ZERO_ADDRESS]);
      const g4 = (await w("addGroup", A, "g4", "to be removed", [cid2], [pkps[0]])).events.find(
        (e) => e.name === "GroupAdded",
      )?.args.groupId as string;
      expect((await store.index.group(g1))?.cids).to.deep.equal([cid1, ZERO32]);

      await w("updateGroup", A, g1, "g1b", "updated", [cid2, 0n], [pkps[1]]);
      await w("updateGroupMetadata", A, g2, "g2b", "renamed");
      await w("addActionToGroup", A, g2, cid1);
      await w("addActionToGroup", A, g2, cid4);
      await w("removeActionFromGroup", A, g2, cid2);
      await w("addPkpToGroup", A, g2, pkps[0]);
      await w("addPkpToGroup", A, g2, ZERO_ADDRESS);
      await w("removePkpFromGroup", A, g2, pkps[1]);
      await w("removeGroup", A, g4);
      expect(await store.index.group(g4)).to.equal(null);

      // action removal (drops it from every group), metadata
      await w("removeAction", A, cid1);
      await w("updateActionMetadata", A, cid2, 0n, "act2b", "renamed action");
      await w("updateActionMetadata", A, cid4, g2, "act4", "via group");

      // usage keys: set, overwrite, metadata, remove, set again
      const perms = (exp: bigint, bal: bigint, cg: boolean, dg: boolean, cp: boolean, m: unknown[], a: unknown[], r: unknown[], e: unknown[]) => [
        exp,
        bal,
        cg,
        dg,
        cp,
        m,
        a,
        r,
        e,
      ];
      const setKey = (key: string, name: string, p: unknown[]) => {
        const [exp, bal, cg, dg, cp, m, a, r, e] = p;
        return w("setUsageApiKey", A, key, exp, bal, name, `${name} desc`, cg, dg, cp, m, a, r, e);
      };
      await setKey(U1, "u1", perms(0n, 5n, true, false, true, [g1], [0n], [], [g1, g2]));
      await setKey(U2, "u2", perms(2_000_000_000n, 0n, false, true, false, [], [], [g2], [0n]));
      await setKey(U3, "u3", perms(0n, 9n, false, false, false, [], [], [], [g2]));
      await setKey(U1, "u1b", perms(1_900_000_000n, 3n, false, true, false, [g2, 0n], [], [g1], [g1]));
      expect((await store.index.usageKey(U1))?.executeInGroups).to.deep.equal([g1]);
      await w("updateUsageApiKeyMetadata", A, U3, "u3b", "renamed key");
      await w("removeUsageApiKey", A, U2);
      expect(await store.index.resolve(U2)).to.equal(null);
      expect((await store.index.binding(U2))?.kind).to.equal("RemovedUsageKey");
      await w("removeUsageApiKey", A, U3);
      await setKey(U3, "u3c", perms(0n, 1n, true, true, true, [], [], [], [0n]));

      // billing (payer) and pricing (pricing operator)
      await w("creditApiKey", A, 1000n);
      await w("debitApiKey", A, 100n);
      await w("creditApiKey", U1, 7n);
      await (await f.diamond.connect(f.pricingOperator).setPricing(1n, 100n)).wait();
      await (await f.diamond.connect(f.pricingOperator).setPricing(2n, 200n)).wait();
      await (await f.diamond.connect(f.owner).setPricing(1n, 150n)).wait();

      // configuration (owner / config operator)
      const cfg = f.diamond.connect(f.configOperator);
      await (await cfg.setNodeConfiguration("k1", "v1")).wait();
      await (await cfg.setNodeConfiguration("k2", "v2")).wait();
      await (await cfg.setNodeConfiguration("k3", "v3")).wait();
      await (await cfg.removeNodeConfiguration("k1")).wait();
      await (await cfg.setNodeConfiguration("k2", "v2b")).wait();
      await (await cfg.setRebalanceAmount(ethers.parseEther("1"))).wait();
      await (await cfg.setRequestedApiPayerCount(3n)).wait();
      await (await cfg.setApiPayers([f.payer.address, f.payer2.address, userZ.address])).wait();
      await (await f.diamond.connect(f.owner).setPricingOperator(userY.address)).wait();

      // ChainSecured: convert (payer), transfer (admin itself), self-service account
      await w("convertToChainSecuredAccount", B, userX.address);
      await (await f.diamond.connect(userX).transferChainSecuredAccountOwnership(B, userY.address)).wait();
      await (await f.diamond.connect(userZ).newChainSecuredAccount("C", "self-service")).wait();
      const C = ethers.solidityPackedKeccak256(["address"], [userZ.address]);
      await (await f.diamond.connect(userZ).addGroup(C, "gc", "", [cid1], [])).wait();

      // wallet aliases squatted by A's usage keys: one reclaimed, one taken back by creating an account
      const [userV, userW] = [f.users[5], f.users[6]];
      const [aliasV, aliasW] = [userV, userW].map((u) => ethers.solidityPackedKeccak256(["address"], [u.address]));
      await setKey(aliasV, "squat v", perms(0n, 2n, false, false, false, [], [], [], [0n]));
      await setKey(aliasW, "squat w", perms(0n, 0n, false, false, false, [], [], [], [g1]));
      await (await f.diamond.connect(userV).reclaimAddressAlias()).wait();
      await (await f.diamond.connect(userW).newChainSecuredAccount("W", "took its alias back")).wait();
      await c.indexer.syncTo(await ethers.provider.getBlockNumber());
      expect(await store.index.binding(aliasV)).to.deep.include({ kind: "RemovedUsageKey", master: ZERO32 });
      expect(await store.index.account(aliasW)).to.deep.include({ masterWallet: lower(userW.address), masterIsAdminAlias: true });
      expect((await store.index.account(B))?.masterWallet).to.equal(lower(userX.address));
      expect((await store.index.account(A))?.masterWallet).to.equal(null);

      const head = await ethers.provider.getBlockNumber();
      await c.indexer.syncTo(head);

      const aliases = [userX, userY, userZ].map((u) => ethers.solidityPackedKeccak256(["address"], [u.address]));
      const hashes = [A, B, C, aliasW, U1, U2, U3, ...aliases, aliasV, h("never bound")];
      const expected = await chainSnapshot(f.diamond, [A, B, C, aliasW], hashes);
      const actual = await indexSnapshot(store, [A, B, C, aliasW], hashes);
      expect(actual).to.deep.equal(expected);

      // spot checks of the extras
      const inGroup = (await f.diamond.listActionsInGroup(A, g2, 0, 10)).map((m) => ({
        cid: `0x${m.id.toString(16).padStart(64, "0")}`,
        name: m.name,
        description: m.description,
      }));
      expect(
        ((await store.index.listActionsInGroup(A, g2, { pageNumber: 0, pageSize: 10 })) ?? []).map((x) => ({
          cid: x.cid,
          name: x.name,
          description: x.description,
        })),
      ).to.deep.equal(inGroup);
      expect(inGroup).to.have.length(2);
      const walletsInGroup = (await f.diamond.listWalletsInGroup(A, g2, 0, 10)).map((x) => [x.pkpId.toLowerCase(), x.id.toString(), x.name]);
      expect(walletsInGroup).to.have.length(2);
      expect(
        ((await store.index.listWalletsInGroup(A, g2, { pageNumber: 0, pageSize: 10 })) ?? []).map((x) => [x.pkp, x.derivation, x.name]),
      ).to.deep.equal(walletsInGroup);
      expect(await store.index.listGroups(A, { pageNumber: 1, pageSize: 1 })).to.have.length(1);
      expect(await store.index.listGroups(A, { pageNumber: 5, pageSize: 10 })).to.deep.equal([]);
      expect(await store.index.indexedBlock()).to.be.gte(head);

      // a second store rebuilt from scratch (another relayer) reaches the same state
      const other = await ts.reopen();
      expect(await indexSnapshot(other, [A, B, C, aliasW], hashes)).to.deep.equal(expected);
    });

    it("survives a dead RPC (backoff, no crash) and catches up when it returns", async () => {
      const f = await loadFixture(deployDiamond);
      const ts = t.testStore();
      const rpc = new FlakyRpc(hardhatRpc());
      rpc.down = true;
      const c = t.keep(await start(ts.store, f.diamondAddress, { provider: rpc, maxBackoffMs: 50 }));
      await until(() => c.indexer.status().consecutiveFailures >= 3, 5000, "failed indexer rounds");
      expect(c.indexer.status().running).to.equal(true);
      expect(c.indexer.status().lastError).to.match(/ECONNREFUSED/);
      const err = await rejectionOf(c.indexer.syncTo(1, 100));
      expect(err).to.be.instanceOf(ChainUnavailableError);

      rpc.down = false;
      const head = await ethers.provider.getBlockNumber();
      await c.indexer.syncTo(head, 5000);
      expect(c.indexer.status().lastError).to.equal(null);
      expect((await ts.store.index.config()).apiPayers).to.deep.equal([lower(f.payer.address), lower(f.payer2.address)]);
    });

    it("a lagging node never makes the cursor skip a block it has not reported yet", async () => {
      const f = await loadFixture(deployDiamond);
      const ts = t.testStore();
      const rpc = new FlakyRpc(hardhatRpc());
      const chain = t.keep(await start(ts.store, f.diamondAddress, { provider: rpc, startIndexer: false }));
      const A = h("lagging");
      await (await f.diamond.connect(f.payer).newAccount(A, true, "lag", "", f.users[0].address)).wait();
      const head = await ethers.provider.getBlockNumber();
      // The node answering is one block behind the one that gave the receipt of block `head`.
      rpc.fake.set("eth_blockNumber", ethers.toQuantity(head - 1));
      await chain.indexer.syncTo(head - 1);
      const err = await rejectionOf(chain.indexer.syncTo(head, 300));
      expect(err).to.be.instanceOf(ChainUnavailableError);
      expect(await ts.store.index.indexedBlock()).to.equal(head - 1);
      expect(await ts.store.index.account(A)).to.equal(null);
      rpc.fake.delete("eth_blockNumber");
      await chain.indexer.syncTo(head, 5000);
      expect(await ts.store.index.account(A)).to.deep.include({ master: A, name: "lag" });
    });

    it("indexes in small log batches and never applies a block twice", async () => {
      const f = await loadFixture(deployDiamond);
      const ts = t.testStore();
      const chain = t.keep(await start(ts.store, f.diamondAddress, { logBatchSize: 3, startIndexer: false }));
      for (let i = 0; i < 4; i++) await chain.writer.write({ method: "newAccount", args: [h(`b${i}`), true, `n${i}`, "", f.users[0].address] });
      const head = await ethers.provider.getBlockNumber();
      // a second indexer on the same database races the first one
      const { Indexer } = await import("../../../src/relayer/chain");
      const second = new Indexer(hardhatRpc(), ts.store.index, { diamondAddress: f.diamondAddress });
      await Promise.all([chain.indexer.syncTo(head), second.syncTo(head), second.catchUp()]);
      expect(await ts.store.index.accountHashes()).to.deep.equal([0, 1, 2, 3].map((i) => h(`b${i}`)));
    });

    it("refuses a replayed old block: the cursor never moves back and a removed action stays removed", async () => {
      const f = await loadFixture(deployDiamond);
      const ts = t.testStore();
      const index = ts.store.index;
      const chain = t.keep(await start(ts.store, f.diamondAddress, { startIndexer: false }));
      const A = h("replayed block");
      const cid = h("replayed cid");
      await chain.writer.write({ method: "newAccount", args: [A, true, "r", "", f.users[0].address] });
      const added = await chain.writer.write({ method: "addAction", args: [A, "act", "", cid] });
      const removed = await chain.writer.write({ method: "removeAction", args: [A, cid] });
      expect(removed.blockNumber, "the removal is mined in a later block").to.be.greaterThan(added.blockNumber);
      await chain.indexer.syncTo(removed.blockNumber);
      expect(await index.action(A, cid)).to.equal(null);
      const cursor = await index.indexedBlock();
      expect(cursor).to.be.gte(removed.blockNumber);

      // The addAction block again, as a second indexer that fetched it late would apply it.
      const logs = (await ethers.provider.send("eth_getLogs", [
        { address: f.diamondAddress, fromBlock: ethers.toQuantity(added.blockNumber), toBlock: ethers.toQuantity(added.blockNumber) },
      ])) as RpcLog[];
      const events = decodeLogs(logs, f.diamondAddress);
      expect(events.map((e) => e.name)).to.include("ActionAdded");
      expect(await index.applyBlock(added.blockNumber, logs[0].blockHash, events), "applyBlock of an old block").to.equal(false);
      expect(await index.indexedBlock(), "the cursor after the replay").to.equal(cursor);
      expect(await index.action(A, cid), "the removed action after the replay").to.equal(null);
      expect(await index.advanceCursor(added.blockNumber), "advanceCursor to an old block").to.equal(false);
      expect(await index.indexedBlock(), "the cursor after advanceCursor to an old block").to.equal(cursor);
      // The block the cursor is at is old too: applying it again is refused.
      expect(await index.advanceCursor(cursor)).to.equal(false);
    });

    it("keeps indexing past a group name that is not valid UTF-8 (written straight on-chain by a wallet)", async () => {
      const f = await loadFixture(deployDiamond);
      const ts = t.testStore();
      const chain = t.keep(await start(ts.store, f.diamondAddress));
      const user = f.users[1];
      await (await f.diamond.connect(user).newChainSecuredAccount("C", "")).wait();
      const C = ethers.solidityPackedKeccak256(["address"], [user.address]);
      // "\x01\x02\x03\x04" encoded, then those bytes replaced by 0xff: not UTF-8, accepted by the ABI
      const data = f.diamond.interface
        .encodeFunctionData("addGroup", [C, "\x01\x02\x03\x04", "", [], []])
        .replace("01020304", "ffffffff");
      await (await user.sendTransaction({ to: f.diamondAddress, data })).wait();
      await (await f.diamond.connect(user).addGroup(C, "after", "", [], [])).wait();
      await chain.indexer.syncTo(await ethers.provider.getBlockNumber());
      const groups = await ts.store.index.listGroups(C, { pageNumber: 0, pageSize: 10 });
      expect(groups.map((g) => g.name)).to.deep.equal(["\uFFFD".repeat(4), "after"]);
    });
  });
}
