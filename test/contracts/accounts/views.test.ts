/**
 * Accounts: the account views (accountCount, indexToAccountHashAt, accountExistsAndIsMutable,
 * getAccountWalletAddress, getAccount, resolveApiKeyHash).
 * Rules: docs/contracts.md "Identity and aliasing" / "Accounts";
 * choices: docs/contract-behaviour.md "Identity" / "Accounts".
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond } from "../../fixtures/diamond";
import {
  aliasOf,
  createChainSecuredAccount,
  createManagedAccount,
  HashKind,
  hashText,
  newApiKey,
  randomAddress,
  registerWallet,
  removedUsageKey,
  usageKeyArgs,
} from "../../fixtures/support";

describe("Accounts", () => {
  describe("accountCount and indexToAccountHashAt", () => {
    it("starts with no accounts", async () => {
      const f = await loadFixture(deployDiamond);
      expect(await f.diamond.accountCount()).to.equal(0n);
    });

    it("lists accounts in creation order across both kinds", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const b = await createChainSecuredAccount(f, f.users[0]);
      const c = await createManagedAccount(f);
      expect(await f.diamond.accountCount()).to.equal(3n);
      expect(await f.diamond.indexToAccountHashAt(0)).to.equal(a);
      expect(await f.diamond.indexToAccountHashAt(1)).to.equal(b);
      expect(await f.diamond.indexToAccountHashAt(2)).to.equal(c);
    });

    it("does not count a reverted creation", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      await expect(f.diamond.connect(f.payer).newAccount(a, true, "dup", "", randomAddress())).to.be.reverted;
      expect(await f.diamond.accountCount()).to.equal(1n);
    });

    it("does not count usage keys or aliases as accounts", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      await f.diamond.connect(f.payer).setUsageApiKey(a, newApiKey().hash, ...usageKeyArgs());
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(a, f.users[0].address);
      expect(await f.diamond.accountCount()).to.equal(1n);
    });

    it("reverts InvalidRequest for an index equal to accountCount", async () => {
      const f = await loadFixture(deployDiamond);
      await createManagedAccount(f);
      await expect(f.diamond.indexToAccountHashAt(1))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("index: out of range");
    });

    it("reverts InvalidRequest for index 0 when there are no accounts", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.indexToAccountHashAt(0))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("index: out of range");
    });
  });

  describe("accountExistsAndIsMutable", () => {
    it("is true for an active usage key", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const usage = newApiKey();
      await f.diamond.connect(f.payer).setUsageApiKey(a, usage.hash, ...usageKeyArgs());
      expect(await f.diamond.accountExistsAndIsMutable(usage.hash)).to.equal(true);
    });

    it("is false for a removed usage key", async () => {
      const f = await loadFixture(deployDiamond);
      const removed = await removedUsageKey(f);
      expect(await f.diamond.accountExistsAndIsMutable(removed)).to.equal(false);
    });

    it("is false for an unknown hash and for zero", async () => {
      const f = await loadFixture(deployDiamond);
      await createManagedAccount(f);
      expect(await f.diamond.accountExistsAndIsMutable(hashText("nobody"))).to.equal(false);
      expect(await f.diamond.accountExistsAndIsMutable(0)).to.equal(false);
    });
  });

  describe("getAccountWalletAddress", () => {
    it("returns the wallet of a managed account", async () => {
      const f = await loadFixture(deployDiamond);
      const { hash } = newApiKey();
      const wallet = randomAddress();
      await f.diamond.connect(f.payer).newAccount(hash, true, "n", "", wallet);
      expect(await f.diamond.getAccountWalletAddress(hash)).to.equal(wallet);
    });

    it("returns the admin of a ChainSecured account when asked through a usage key", async () => {
      const f = await loadFixture(deployDiamond);
      const admin = f.users[0];
      const a = await createChainSecuredAccount(f, admin);
      const usage = newApiKey();
      await f.diamond.connect(admin).setUsageApiKey(a, usage.hash, ...usageKeyArgs());
      expect(await f.diamond.getAccountWalletAddress(usage.hash)).to.equal(admin.address);
    });

    it("reverts AccountDoesNotExist for an unknown hash", async () => {
      const f = await loadFixture(deployDiamond);
      const unknown = hashText("unknown");
      await expect(f.diamond.getAccountWalletAddress(unknown))
        .to.be.revertedWithCustomError(f.diamond, "AccountDoesNotExist")
        .withArgs(unknown);
    });
  });

  describe("getAccount", () => {
    it("counts groups, actions, wallets and usage keys", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const pkp = await registerWallet(f, f.payer, a);
      await registerWallet(f, f.payer, a);
      const cid = hashText("QmCid");
      await f.diamond.connect(f.payer).addGroup(a, "g", "", [cid], [pkp]);
      await f.diamond.connect(f.payer).addAction(a, "other", "", hashText("QmOther"));
      await f.diamond.connect(f.payer).setUsageApiKey(a, newApiKey().hash, ...usageKeyArgs());
      const info = await f.diamond.getAccount(a);
      expect(info.groupCount).to.equal(1n);
      expect(info.actionCount).to.equal(2n);
      expect(info.walletCount).to.equal(2n);
      expect(info.usageKeyCount).to.equal(1n);
    });

    it("returns the master's snapshot when asked through an admin alias", async () => {
      const f = await loadFixture(deployDiamond);
      const { hash } = newApiKey();
      const admin = f.users[0].address;
      await f.diamond.connect(f.payer).newAccount(hash, false, "n", "d", admin);
      const info = await f.diamond.getAccount(aliasOf(admin));
      expect(info.masterApiKeyHash).to.equal(hash);
      expect(info.adminWalletAddress).to.equal(admin);
    });

    it("returns the master's snapshot when asked through a usage key", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f, "acct");
      const usage = newApiKey();
      await f.diamond.connect(f.payer).setUsageApiKey(a, usage.hash, ...usageKeyArgs());
      const info = await f.diamond.getAccount(usage.hash);
      expect(info.masterApiKeyHash).to.equal(a);
      expect(info.name).to.equal("acct");
    });

    it("reverts AccountDoesNotExist for an unknown hash", async () => {
      const f = await loadFixture(deployDiamond);
      const unknown = hashText("unknown");
      await expect(f.diamond.getAccount(unknown))
        .to.be.revertedWithCustomError(f.diamond, "AccountDoesNotExist")
        .withArgs(unknown);
    });

    it("reverts AccountDoesNotExist for a removed usage key", async () => {
      const f = await loadFixture(deployDiamond);
      const removed = await removedUsageKey(f);
      await expect(f.diamond.getAccount(removed))
        .to.be.revertedWithCustomError(f.diamond, "AccountDoesNotExist")
        .withArgs(removed);
    });
  });

  describe("resolveApiKeyHash", () => {
    it("returns (0, None) for an unknown hash", async () => {
      const f = await loadFixture(deployDiamond);
      const [master, kind] = await f.diamond.resolveApiKeyHash(hashText("unknown"));
      expect(master).to.equal(0n);
      expect(kind).to.equal(HashKind.None);
    });

    it("returns (master, Master) for a master hash", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const [master, kind] = await f.diamond.resolveApiKeyHash(a);
      expect(master).to.equal(a);
      expect(kind).to.equal(HashKind.Master);
    });

    it("returns (master, UsageKey) for a usage key", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const usage = newApiKey();
      await f.diamond.connect(f.payer).setUsageApiKey(a, usage.hash, ...usageKeyArgs());
      const [master, kind] = await f.diamond.resolveApiKeyHash(usage.hash);
      expect(master).to.equal(a);
      expect(kind).to.equal(HashKind.UsageKey);
    });

    it("returns (master, AdminAlias) for an admin alias", async () => {
      const f = await loadFixture(deployDiamond);
      const { hash } = newApiKey();
      await f.diamond.connect(f.payer).newAccount(hash, false, "n", "", f.users[0].address);
      const [master, kind] = await f.diamond.resolveApiKeyHash(aliasOf(f.users[0].address));
      expect(master).to.equal(hash);
      expect(kind).to.equal(HashKind.AdminAlias);
    });

    it("returns (0, RemovedUsageKey) for a removed usage key", async () => {
      const f = await loadFixture(deployDiamond);
      const removed = await removedUsageKey(f);
      const [master, kind] = await f.diamond.resolveApiKeyHash(removed);
      expect(master).to.equal(0n);
      expect(kind).to.equal(HashKind.RemovedUsageKey);
    });
  });
});
