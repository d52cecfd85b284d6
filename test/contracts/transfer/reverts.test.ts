/**
 * transferChainSecuredAccountOwnership: the reverts, in the seed's order.
 * Rules: docs/contracts.md "Accounts" (the transfer rules of seed 001);
 * choices: docs/contract-behaviour.md "Accounts" (order of checks).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond } from "../../fixtures/diamond";
import {
  aliasOf,
  createChainSecuredAccount,
  createManagedAccount,
  hashText,
  newApiKey,
  usageKeyArgs,
} from "../../fixtures/support";
import { chainSecuredBesideAnother, populatedConvertedAccount } from "./support";

describe("ChainSecured ownership transfer", () => {
  describe("reverts (in the seed's order)", () => {
    it("reverts InvalidRequest when the new admin is the zero address", async () => {
      const f = await loadFixture(deployDiamond);
      const admin = f.users[0];
      const a = await createChainSecuredAccount(f, admin);
      await expect(f.diamond.connect(admin).transferChainSecuredAccountOwnership(a, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("newAdminWalletAddress: zero address");
    });

    it("checks the zero address before the account exists", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(
        f.diamond.connect(f.users[0]).transferChainSecuredAccountOwnership(hashText("unknown"), ethers.ZeroAddress),
      )
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("newAdminWalletAddress: zero address");
    });

    it("reverts AccountDoesNotExist when no account resolves from the hash", async () => {
      const f = await loadFixture(deployDiamond);
      const unknown = hashText("unknown");
      await expect(f.diamond.connect(f.users[0]).transferChainSecuredAccountOwnership(unknown, f.users[1].address))
        .to.be.revertedWithCustomError(f.diamond, "AccountDoesNotExist")
        .withArgs(unknown);
    });

    it("reverts AccountDoesNotExist for a removed usage key hash", async () => {
      const f = await loadFixture(deployDiamond);
      const admin = f.users[0];
      const a = await createChainSecuredAccount(f, admin);
      const usage = newApiKey();
      await f.diamond.connect(admin).setUsageApiKey(a, usage.hash, ...usageKeyArgs());
      await f.diamond.connect(admin).removeUsageApiKey(a, usage.hash);
      await expect(f.diamond.connect(admin).transferChainSecuredAccountOwnership(usage.hash, f.users[1].address))
        .to.be.revertedWithCustomError(f.diamond, "AccountDoesNotExist")
        .withArgs(usage.hash);
    });

    it("reverts InvalidRequest when the account is managed", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      await expect(f.diamond.connect(f.payer).transferChainSecuredAccountOwnership(a, f.users[1].address))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("account is managed; use convertToChainSecuredAccount");
    });

    it("reverts InvalidRequest for a managed account even when its own wallet calls", async () => {
      const f = await loadFixture(deployDiamond);
      const { hash } = newApiKey();
      const wallet = f.users[0];
      await f.diamond.connect(f.payer).newAccount(hash, true, "n", "", wallet.address);
      await expect(f.diamond.connect(wallet).transferChainSecuredAccountOwnership(hash, f.users[1].address))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("account is managed; use convertToChainSecuredAccount");
    });

    it("reverts NoAccountAccess when a stranger calls", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, stranger, target] = f.users;
      const a = await createChainSecuredAccount(f, admin);
      await expect(f.diamond.connect(stranger).transferChainSecuredAccountOwnership(a, target.address))
        .to.be.revertedWithCustomError(f.diamond, "NoAccountAccess")
        .withArgs(a, stranger.address);
    });

    it("reverts NoAccountAccess when an api payer calls (api payers have no authority)", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, target] = f.users;
      const { master } = await populatedConvertedAccount(f, admin);
      await expect(f.diamond.connect(f.payer).transferChainSecuredAccountOwnership(master, target.address))
        .to.be.revertedWithCustomError(f.diamond, "NoAccountAccess")
        .withArgs(master, f.payer.address);
    });

    it("reverts NoAccountAccess when the diamond owner calls", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, target] = f.users;
      const a = await createChainSecuredAccount(f, admin);
      await expect(f.diamond.connect(f.owner).transferChainSecuredAccountOwnership(a, target.address))
        .to.be.revertedWithCustomError(f.diamond, "NoAccountAccess")
        .withArgs(a, f.owner.address);
    });

    it("names the passed hash (not the master) in NoAccountAccess", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, stranger, target] = f.users;
      await populatedConvertedAccount(f, admin);
      const alias = aliasOf(admin.address);
      await expect(f.diamond.connect(stranger).transferChainSecuredAccountOwnership(alias, target.address))
        .to.be.revertedWithCustomError(f.diamond, "NoAccountAccess")
        .withArgs(alias, stranger.address);
    });

    it("checks the caller before the same-admin rule", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, stranger] = f.users;
      const a = await createChainSecuredAccount(f, admin);
      await expect(f.diamond.connect(stranger).transferChainSecuredAccountOwnership(a, admin.address))
        .to.be.revertedWithCustomError(f.diamond, "NoAccountAccess")
        .withArgs(a, stranger.address);
    });

    it("reverts InvalidRequest when the new admin is the current admin", async () => {
      const f = await loadFixture(deployDiamond);
      const admin = f.users[0];
      const a = await createChainSecuredAccount(f, admin);
      // the current admin's alias is bound too: the same-admin rule must fire first
      await expect(f.diamond.connect(admin).transferChainSecuredAccountOwnership(a, admin.address))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("newAdminWalletAddress: already the admin");
    });

    it("reverts AccountAlreadyExists when the new admin owns a ChainSecured account", async () => {
      const f = await loadFixture(deployDiamond);
      const { a, admin, other } = await chainSecuredBesideAnother(f);
      await expect(f.diamond.connect(admin).transferChainSecuredAccountOwnership(a, other.address))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(aliasOf(other.address));
    });

    it("reverts AccountAlreadyExists when the new admin administers a converted account", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, other] = f.users;
      const a = await createChainSecuredAccount(f, admin);
      const b = await createManagedAccount(f);
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(b, other.address);
      await expect(f.diamond.connect(admin).transferChainSecuredAccountOwnership(a, other.address))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(aliasOf(other.address));
    });

    it("checks the caller before the new admin's alias", async () => {
      const f = await loadFixture(deployDiamond);
      const { a, other } = await chainSecuredBesideAnother(f);
      const stranger = f.users[2];
      await expect(f.diamond.connect(stranger).transferChainSecuredAccountOwnership(a, other.address))
        .to.be.revertedWithCustomError(f.diamond, "NoAccountAccess")
        .withArgs(a, stranger.address);
    });

    it("leaves the admin unchanged after a reverted transfer", async () => {
      const f = await loadFixture(deployDiamond);
      const { a, admin, other } = await chainSecuredBesideAnother(f);
      await expect(f.diamond.connect(admin).transferChainSecuredAccountOwnership(a, other.address)).to.be.reverted;
      expect(await f.diamond.getAccountWalletAddress(a)).to.equal(admin.address);
    });
  });
});
