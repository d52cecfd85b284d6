/**
 * Seed 001 "Things to verify after a transfer", checked at contract level.
 * Rules: docs/contracts.md "Accounts" (the transfer rules of seed 001);
 * choices: docs/contract-behaviour.md "Accounts" (order of checks).
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond } from "../../fixtures/diamond";
import {
  aliasOf,
  createChainSecuredAccount,
  HashKind,
  hashText,
  newApiKey,
  usageKeyArgs,
} from "../../fixtures/support";
import { populatedAccountTransferred, populatedConvertedAccount, accountState } from "./support";

describe("ChainSecured ownership transfer", () => {
  describe("after a transfer", () => {
    it("sets the new admin and keeps the account unmanaged", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, next } = await populatedAccountTransferred(f);
      const info = await f.diamond.getAccount(master);
      expect(info.adminWalletAddress).to.equal(next.address);
      expect(info.managed).to.equal(false);
      expect(info.masterApiKeyHash).to.equal(master);
    });

    it("accepts a write signed by the new wallet", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, next } = await populatedAccountTransferred(f);
      const usage = newApiKey();
      await expect(f.diamond.connect(next).setUsageApiKey(master, usage.hash, ...usageKeyArgs()))
        .to.emit(f.diamond, "UsageApiKeySet")
        .withArgs(master, usage.hash);
    });

    it("accepts a write by the new wallet through its new alias", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, next] = f.users;
      const a = await createChainSecuredAccount(f, admin);
      await f.diamond.connect(admin).transferChainSecuredAccountOwnership(a, next.address);
      const cid = hashText("QmNewAdmin");
      await expect(f.diamond.connect(next).addAction(aliasOf(next.address), "n", "", cid))
        .to.emit(f.diamond, "ActionAdded")
        .withArgs(a, cid);
    });

    it("refuses a write signed by the previous wallet with the master hash (NoAccountAccess)", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, admin } = await populatedAccountTransferred(f);
      await expect(f.diamond.connect(admin).setUsageApiKey(master, newApiKey().hash, ...usageKeyArgs()))
        .to.be.revertedWithCustomError(f.diamond, "NoAccountAccess")
        .withArgs(master, admin.address);
    });

    it("refuses a write signed by the previous wallet with its own alias (NoAccountAccess)", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, next] = f.users;
      const a = await createChainSecuredAccount(f, admin);
      await f.diamond.connect(admin).transferChainSecuredAccountOwnership(a, next.address);
      await expect(f.diamond.connect(admin).addGroup(a, "g", "", [], []))
        .to.be.revertedWithCustomError(f.diamond, "NoAccountAccess")
        .withArgs(a, admin.address);
    });

    it("refuses a second transfer by the previous wallet (NoAccountAccess)", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, next, third] = f.users;
      const a = await createChainSecuredAccount(f, admin);
      await f.diamond.connect(admin).transferChainSecuredAccountOwnership(a, next.address);
      await expect(f.diamond.connect(admin).transferChainSecuredAccountOwnership(a, third.address))
        .to.be.revertedWithCustomError(f.diamond, "NoAccountAccess")
        .withArgs(a, admin.address);
    });

    it("binds the new wallet's alias: accountExistsAndIsMutable(alias(new)) is true", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, next] = f.users;
      const { master } = await populatedConvertedAccount(f, admin);
      expect(await f.diamond.connect(next).accountExistsAndIsMutable(aliasOf(next.address))).to.equal(false);
      await f.diamond.connect(admin).transferChainSecuredAccountOwnership(master, next.address);
      expect(await f.diamond.connect(next).accountExistsAndIsMutable(aliasOf(next.address))).to.equal(true);
    });

    it("resolves the new wallet's alias to the master as an AdminAlias", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, next } = await populatedAccountTransferred(f);
      const [resolved, kind] = await f.diamond.resolveApiKeyHash(aliasOf(next.address));
      expect(resolved).to.equal(master);
      expect(kind).to.equal(HashKind.AdminAlias);
    });

    it("keeps the previous admin's alias bound to the account", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, admin } = await populatedAccountTransferred(f);
      const [resolved, kind] = await f.diamond.resolveApiKeyHash(aliasOf(admin.address));
      expect(resolved).to.equal(master);
      expect(kind).to.equal(HashKind.AdminAlias);
    });

    it("keeps groups, wallets, actions, usage keys and the balance exactly", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, next] = f.users;
      const acct = await populatedConvertedAccount(f, admin);
      const before = await accountState(f, acct.master);
      await f.diamond.connect(admin).transferChainSecuredAccountOwnership(acct.master, next.address);
      expect(await accountState(f, acct.master)).to.equal(before);
      expect(await accountState(f, aliasOf(next.address))).to.equal(before);
      const info = await f.diamond.getAccount(acct.master);
      expect([info.groupCount, info.actionCount, info.walletCount, info.usageKeyCount]).to.deep.equal([1n, 1n, 1n, 1n]);
      expect(await f.diamond.apiKeyBalance(acct.master)).to.equal(1000n);
    });

    it("a usage key still may execute its action with its wallet", async () => {
      const f = await loadFixture(deployDiamond);
      const { usage, cid, pkp } = await populatedAccountTransferred(f);
      expect(await f.diamond.canExecuteAction(usage.hash, cid)).to.equal(true);
      expect(await f.diamond.canUseWalletInAction(usage.hash, cid, pkp)).to.equal(true);
    });

    it("keeps the wallet derivations registered to the account", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, next] = f.users;
      const { master, pkp } = await populatedConvertedAccount(f, admin);
      const derivation = await f.diamond.getWalletDerivation(master, pkp);
      expect(derivation).to.not.equal(0n);
      await f.diamond.connect(admin).transferChainSecuredAccountOwnership(master, next.address);
      expect(await f.diamond.getWalletDerivation(aliasOf(next.address), pkp)).to.equal(derivation);
    });

    it("cannot transfer back to the previous admin (AccountAlreadyExists)", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, admin, next } = await populatedAccountTransferred(f);
      await expect(f.diamond.connect(next).transferChainSecuredAccountOwnership(master, admin.address))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(aliasOf(admin.address));
    });

    // For a self-service account the creator's alias IS the master hash, which is bound (as the
    // Master). Seed 001: "a wallet that has ever been admin of any account can't become the target
    // of a transfer ... you cannot transfer back".
    it("cannot transfer back to the creator of a ChainSecured account (AccountAlreadyExists)", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, next] = f.users;
      const a = await createChainSecuredAccount(f, admin);
      await f.diamond.connect(admin).transferChainSecuredAccountOwnership(a, next.address);
      await expect(f.diamond.connect(next).transferChainSecuredAccountOwnership(a, admin.address))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(a);
    });

    it("the previous admin cannot create a new ChainSecured account (its alias stays bound)", async () => {
      const f = await loadFixture(deployDiamond);
      const { admin } = await populatedAccountTransferred(f);
      await expect(f.diamond.connect(admin).newChainSecuredAccount("fresh", ""))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(aliasOf(admin.address));
    });
  });
});
