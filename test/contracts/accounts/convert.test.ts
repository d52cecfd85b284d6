/**
 * Accounts: convertToChainSecuredAccount.
 * Rules: docs/contracts.md "Identity and aliasing" / "Accounts";
 * choices: docs/contract-behaviour.md "Identity" / "Accounts".
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond } from "../../fixtures/diamond";
import {
  aliasOf,
  createChainSecuredAccount,
  createManagedAccount,
  groupIdFrom,
  HashKind,
  hashText,
  newApiKey,
  registerWallet,
  removedUsageKey,
  usageKeyArgs,
} from "../../fixtures/support";

describe("Accounts", () => {
  describe("convertToChainSecuredAccount", () => {
    it("flips managed to false and sets the new admin", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const admin = f.users[0].address;
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(a, admin);
      const info = await f.diamond.getAccount(a);
      expect(info.managed).to.equal(false);
      expect(info.adminWalletAddress).to.equal(admin);
      expect(info.masterApiKeyHash).to.equal(a);
      expect(await f.diamond.getAccountWalletAddress(a)).to.equal(admin);
    });

    it("emits AccountConvertedToChainSecured and AdminAliasBound with the master hash", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const admin = f.users[0].address;
      await expect(f.diamond.connect(f.payer).convertToChainSecuredAccount(a, admin))
        .to.emit(f.diamond, "AccountConvertedToChainSecured")
        .withArgs(a, admin)
        .and.to.emit(f.diamond, "AdminAliasBound")
        .withArgs(a, aliasOf(admin), admin);
    });

    it("binds alias(newAdmin) to the master as an AdminAlias", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const admin = f.users[0].address;
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(a, admin);
      const [master, kind] = await f.diamond.resolveApiKeyHash(aliasOf(admin));
      expect(master).to.equal(a);
      expect(kind).to.equal(HashKind.AdminAlias);
      expect(await f.diamond.connect(f.users[0]).accountExistsAndIsMutable(aliasOf(admin))).to.equal(true);
    });

    it("keeps the master hash a Master binding", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(a, f.users[0].address);
      const [master, kind] = await f.diamond.resolveApiKeyHash(a);
      expect(master).to.equal(a);
      expect(kind).to.equal(HashKind.Master);
    });

    it("reverts InvalidRequest when the new admin is the zero address", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      await expect(f.diamond.connect(f.payer).convertToChainSecuredAccount(a, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("newAdminWalletAddress: zero address");
    });

    it("reverts AccountDoesNotExist for an unknown hash", async () => {
      const f = await loadFixture(deployDiamond);
      const unknown = hashText("unknown");
      await expect(f.diamond.connect(f.payer).convertToChainSecuredAccount(unknown, f.users[0].address))
        .to.be.revertedWithCustomError(f.diamond, "AccountDoesNotExist")
        .withArgs(unknown);
    });

    it("reverts AccountDoesNotExist for a removed usage key", async () => {
      const f = await loadFixture(deployDiamond);
      const removed = await removedUsageKey(f);
      await expect(f.diamond.connect(f.payer).convertToChainSecuredAccount(removed, f.users[0].address))
        .to.be.revertedWithCustomError(f.diamond, "AccountDoesNotExist")
        .withArgs(removed);
    });

    it("reverts NotMasterAccount when given a usage key hash", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const usage = newApiKey();
      await f.diamond.connect(f.payer).setUsageApiKey(a, usage.hash, ...usageKeyArgs());
      await expect(f.diamond.connect(f.payer).convertToChainSecuredAccount(usage.hash, f.users[0].address))
        .to.be.revertedWithCustomError(f.diamond, "NotMasterAccount")
        .withArgs(usage.hash);
      expect((await f.diamond.getAccount(a)).managed).to.equal(true);
    });

    it("reverts NotMasterAccount when given an admin alias", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(a, f.users[0].address);
      const alias = aliasOf(f.users[0].address);
      await expect(f.diamond.connect(f.payer).convertToChainSecuredAccount(alias, f.users[1].address))
        .to.be.revertedWithCustomError(f.diamond, "NotMasterAccount")
        .withArgs(alias);
    });

    it("reverts InvalidRequest when the account is already ChainSecured (one way only)", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(a, f.users[0].address);
      await expect(f.diamond.connect(f.payer).convertToChainSecuredAccount(a, f.users[1].address))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("account is already ChainSecured");
      expect(await f.diamond.getAccountWalletAddress(a)).to.equal(f.users[0].address);
    });

    it("reverts InvalidRequest for an account created ChainSecured", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createChainSecuredAccount(f, f.users[0]);
      await expect(f.diamond.connect(f.owner).convertToChainSecuredAccount(a, f.users[1].address))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("account is already ChainSecured");
    });

    it("reverts AccountAlreadyExists(alias) when the new admin already owns a ChainSecured account", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const admin = f.users[0];
      await createChainSecuredAccount(f, admin);
      await expect(f.diamond.connect(f.payer).convertToChainSecuredAccount(a, admin.address))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(aliasOf(admin.address));
      const info = await f.diamond.getAccount(a);
      expect(info.managed).to.equal(true);
    });

    it("reverts AccountAlreadyExists(alias) when the new admin already administers a converted account", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const b = await createManagedAccount(f);
      const admin = f.users[0].address;
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(a, admin);
      await expect(f.diamond.connect(f.payer).convertToChainSecuredAccount(b, admin))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(aliasOf(admin));
    });

    it("keeps groups, wallets, actions, usage keys and balance", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const pkp = await registerWallet(f, f.payer, a);
      const cid = hashText("QmKeep");
      const gid = await groupIdFrom(f, f.diamond.connect(f.payer).addGroup(a, "g", "", [cid], [pkp]));
      const usage = newApiKey();
      await f.diamond.connect(f.payer).setUsageApiKey(a, usage.hash, ...usageKeyArgs({ executeInGroups: [gid] }));
      await f.diamond.connect(f.payer).creditApiKey(a, 500);
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(a, f.users[0].address);
      const info = await f.diamond.getAccount(a);
      expect([info.groupCount, info.actionCount, info.walletCount, info.usageKeyCount]).to.deep.equal([1n, 1n, 1n, 1n]);
      expect(await f.diamond.apiKeyBalance(a)).to.equal(500n);
      expect(await f.diamond.canUseWalletInAction(usage.hash, cid, pkp)).to.equal(true);
    });
  });
});
