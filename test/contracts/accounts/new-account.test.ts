/**
 * Accounts: newAccount by an api payer, and its input validation.
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
  HashKind,
  newApiKey,
  randomAddress,
  usageKeyArgs,
} from "../../fixtures/support";

describe("Accounts", () => {
  describe("newAccount by an api payer", () => {
    it("creates a managed account with its admin wallet, name and description", async () => {
      const f = await loadFixture(deployDiamond);
      const { hash } = newApiKey();
      const wallet = randomAddress();
      await f.diamond.connect(f.payer).newAccount(hash, true, "My App", "desc", wallet);
      const info = await f.diamond.getAccount(hash);
      expect(info.masterApiKeyHash).to.equal(hash);
      expect(info.managed).to.equal(true);
      expect(info.adminWalletAddress).to.equal(wallet);
      expect(info.name).to.equal("My App");
      expect(info.description).to.equal("desc");
      expect(info.groupCount).to.equal(0n);
      expect(info.actionCount).to.equal(0n);
      expect(info.walletCount).to.equal(0n);
      expect(info.usageKeyCount).to.equal(0n);
    });

    it("emits AccountCreated and AccountMetadataSet for a managed account", async () => {
      const f = await loadFixture(deployDiamond);
      const { hash } = newApiKey();
      const wallet = randomAddress();
      await expect(f.diamond.connect(f.payer).newAccount(hash, true, "n", "d", wallet))
        .to.emit(f.diamond, "AccountCreated")
        .withArgs(hash, wallet, true)
        .and.to.emit(f.diamond, "AccountMetadataSet")
        .withArgs(hash, "n", "d");
    });

    it("does not bind an admin alias for a managed account", async () => {
      const f = await loadFixture(deployDiamond);
      const { hash } = newApiKey();
      const wallet = randomAddress();
      await expect(f.diamond.connect(f.payer).newAccount(hash, true, "n", "", wallet)).not.to.emit(
        f.diamond,
        "AdminAliasBound",
      );
      const [master, kind] = await f.diamond.resolveApiKeyHash(aliasOf(wallet));
      expect(master).to.equal(0n);
      expect(kind).to.equal(HashKind.None);
    });

    it("creates an unmanaged account and binds the admin alias to its master", async () => {
      const f = await loadFixture(deployDiamond);
      const { hash } = newApiKey();
      const admin = f.users[0].address;
      await expect(f.diamond.connect(f.payer).newAccount(hash, false, "n", "d", admin))
        .to.emit(f.diamond, "AccountCreated")
        .withArgs(hash, admin, false)
        .and.to.emit(f.diamond, "AdminAliasBound")
        .withArgs(hash, aliasOf(admin), admin);
      const [master, kind] = await f.diamond.resolveApiKeyHash(aliasOf(admin));
      expect(master).to.equal(hash);
      expect(kind).to.equal(HashKind.AdminAlias);
      expect((await f.diamond.getAccount(hash)).managed).to.equal(false);
    });

    it("does not emit AdminAliasBound when the unmanaged account's hash is its admin alias", async () => {
      const f = await loadFixture(deployDiamond);
      const admin = f.users[0].address;
      await expect(f.diamond.connect(f.payer).newAccount(aliasOf(admin), false, "n", "", admin)).not.to.emit(
        f.diamond,
        "AdminAliasBound",
      );
      const [master, kind] = await f.diamond.resolveApiKeyHash(aliasOf(admin));
      expect(master).to.equal(aliasOf(admin));
      expect(kind).to.equal(HashKind.Master);
    });

  });

  describe("newAccount validation", () => {
    it("reverts AccountAlreadyExists(hash) when the hash is already a master", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      await expect(f.diamond.connect(f.payer).newAccount(master, true, "again", "", randomAddress()))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(master);
    });

    it("reverts AccountAlreadyExists(hash) when the hash is a usage key of another account", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const usage = newApiKey();
      await f.diamond.connect(f.payer).setUsageApiKey(master, usage.hash, ...usageKeyArgs());
      await expect(f.diamond.connect(f.payer).newAccount(usage.hash, true, "n", "", randomAddress()))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(usage.hash);
    });

    it("reverts AccountAlreadyExists(hash) when the hash is a removed usage key", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const usage = newApiKey();
      await f.diamond.connect(f.payer).setUsageApiKey(master, usage.hash, ...usageKeyArgs());
      await f.diamond.connect(f.payer).removeUsageApiKey(master, usage.hash);
      await expect(f.diamond.connect(f.payer).newAccount(usage.hash, true, "n", "", randomAddress()))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(usage.hash);
    });

    it("reverts AccountAlreadyExists(hash) when the hash is an admin alias of another account", async () => {
      const f = await loadFixture(deployDiamond);
      const { hash } = newApiKey();
      const admin = f.users[0];
      await f.diamond.connect(f.payer).newAccount(hash, false, "n", "", admin.address);
      // the admin tries to self-create with its own alias, which already points at `hash`
      await expect(f.diamond.connect(admin).newChainSecuredAccount("n", ""))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(aliasOf(admin.address));
    });

    it("reverts AccountAlreadyExists(alias) when an unmanaged account's admin alias is already bound", async () => {
      const f = await loadFixture(deployDiamond);
      const admin = f.users[0].address;
      await f.diamond.connect(f.payer).newAccount(newApiKey().hash, false, "first", "", admin);
      const second = newApiKey().hash;
      await expect(f.diamond.connect(f.payer).newAccount(second, false, "second", "", admin))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(aliasOf(admin));
      expect(await f.diamond.accountExistsAndIsMutable(second)).to.equal(false);
    });

    it("allows a managed account whose wallet already administers an unmanaged account", async () => {
      const f = await loadFixture(deployDiamond);
      const admin = f.users[0];
      await createChainSecuredAccount(f, admin);
      const { hash } = newApiKey();
      await f.diamond.connect(f.payer).newAccount(hash, true, "n", "", admin.address);
      expect(await f.diamond.getAccountWalletAddress(hash)).to.equal(admin.address);
      // the alias still points at the ChainSecured account
      expect((await f.diamond.resolveApiKeyHash(aliasOf(admin.address)))[0]).to.equal(aliasOf(admin.address));
    });

    it("reverts InvalidRequest when the hash is zero", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.payer).newAccount(0, true, "n", "", randomAddress()))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("apiKeyHash: must not be zero");
    });

    it("reverts InvalidRequest when the admin wallet is the zero address", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.payer).newAccount(newApiKey().hash, true, "n", "", ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("adminWalletAddress: zero address");
    });

    it("accepts a name of exactly 128 bytes", async () => {
      const f = await loadFixture(deployDiamond);
      const { hash } = newApiKey();
      await f.diamond.connect(f.payer).newAccount(hash, true, "n".repeat(128), "", randomAddress());
      expect((await f.diamond.getAccount(hash)).name).to.equal("n".repeat(128));
    });

    it("reverts InvalidRequest when the name is longer than 128 bytes", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.payer).newAccount(newApiKey().hash, true, "n".repeat(129), "", randomAddress()))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("name: longer than 128 bytes");
    });

    it("measures the name in UTF-8 bytes, not characters", async () => {
      const f = await loadFixture(deployDiamond);
      const name = "€".repeat(43); // 43 characters, 129 bytes
      await expect(f.diamond.connect(f.payer).newAccount(newApiKey().hash, true, name, "", randomAddress()))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("name: longer than 128 bytes");
    });

    it("accepts a description of exactly 1024 bytes", async () => {
      const f = await loadFixture(deployDiamond);
      const { hash } = newApiKey();
      await f.diamond.connect(f.payer).newAccount(hash, true, "n", "d".repeat(1024), randomAddress());
      expect((await f.diamond.getAccount(hash)).description).to.equal("d".repeat(1024));
    });

    it("reverts InvalidRequest when the description is longer than 1024 bytes", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.connect(f.payer).newAccount(newApiKey().hash, true, "n", "d".repeat(1025), randomAddress()))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("description: longer than 1024 bytes");
    });

    it("checks the sender before validating the input", async () => {
      const f = await loadFixture(deployDiamond);
      const user = f.users[0];
      await expect(f.diamond.connect(user).newAccount(0, true, "n", "", ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.diamond, "OnlyApiPayerOrOwner")
        .withArgs(user.address);
    });
  });
});
