/**
 * Wallets: registerWalletDerivation and getWalletDerivation.
 * Rules: docs/contracts.md "Wallets (PKPs)" / "Groups and actions";
 * choices: docs/contract-behaviour.md "Actions and wallets".
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond } from "../../fixtures/diamond";
import {
  accountWithAllRightsKey,
  aliasOf,
  createChainSecuredAccount,
  createManagedAccount,
  hashText,
  newApiKey,
  randomAddress,
  usageKeyArgs,
} from "../../fixtures/support";

describe("Actions and wallets", () => {
  describe("registerWalletDerivation", () => {
    it("registers a wallet for the master key", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const pkp = randomAddress();
      await f.diamond.connect(f.payer).registerWalletDerivation(master, pkp, 12345, "w", "desc");
      expect(await f.diamond.getWalletDerivation(master, pkp)).to.equal(12345n);
      expect((await f.diamond.getAccount(master)).walletCount).to.equal(1n);
    });

    it("emits WalletDerivationRegistered(master, pkp, derivation) and WalletMetadataSet", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const pkp = randomAddress();
      await expect(f.diamond.connect(f.payer).registerWalletDerivation(master, pkp, 12345, "w", "desc"))
        .to.emit(f.diamond, "WalletDerivationRegistered")
        .withArgs(master, pkp, 12345)
        .and.to.emit(f.diamond, "WalletMetadataSet")
        .withArgs(master, pkp, "w", "desc");
    });

    it("lets a usage key with createPKPs register a wallet, events carry the master", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const key = newApiKey().hash;
      await f.diamond.connect(f.payer).setUsageApiKey(master, key, ...usageKeyArgs({ createPKPs: true }));
      const pkp = randomAddress();
      await expect(f.diamond.connect(f.payer).registerWalletDerivation(key, pkp, 777, "w", ""))
        .to.emit(f.diamond, "WalletDerivationRegistered")
        .withArgs(master, pkp, 777)
        .and.to.emit(f.diamond, "WalletMetadataSet")
        .withArgs(master, pkp, "w", "");
      expect(await f.diamond.getWalletDerivation(master, pkp)).to.equal(777n);
    });

    it("lets a ChainSecured admin register a wallet through its alias", async () => {
      const f = await loadFixture(deployDiamond);
      const admin = f.users[0];
      const master = await createManagedAccount(f);
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(master, admin.address);
      const pkp = randomAddress();
      await expect(f.diamond.connect(admin).registerWalletDerivation(aliasOf(admin.address), pkp, 31, "w", ""))
        .to.emit(f.diamond, "WalletDerivationRegistered")
        .withArgs(master, pkp, 31);
    });

    it("reverts NotAllowedToCreatePkp for a usage key without createPKPs", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const key = newApiKey().hash;
      await f.diamond
        .connect(f.payer)
        .setUsageApiKey(master, key, ...usageKeyArgs({ createGroups: true, addPkpToGroups: [0], executeInGroups: [0] }));
      await expect(f.diamond.connect(f.payer).registerWalletDerivation(key, randomAddress(), 5, "w", ""))
        .to.be.revertedWithCustomError(f.diamond, "NotAllowedToCreatePkp")
        .withArgs(key);
    });

    it("reverts InvalidRequest when the pkpId is the zero address", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      await expect(f.diamond.connect(f.payer).registerWalletDerivation(master, ethers.ZeroAddress, 5, "w", ""))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("pkpId: zero address");
    });

    it("reverts InvalidRequest when the derivation is zero", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      await expect(f.diamond.connect(f.payer).registerWalletDerivation(master, randomAddress(), 0, "w", ""))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("derivationPath: must not be zero");
    });

    it("reverts InvalidRequest when the name is longer than 128 bytes", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      await expect(f.diamond.connect(f.payer).registerWalletDerivation(master, randomAddress(), 5, "n".repeat(129), ""))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("name: longer than 128 bytes");
    });

    it("reverts InvalidRequest when the description is longer than 1024 bytes", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      await expect(
        f.diamond.connect(f.payer).registerWalletDerivation(master, randomAddress(), 5, "n", "d".repeat(1025)),
      )
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("description: longer than 1024 bytes");
    });

    it("reverts WalletAlreadyRegistered when the same account registers a pkpId twice", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const pkp = randomAddress();
      await f.diamond.connect(f.payer).registerWalletDerivation(master, pkp, 1, "w", "");
      await expect(f.diamond.connect(f.payer).registerWalletDerivation(master, pkp, 2, "w", ""))
        .to.be.revertedWithCustomError(f.diamond, "WalletAlreadyRegistered")
        .withArgs(pkp, master);
      expect(await f.diamond.getWalletDerivation(master, pkp)).to.equal(1n);
    });

    it("reverts DerivationAlreadyRegistered when the same account reuses a derivation", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      await f.diamond.connect(f.payer).registerWalletDerivation(master, randomAddress(), 42, "w", "");
      await expect(f.diamond.connect(f.payer).registerWalletDerivation(master, randomAddress(), 42, "w", ""))
        .to.be.revertedWithCustomError(f.diamond, "DerivationAlreadyRegistered")
        .withArgs(42);
      expect(await f.diamond.pkpCount()).to.equal(1n);
    });

    it("reverts NoAccountAccess when a stranger uses a ChainSecured account's createPKPs usage key", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, stranger] = f.users;
      const master = await createChainSecuredAccount(f, admin);
      const key = newApiKey().hash;
      await f.diamond.connect(admin).setUsageApiKey(master, key, ...usageKeyArgs({ createPKPs: true }));
      await expect(f.diamond.connect(stranger).registerWalletDerivation(key, randomAddress(), 8, "w", ""))
        .to.be.revertedWithCustomError(f.diamond, "NoAccountAccess")
        .withArgs(key, stranger.address);
    });

    it("lets the ChainSecured admin register a wallet through a createPKPs usage key", async () => {
      const f = await loadFixture(deployDiamond);
      const admin = f.users[0];
      const master = await createChainSecuredAccount(f, admin);
      const key = newApiKey().hash;
      await f.diamond.connect(admin).setUsageApiKey(master, key, ...usageKeyArgs({ createPKPs: true }));
      const pkp = randomAddress();
      await expect(f.diamond.connect(admin).registerWalletDerivation(key, pkp, 8, "w", ""))
        .to.emit(f.diamond, "WalletDerivationRegistered")
        .withArgs(master, pkp, 8);
      expect((await f.diamond.getAccount(master)).walletCount).to.equal(1n);
    });
  });

  describe("getWalletDerivation", () => {
    it("returns the derivation of a wallet registered to the account", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const pkp = randomAddress();
      await f.diamond.connect(f.payer).registerWalletDerivation(master, pkp, 9001, "w", "");
      expect(await f.diamond.getWalletDerivation(master, pkp)).to.equal(9001n);
    });

    it("returns the derivation when asked through a usage key of the account", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, key } = await accountWithAllRightsKey(f);
      const pkp = randomAddress();
      await f.diamond.connect(f.payer).registerWalletDerivation(master, pkp, 9002, "w", "");
      expect(await f.diamond.getWalletDerivation(key, pkp)).to.equal(9002n);
    });

    it("returns 0 for a wallet registered to another account", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const b = await createManagedAccount(f);
      const pkp = randomAddress();
      await f.diamond.connect(f.payer).registerWalletDerivation(b, pkp, 9003, "w", "");
      expect(await f.diamond.getWalletDerivation(a, pkp)).to.equal(0n);
    });

    it("returns 0 for an unregistered wallet", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      expect(await f.diamond.getWalletDerivation(master, randomAddress())).to.equal(0n);
    });

    it("reverts AccountDoesNotExist for an unknown account hash", async () => {
      const f = await loadFixture(deployDiamond);
      const unknown = hashText("nobody");
      await expect(f.diamond.getWalletDerivation(unknown, randomAddress()))
        .to.be.revertedWithCustomError(f.diamond, "AccountDoesNotExist")
        .withArgs(unknown);
    });
  });
});
