/**
 * Seed 001 "Things to verify after conversion", checked at contract level.
 * Rules: docs/contracts.md "Accounts" (the transfer rules of seed 001);
 * choices: docs/contract-behaviour.md "Accounts" (order of checks).
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond } from "../../fixtures/diamond";
import { aliasOf, groupIdFrom, HashKind, hashText, newApiKey, usageKeyArgs } from "../../fixtures/support";
import { populatedManagedAccount, populatedConvertedAccount, accountState } from "./support";

describe("ChainSecured ownership transfer", () => {
  describe("after conversion", () => {
    it("the preserved master hash still resolves to the account", async () => {
      const f = await loadFixture(deployDiamond);
      const { master } = await populatedConvertedAccount(f, f.users[0]);
      expect(await f.diamond.accountExists(master)).to.equal(true);
      expect(await f.diamond.connect(f.users[0]).accountExistsAndIsMutable(master)).to.equal(true);
      const [resolved, kind] = await f.diamond.resolveApiKeyHash(master);
      expect(resolved).to.equal(master);
      expect(kind).to.equal(HashKind.Master);
    });

    it("refuses a usage-key mint relayed by the api payer with the old master key (NoAccountAccess)", async () => {
      const f = await loadFixture(deployDiamond);
      const { master } = await populatedConvertedAccount(f, f.users[0]);
      await expect(f.diamond.connect(f.payer).setUsageApiKey(master, newApiKey().hash, ...usageKeyArgs()))
        .to.be.revertedWithCustomError(f.diamond, "NoAccountAccess")
        .withArgs(master, f.payer.address);
    });

    it("refuses a group creation relayed by the api payer with the old master key (NoAccountAccess)", async () => {
      const f = await loadFixture(deployDiamond);
      const { master } = await populatedConvertedAccount(f, f.users[0]);
      await expect(f.diamond.connect(f.payer).addGroup(master, "g2", "", [], []))
        .to.be.revertedWithCustomError(f.diamond, "NoAccountAccess")
        .withArgs(master, f.payer.address);
    });

    it("refuses a write by the diamond owner (NoAccountAccess)", async () => {
      const f = await loadFixture(deployDiamond);
      const { master } = await populatedConvertedAccount(f, f.users[0]);
      await expect(f.diamond.connect(f.owner).addAction(master, "x", "", hashText("QmX")))
        .to.be.revertedWithCustomError(f.diamond, "NoAccountAccess")
        .withArgs(master, f.owner.address);
    });

    it("accepts a usage-key mint signed by the new wallet with the master hash", async () => {
      const f = await loadFixture(deployDiamond);
      const admin = f.users[0];
      const { master } = await populatedConvertedAccount(f, admin);
      const usage = newApiKey();
      await expect(f.diamond.connect(admin).setUsageApiKey(master, usage.hash, ...usageKeyArgs()))
        .to.emit(f.diamond, "UsageApiKeySet")
        .withArgs(master, usage.hash);
      expect((await f.diamond.getAccount(master)).usageKeyCount).to.equal(2n);
    });

    it("accepts a write signed by the new wallet with its own alias, events carry the master", async () => {
      const f = await loadFixture(deployDiamond);
      const admin = f.users[0];
      const { master } = await populatedConvertedAccount(f, admin);
      const gid = await groupIdFrom(f, f.diamond.connect(admin).addGroup(aliasOf(admin.address), "g2", "", [], []));
      const groups = await f.diamond.listGroups(master, 0, 10);
      expect(groups.map((g) => g.id)).to.include(gid);
      await expect(f.diamond.connect(admin).updateGroupMetadata(aliasOf(admin.address), gid, "renamed", ""))
        .to.emit(f.diamond, "GroupMetadataSet")
        .withArgs(master, gid, "renamed", "");
    });

    it("keeps groups, wallets, actions, usage keys and the balance exactly", async () => {
      const f = await loadFixture(deployDiamond);
      const acct = await populatedManagedAccount(f);
      const before = await accountState(f, acct.master);
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(acct.master, f.users[0].address);
      expect(await accountState(f, acct.master)).to.equal(before);
      const info = await f.diamond.getAccount(acct.master);
      expect([info.groupCount, info.actionCount, info.walletCount, info.usageKeyCount]).to.deep.equal([1n, 1n, 1n, 1n]);
      expect(await f.diamond.apiKeyBalance(acct.master)).to.equal(1000n);
      expect(await f.diamond.apiKeyBalance(acct.usage.hash)).to.equal(7n);
    });

    it("shows the same state through the new wallet's alias", async () => {
      const f = await loadFixture(deployDiamond);
      const admin = f.users[0];
      const acct = await populatedManagedAccount(f);
      const before = await accountState(f, acct.master);
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(acct.master, admin.address);
      expect(await accountState(f, aliasOf(admin.address))).to.equal(before);
    });

    it("a usage key still may execute its action with its wallet", async () => {
      const f = await loadFixture(deployDiamond);
      const { usage, cid, pkp, groupId } = await populatedConvertedAccount(f, f.users[0]);
      expect(await f.diamond.canExecuteAction(usage.hash, cid)).to.equal(true);
      expect(await f.diamond.canUseWalletInAction(usage.hash, cid, pkp)).to.equal(true);
      expect(await f.diamond.groupIdsForAction(usage.hash, cid)).to.deep.equal([groupId]);
    });

    it("the api payer may still debit the preserved balance", async () => {
      const f = await loadFixture(deployDiamond);
      const { master } = await populatedConvertedAccount(f, f.users[0]);
      await f.diamond.connect(f.payer).debitApiKey(master, 400);
      expect(await f.diamond.apiKeyBalance(master)).to.equal(600n);
    });
  });
});
