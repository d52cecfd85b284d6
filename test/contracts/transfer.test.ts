/**
 * transferChainSecuredAccountOwnership and the seed 001 "Things to verify after conversion" /
 * "Things to verify after a transfer", checked at contract level.
 * Rules: docs/contracts.md "Accounts" (the transfer rules of seed 001);
 * choices: docs/contract-behaviour.md "Accounts" (order of checks).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { deployDiamond, type DiamondFixture } from "../fixtures/diamond";
import {
  aliasOf,
  createChainSecuredAccount,
  createManagedAccount,
  groupIdFrom,
  HashKind,
  hashText,
  newApiKey,
  registerWallet,
  usageKeyArgs,
} from "../fixtures/support";

/** A managed account with one wallet, one group (cid + wallet), a usage key executing in it, and a balance. */
async function populatedManagedAccount(f: DiamondFixture) {
  const master = await createManagedAccount(f, "populated");
  const pkp = await registerWallet(f, f.payer, master, "w1");
  const cid = hashText("QmPopulatedAction");
  await f.diamond.connect(f.payer).addAction(master, "action", "does things", cid);
  const groupId = await groupIdFrom(f, f.diamond.connect(f.payer).addGroup(master, "g", "group", [cid], [pkp]));
  const usage = newApiKey("usage");
  await f.diamond
    .connect(f.payer)
    .setUsageApiKey(master, usage.hash, ...usageKeyArgs({ name: "runner", executeInGroups: [groupId], balance: 7 }));
  await f.diamond.connect(f.payer).creditApiKey(master, 1000);
  return { master, pkp, cid, groupId, usage };
}

/** populatedManagedAccount converted to ChainSecured with `admin` as its admin. */
async function populatedConvertedAccount(f: DiamondFixture, admin: HardhatEthersSigner) {
  const acct = await populatedManagedAccount(f);
  await f.diamond.connect(f.payer).convertToChainSecuredAccount(acct.master, admin.address);
  return acct;
}

/** Everything the views show about an account, JSON-encoded (bigints as strings) for comparison. */
async function accountState(f: DiamondFixture, hash: bigint): Promise<string> {
  const d = f.diamond;
  const info = await d.getAccount(hash);
  const state = {
    counts: [info.groupCount, info.actionCount, info.walletCount, info.usageKeyCount],
    groups: await d.listGroups(hash, 0, 100),
    actions: await d.listActions(hash, 0, 100),
    wallets: await d.listPkps(hash, 0, 100),
    keys: await d.listApiKeys(hash, 0, 100),
    balance: await d.apiKeyBalance(hash),
  };
  return JSON.stringify(state, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}

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
      const [admin, other] = f.users;
      const a = await createChainSecuredAccount(f, admin);
      await createChainSecuredAccount(f, other);
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
      const [admin, other, stranger] = f.users;
      const a = await createChainSecuredAccount(f, admin);
      await createChainSecuredAccount(f, other);
      await expect(f.diamond.connect(stranger).transferChainSecuredAccountOwnership(a, other.address))
        .to.be.revertedWithCustomError(f.diamond, "NoAccountAccess")
        .withArgs(a, stranger.address);
    });

    it("leaves the admin unchanged after a reverted transfer", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, other] = f.users;
      const a = await createChainSecuredAccount(f, admin);
      await createChainSecuredAccount(f, other);
      await expect(f.diamond.connect(admin).transferChainSecuredAccountOwnership(a, other.address)).to.be.reverted;
      expect(await f.diamond.getAccountWalletAddress(a)).to.equal(admin.address);
    });
  });

  describe("events", () => {
    it("emits ChainSecuredAccountOwnershipTransferred(master, previous, new) and AdminAliasBound", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, next] = f.users;
      const a = await createChainSecuredAccount(f, admin);
      await expect(f.diamond.connect(admin).transferChainSecuredAccountOwnership(a, next.address))
        .to.emit(f.diamond, "ChainSecuredAccountOwnershipTransferred")
        .withArgs(a, admin.address, next.address)
        .and.to.emit(f.diamond, "AdminAliasBound")
        .withArgs(a, aliasOf(next.address), next.address);
    });

    it("emits the MASTER hash as first argument when the caller passes its alias", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, next] = f.users;
      const { master } = await populatedConvertedAccount(f, admin);
      const alias = aliasOf(admin.address);
      expect(alias).to.not.equal(master);
      await expect(f.diamond.connect(admin).transferChainSecuredAccountOwnership(alias, next.address))
        .to.emit(f.diamond, "ChainSecuredAccountOwnershipTransferred")
        .withArgs(master, admin.address, next.address)
        .and.to.emit(f.diamond, "AdminAliasBound")
        .withArgs(master, aliasOf(next.address), next.address);
    });

    it("does not change the managed flag or emit a conversion event", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, next] = f.users;
      const a = await createChainSecuredAccount(f, admin);
      await expect(f.diamond.connect(admin).transferChainSecuredAccountOwnership(a, next.address)).not.to.emit(
        f.diamond,
        "AccountConvertedToChainSecured",
      );
      expect((await f.diamond.getAccount(a)).managed).to.equal(false);
    });
  });

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

  describe("after a transfer", () => {
    it("sets the new admin and keeps the account unmanaged", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, next] = f.users;
      const { master } = await populatedConvertedAccount(f, admin);
      await f.diamond.connect(admin).transferChainSecuredAccountOwnership(master, next.address);
      const info = await f.diamond.getAccount(master);
      expect(info.adminWalletAddress).to.equal(next.address);
      expect(info.managed).to.equal(false);
      expect(info.masterApiKeyHash).to.equal(master);
    });

    it("accepts a write signed by the new wallet", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, next] = f.users;
      const { master } = await populatedConvertedAccount(f, admin);
      await f.diamond.connect(admin).transferChainSecuredAccountOwnership(master, next.address);
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
      const [admin, next] = f.users;
      const { master } = await populatedConvertedAccount(f, admin);
      await f.diamond.connect(admin).transferChainSecuredAccountOwnership(master, next.address);
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
      const [admin, next] = f.users;
      const { master } = await populatedConvertedAccount(f, admin);
      await f.diamond.connect(admin).transferChainSecuredAccountOwnership(master, next.address);
      const [resolved, kind] = await f.diamond.resolveApiKeyHash(aliasOf(next.address));
      expect(resolved).to.equal(master);
      expect(kind).to.equal(HashKind.AdminAlias);
    });

    it("keeps the previous admin's alias bound to the account", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, next] = f.users;
      const { master } = await populatedConvertedAccount(f, admin);
      await f.diamond.connect(admin).transferChainSecuredAccountOwnership(master, next.address);
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
      const [admin, next] = f.users;
      const { master, usage, cid, pkp } = await populatedConvertedAccount(f, admin);
      await f.diamond.connect(admin).transferChainSecuredAccountOwnership(master, next.address);
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
      const [admin, next] = f.users;
      const { master } = await populatedConvertedAccount(f, admin);
      await f.diamond.connect(admin).transferChainSecuredAccountOwnership(master, next.address);
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
      const [admin, next] = f.users;
      const { master } = await populatedConvertedAccount(f, admin);
      await f.diamond.connect(admin).transferChainSecuredAccountOwnership(master, next.address);
      await expect(f.diamond.connect(admin).newChainSecuredAccount("fresh", ""))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(aliasOf(admin.address));
    });
  });

  describe("transfer through an alias and chained transfers", () => {
    it("accepts the current admin's alias as the account hash", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, next] = f.users;
      const { master } = await populatedConvertedAccount(f, admin);
      await f.diamond.connect(admin).transferChainSecuredAccountOwnership(aliasOf(admin.address), next.address);
      expect(await f.diamond.getAccountWalletAddress(master)).to.equal(next.address);
    });

    it("lets the new admin transfer again by passing its own alias", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, second, third] = f.users;
      const a = await createChainSecuredAccount(f, admin);
      await f.diamond.connect(admin).transferChainSecuredAccountOwnership(a, second.address);
      await expect(
        f.diamond.connect(second).transferChainSecuredAccountOwnership(aliasOf(second.address), third.address),
      )
        .to.emit(f.diamond, "ChainSecuredAccountOwnershipTransferred")
        .withArgs(a, second.address, third.address);
      expect(await f.diamond.getAccountWalletAddress(a)).to.equal(third.address);
    });

    it("accepts a previous admin's alias as the hash when the current admin signs", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, second, third] = f.users;
      const a = await createChainSecuredAccount(f, admin);
      await f.diamond.connect(admin).transferChainSecuredAccountOwnership(a, second.address);
      // the first admin's alias is the master here; the signer is what matters
      await f.diamond.connect(second).transferChainSecuredAccountOwnership(aliasOf(admin.address), third.address);
      expect(await f.diamond.getAccountWalletAddress(a)).to.equal(third.address);
    });

    it("chains A -> B -> C -> D: only D may write, every alias resolves to the master", async () => {
      const f = await loadFixture(deployDiamond);
      const [a, b, c, d] = f.users;
      const { master, usage, cid } = await populatedConvertedAccount(f, a);
      await expect(f.diamond.connect(a).transferChainSecuredAccountOwnership(master, b.address))
        .to.emit(f.diamond, "ChainSecuredAccountOwnershipTransferred")
        .withArgs(master, a.address, b.address);
      await expect(f.diamond.connect(b).transferChainSecuredAccountOwnership(aliasOf(b.address), c.address))
        .to.emit(f.diamond, "ChainSecuredAccountOwnershipTransferred")
        .withArgs(master, b.address, c.address);
      await expect(f.diamond.connect(c).transferChainSecuredAccountOwnership(aliasOf(a.address), d.address))
        .to.emit(f.diamond, "ChainSecuredAccountOwnershipTransferred")
        .withArgs(master, c.address, d.address);

      expect(await f.diamond.getAccountWalletAddress(master)).to.equal(d.address);
      for (const w of [a, b, c, d]) {
        const [resolved, kind] = await f.diamond.resolveApiKeyHash(aliasOf(w.address));
        expect(resolved).to.equal(master);
        expect(kind).to.equal(HashKind.AdminAlias);
      }
      for (const w of [a, b, c]) {
        await expect(f.diamond.connect(w).addGroup(master, "g", "", [], []))
          .to.be.revertedWithCustomError(f.diamond, "NoAccountAccess")
          .withArgs(master, w.address);
      }
      await f.diamond.connect(d).addGroup(master, "g", "", [], []);
      expect((await f.diamond.getAccount(master)).groupCount).to.equal(2n);
      expect(await f.diamond.canExecuteAction(usage.hash, cid)).to.equal(true);
    });

    it("refuses a chain that would return to an intermediate admin", async () => {
      const f = await loadFixture(deployDiamond);
      const [a, b, c] = f.users;
      const acct = await createChainSecuredAccount(f, a);
      await f.diamond.connect(a).transferChainSecuredAccountOwnership(acct, b.address);
      await f.diamond.connect(b).transferChainSecuredAccountOwnership(acct, c.address);
      await expect(f.diamond.connect(c).transferChainSecuredAccountOwnership(acct, b.address))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(aliasOf(b.address));
    });

    it("refuses a chain that would return to the first admin of a converted account", async () => {
      const f = await loadFixture(deployDiamond);
      const [a, b, c] = f.users;
      const { master } = await populatedConvertedAccount(f, a);
      await f.diamond.connect(a).transferChainSecuredAccountOwnership(master, b.address);
      await f.diamond.connect(b).transferChainSecuredAccountOwnership(master, c.address);
      await expect(f.diamond.connect(c).transferChainSecuredAccountOwnership(master, a.address))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(aliasOf(a.address));
    });

    // The creator's alias is the master hash, so the account can never return to its creator.
    it("refuses a chain that would return to the creator of a ChainSecured account", async () => {
      const f = await loadFixture(deployDiamond);
      const [a, b, c] = f.users;
      const acct = await createChainSecuredAccount(f, a);
      await f.diamond.connect(a).transferChainSecuredAccountOwnership(acct, b.address);
      await f.diamond.connect(b).transferChainSecuredAccountOwnership(acct, c.address);
      await expect(f.diamond.connect(c).transferChainSecuredAccountOwnership(acct, a.address))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(aliasOf(a.address));
    });
  });
});
