/**
 * Authority rules added after the outside attack of issue 13 (docs/contract-behaviour.md,
 * "Authority follows the current owner", "Only the master makes code runnable", "A wallet can
 * always reclaim its own alias", "accountExistsAndIsMutable answers for the caller"):
 *
 * 1. the master hash of a converted account (the old API key) executes only while the account is
 *    administered by the wallet it was converted to: after a transfer it runs nothing, uses no
 *    wallet, and answers false in every execution view (it still resolves for reads);
 * 2. a usage key cannot register code implicitly: adding a cid that is not registered to the
 *    account to a group reverts NotMasterAccount;
 * 3. a wallet can always reclaim keccak256(abi.encodePacked(wallet)) from a usage key that squats it;
 * 4. accountExistsAndIsMutable answers for msg.sender.
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

/** A managed account with a registered action, a wallet and a group holding both, then converted to `admin`. */
async function convertedAccount(f: DiamondFixture, admin: HardhatEthersSigner) {
  const master = await createManagedAccount(f, "converted");
  const cid = hashText("QmConvertedAction");
  await f.diamond.connect(f.payer).addAction(master, "a", "", cid);
  const wallet = await registerWallet(f, f.payer, master, "w");
  const groupId = await groupIdFrom(f, f.diamond.connect(f.payer).addGroup(master, "g", "", [cid], [wallet]));
  await f.diamond.connect(f.payer).convertToChainSecuredAccount(master, admin.address);
  return { master, cid, wallet, groupId };
}

/** Every execution view's answer for `hash` (all false / empty means "executes nothing"). */
async function executionAnswers(f: DiamondFixture, hash: bigint, cid: bigint, wallet: string, groupId: bigint) {
  const d = f.diamond;
  const both = await d.canExecuteActionAndUseWallet(hash, cid, wallet);
  return {
    canExecuteAction: await d.canExecuteAction(hash, cid),
    canExecuteActionFast: await d.canExecuteActionFast(hash, cid),
    canUseWalletInAction: await d.canUseWalletInAction(hash, cid, wallet),
    canUseWalletInActionFast: await d.canUseWalletInActionFast(hash, cid, wallet),
    canExecuteActionAndUseWallet: [both.canExecute, both.canUseWallet],
    groupIdsForAction: [...(await d.groupIdsForAction(hash, cid))],
    groupIdsForActionAndWallet: [...(await d.groupIdsForActionAndWallet(hash, cid, wallet))],
    apiKeyCanExecuteForAnyGroup: await d.apiKeyCanExecuteForAnyGroup(hash, [groupId]),
  };
}

const NOTHING = {
  canExecuteAction: false,
  canExecuteActionFast: false,
  canUseWalletInAction: false,
  canUseWalletInActionFast: false,
  canExecuteActionAndUseWallet: [false, false],
  groupIdsForAction: [],
  groupIdsForActionAndWallet: [],
  apiKeyCanExecuteForAnyGroup: false,
};

describe("Authority rules (issue 13)", () => {
  describe("authority follows the current owner", () => {
    it("the old API key of a converted account executes while the admin is the wallet it was converted to", async () => {
      const f = await loadFixture(deployDiamond);
      const admin = f.users[0];
      const { master, cid, wallet, groupId } = await convertedAccount(f, admin);
      expect(await executionAnswers(f, master, cid, wallet, groupId)).to.deep.equal({
        canExecuteAction: true,
        canExecuteActionFast: true,
        canUseWalletInAction: true,
        canUseWalletInActionFast: true,
        canExecuteActionAndUseWallet: [true, true],
        groupIdsForAction: [groupId],
        groupIdsForActionAndWallet: [groupId],
        apiKeyCanExecuteForAnyGroup: true,
      });
    });

    it("the old API key of a converted account executes nothing after a transfer", async () => {
      const f = await loadFixture(deployDiamond);
      const [w1, w2] = f.users;
      const { master, cid, wallet, groupId } = await convertedAccount(f, w1);
      await f.diamond.connect(w1).transferChainSecuredAccountOwnership(master, w2.address);
      expect(await executionAnswers(f, master, cid, wallet, groupId)).to.deep.equal(NOTHING);
    });

    it("the old API key cannot use a wallet the new admin registers after a transfer", async () => {
      const f = await loadFixture(deployDiamond);
      const [w1, w2] = f.users;
      const { master, cid } = await convertedAccount(f, w1);
      await f.diamond.connect(w1).transferChainSecuredAccountOwnership(master, w2.address);
      const fresh = await registerWallet(f, w2, aliasOf(w2.address), "w2's wallet");
      expect(await f.diamond.canUseWalletInAction(master, cid, fresh)).to.equal(false);
      expect(await f.diamond.canUseWalletInAction(master, hashText("QmAnyCode"), fresh)).to.equal(false);
      // the new admin's alias may
      expect(await f.diamond.canUseWalletInAction(aliasOf(w2.address), cid, fresh)).to.equal(true);
    });

    it("the old API key still resolves for reads after a transfer", async () => {
      const f = await loadFixture(deployDiamond);
      const [w1, w2] = f.users;
      const { master, groupId } = await convertedAccount(f, w1);
      await f.diamond.connect(w1).transferChainSecuredAccountOwnership(master, w2.address);
      expect(await f.diamond.resolveApiKeyHash(master)).to.deep.equal([master, HashKind.Master]);
      expect(await f.diamond.accountExists(master)).to.equal(true);
      expect((await f.diamond.listGroups(master, 0, 10)).map((g) => g.id)).to.deep.equal([groupId]);
      expect((await f.diamond.getAccount(master)).adminWalletAddress).to.equal(w2.address);
    });

    it("a usage key of the account keeps its rights across the transfer", async () => {
      const f = await loadFixture(deployDiamond);
      const [w1, w2] = f.users;
      const { master, cid, wallet, groupId } = await convertedAccount(f, w1);
      const usage = newApiKey();
      await f.diamond.connect(w1).setUsageApiKey(master, usage.hash, ...usageKeyArgs({ executeInGroups: [groupId] }));
      await f.diamond.connect(w1).transferChainSecuredAccountOwnership(master, w2.address);
      expect(await f.diamond.canUseWalletInAction(usage.hash, cid, wallet)).to.equal(true);
    });

    it("an unmanaged account created by an api payer under an API key: the key executes only while its first admin holds it", async () => {
      const f = await loadFixture(deployDiamond);
      const [w1, w2] = f.users;
      const { hash } = newApiKey("unmanaged-by-payer");
      await f.diamond.connect(f.payer).newAccount(hash, false, "u", "", w1.address);
      const cid = hashText("QmUnmanagedByPayer");
      expect(await f.diamond.canExecuteAction(hash, cid)).to.equal(true);
      await f.diamond.connect(w1).transferChainSecuredAccountOwnership(hash, w2.address);
      expect(await f.diamond.canExecuteAction(hash, cid)).to.equal(false);
    });

    it("records the wallet the master hash belongs to (getAccount.masterWallet, MasterWalletSet)", async () => {
      const f = await loadFixture(deployDiamond);
      const [w1, w2, self] = f.users;
      const master = await createManagedAccount(f);
      expect((await f.diamond.getAccount(master)).masterWallet).to.equal(ethers.ZeroAddress);
      await expect(f.diamond.connect(f.payer).convertToChainSecuredAccount(master, w1.address))
        .to.emit(f.diamond, "MasterWalletSet")
        .withArgs(master, w1.address);
      await f.diamond.connect(w1).transferChainSecuredAccountOwnership(master, w2.address);
      expect((await f.diamond.getAccount(master)).masterWallet).to.equal(w1.address);
      await expect(f.diamond.connect(self).newChainSecuredAccount("self", ""))
        .to.emit(f.diamond, "MasterWalletSet")
        .withArgs(aliasOf(self.address), self.address);
    });
  });

  describe("only the master makes code runnable", () => {
    /** The attack of issue 13 item 2: a key that may create groups and execute in a cid-wildcard group. */
    async function wildcardRunner(f: DiamondFixture) {
      const master = await createManagedAccount(f, "victim");
      const wallet = await registerWallet(f, f.payer, master, "master wallet");
      const wildcard = await groupIdFrom(f, f.diamond.connect(f.payer).addGroup(master, "all", "", [0n], [wallet]));
      const key = newApiKey("runner").hash;
      await f.diamond
        .connect(f.payer)
        .setUsageApiKey(master, key, ...usageKeyArgs({ createGroups: true, manageIPFSIdsInGroups: [0], executeInGroups: [wildcard] }));
      return { master, wallet, wildcard, key, own: hashText("QmAttackersOwnCode") };
    }

    it("a usage key's addGroup listing an unregistered cid reverts NotMasterAccount and the code stays unrunnable", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, wallet, key, own } = await wildcardRunner(f);
      expect(await f.diamond.canExecuteAction(key, own)).to.equal(false);
      await expect(f.diamond.connect(f.payer).addGroup(key, "tmp", "", [own], []))
        .to.be.revertedWithCustomError(f.diamond, "NotMasterAccount")
        .withArgs(key);
      expect(await f.diamond.canUseWalletInAction(key, own, wallet)).to.equal(false);
      expect((await f.diamond.listActions(master, 0, 100)).length).to.equal(0);
    });

    it("a usage key's addActionToGroup of an unregistered cid reverts NotMasterAccount", async () => {
      const f = await loadFixture(deployDiamond);
      const { key, wildcard, own } = await wildcardRunner(f);
      await expect(f.diamond.connect(f.payer).addActionToGroup(key, wildcard, own))
        .to.be.revertedWithCustomError(f.diamond, "NotMasterAccount")
        .withArgs(key);
      expect(await f.diamond.canExecuteAction(key, own)).to.equal(false);
    });

    it("a usage key may still list an action the master registered, and the wildcard entry", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, key, wildcard } = await wildcardRunner(f);
      const registered = hashText("QmRegisteredByMaster");
      await f.diamond.connect(f.payer).addAction(master, "r", "", registered);
      const gid = await groupIdFrom(f, f.diamond.connect(f.payer).addGroup(key, "ok", "", [registered, 0n], []));
      expect((await f.diamond.listGroupContents(master, gid)).cidHash).to.deep.equal([registered, 0n]);
      await expect(f.diamond.connect(f.payer).addActionToGroup(key, wildcard, registered))
        .to.emit(f.diamond, "ActionAddedToGroup")
        .withArgs(master, wildcard, registered);
    });

    it("the master still registers a cid implicitly through addGroup and addActionToGroup", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const cid = hashText("QmImplicit");
      const gid = await groupIdFrom(f, f.diamond.connect(f.payer).addGroup(master, "g", "", [], []));
      await expect(f.diamond.connect(f.payer).addActionToGroup(master, gid, cid)).to.emit(f.diamond, "ActionAdded").withArgs(master, cid);
    });

    it("a reverted addGroup by a usage key leaves no group behind", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, key, own } = await wildcardRunner(f);
      const before = (await f.diamond.getAccount(master)).groupCount;
      await expect(f.diamond.connect(f.payer).addGroup(key, "tmp", "", [0n, own], [])).to.be.revertedWithCustomError(
        f.diamond,
        "NotMasterAccount",
      );
      expect((await f.diamond.getAccount(master)).groupCount).to.equal(before);
    });
  });

  describe("a wallet can always reclaim its own alias", () => {
    /** Account X binds keccak(victim) as one of its usage keys (a squat). */
    async function squat(f: DiamondFixture, victim: string) {
      const squatter = await createManagedAccount(f, "squatter");
      await f.diamond.connect(f.payer).setUsageApiKey(squatter, aliasOf(victim), ...usageKeyArgs({ executeInGroups: [0], balance: 5 }));
      return squatter;
    }

    it("newChainSecuredAccount by the wallet removes a squatting usage key first (UsageApiKeyRemoved)", async () => {
      const f = await loadFixture(deployDiamond);
      const victim = f.users[0];
      const squatter = await squat(f, victim.address);
      const alias = aliasOf(victim.address);
      await expect(f.diamond.connect(victim).newChainSecuredAccount("mine", ""))
        .to.emit(f.diamond, "UsageApiKeyRemoved")
        .withArgs(squatter, alias)
        .and.to.emit(f.diamond, "AccountCreated")
        .withArgs(alias, victim.address, false);
      expect(await f.diamond.resolveApiKeyHash(alias)).to.deep.equal([alias, HashKind.Master]);
      expect((await f.diamond.getAccount(squatter)).usageKeyCount).to.equal(0n);
      expect(await f.diamond.apiKeyBalance(alias)).to.equal(0n);
    });

    it("reclaimAddressAlias lets a conversion to the wallet follow", async () => {
      const f = await loadFixture(deployDiamond);
      const victim = f.users[0];
      const squatter = await squat(f, victim.address);
      const alias = aliasOf(victim.address);
      const target = await createManagedAccount(f, "to convert");
      await expect(f.diamond.connect(f.payer).convertToChainSecuredAccount(target, victim.address))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(alias);
      await expect(f.diamond.connect(victim).reclaimAddressAlias())
        .to.emit(f.diamond, "UsageApiKeyRemoved")
        .withArgs(squatter, alias)
        .and.to.emit(f.diamond, "AddressAliasReclaimed")
        .withArgs(alias, victim.address, squatter);
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(target, victim.address);
      expect(await f.diamond.resolveApiKeyHash(alias)).to.deep.equal([target, HashKind.AdminAlias]);
    });

    it("reclaimAddressAlias lets a transfer to the wallet follow", async () => {
      const f = await loadFixture(deployDiamond);
      const [victim, owner] = f.users;
      await squat(f, victim.address);
      const a = await createChainSecuredAccount(f, owner);
      await expect(f.diamond.connect(owner).transferChainSecuredAccountOwnership(a, victim.address)).to.be.revertedWithCustomError(
        f.diamond,
        "AccountAlreadyExists",
      );
      await f.diamond.connect(victim).reclaimAddressAlias();
      await f.diamond.connect(owner).transferChainSecuredAccountOwnership(a, victim.address);
      expect(await f.diamond.getAccountWalletAddress(aliasOf(victim.address))).to.equal(victim.address);
    });

    it("a reclaimed alias cannot be squatted again by any account", async () => {
      const f = await loadFixture(deployDiamond);
      const victim = f.users[0];
      const squatter = await squat(f, victim.address);
      await f.diamond.connect(victim).reclaimAddressAlias();
      const alias = aliasOf(victim.address);
      await expect(f.diamond.connect(f.payer).setUsageApiKey(squatter, alias, ...usageKeyArgs()))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(alias);
      const other = await createManagedAccount(f, "other");
      await expect(f.diamond.connect(f.payer).setUsageApiKey(other, alias, ...usageKeyArgs()))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(alias);
      await f.diamond.connect(victim).newChainSecuredAccount("mine", "");
      expect(await f.diamond.resolveApiKeyHash(alias)).to.deep.equal([alias, HashKind.Master]);
    });

    it("reclaimAddressAlias also clears a removed squat that its account could set again", async () => {
      const f = await loadFixture(deployDiamond);
      const victim = f.users[0];
      const squatter = await squat(f, victim.address);
      const alias = aliasOf(victim.address);
      await f.diamond.connect(f.payer).removeUsageApiKey(squatter, alias);
      await expect(f.diamond.connect(victim).reclaimAddressAlias())
        .to.emit(f.diamond, "AddressAliasReclaimed")
        .withArgs(alias, victim.address, squatter)
        .and.not.to.emit(f.diamond, "UsageApiKeyRemoved");
      await expect(f.diamond.connect(f.payer).setUsageApiKey(squatter, alias, ...usageKeyArgs())).to.be.revertedWithCustomError(
        f.diamond,
        "AccountAlreadyExists",
      );
    });

    it("reclaimAddressAlias on a free alias reserves it for the wallet", async () => {
      const f = await loadFixture(deployDiamond);
      const victim = f.users[0];
      const alias = aliasOf(victim.address);
      await expect(f.diamond.connect(victim).reclaimAddressAlias())
        .to.emit(f.diamond, "AddressAliasReclaimed")
        .withArgs(alias, victim.address, 0n);
      const x = await createManagedAccount(f);
      await expect(f.diamond.connect(f.payer).setUsageApiKey(x, alias, ...usageKeyArgs())).to.be.revertedWithCustomError(
        f.diamond,
        "AccountAlreadyExists",
      );
      // reclaiming twice is harmless
      await expect(f.diamond.connect(victim).reclaimAddressAlias()).to.emit(f.diamond, "AddressAliasReclaimed");
    });

    it("never removes a master binding of the alias (AccountAlreadyExists)", async () => {
      const f = await loadFixture(deployDiamond);
      const w = f.users[0];
      await createChainSecuredAccount(f, w);
      await expect(f.diamond.connect(w).reclaimAddressAlias())
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(aliasOf(w.address));
      expect(await f.diamond.resolveApiKeyHash(aliasOf(w.address))).to.deep.equal([aliasOf(w.address), HashKind.Master]);
    });

    it("never removes an admin-alias binding (AccountAlreadyExists), also for a former admin", async () => {
      const f = await loadFixture(deployDiamond);
      const [w1, w2] = f.users;
      const { master } = await convertedAccount(f, w1);
      await expect(f.diamond.connect(w1).reclaimAddressAlias())
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(aliasOf(w1.address));
      await f.diamond.connect(w1).transferChainSecuredAccountOwnership(master, w2.address);
      await expect(f.diamond.connect(w1).reclaimAddressAlias())
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(aliasOf(w1.address));
      expect(await f.diamond.resolveApiKeyHash(aliasOf(w1.address))).to.deep.equal([master, HashKind.AdminAlias]);
    });

    it("an api payer's newAccount with the wallet's alias does not remove the squat", async () => {
      const f = await loadFixture(deployDiamond);
      const victim = f.users[0];
      await squat(f, victim.address);
      await expect(f.diamond.connect(f.payer).newAccount(aliasOf(victim.address), false, "n", "", victim.address))
        .to.be.revertedWithCustomError(f.diamond, "AccountAlreadyExists")
        .withArgs(aliasOf(victim.address));
    });
  });

  describe("accountExistsAndIsMutable answers for the caller", () => {
    it("API mode: true for an api payer (and the owner), false for the account's own wallet and strangers", async () => {
      const f = await loadFixture(deployDiamond);
      const ownWallet = f.users[0];
      const { hash } = newApiKey();
      await f.diamond.connect(f.payer).newAccount(hash, true, "api", "", ownWallet.address);
      const usage = newApiKey();
      await f.diamond.connect(f.payer).setUsageApiKey(hash, usage.hash, ...usageKeyArgs());
      for (const h of [hash, usage.hash]) {
        expect(await f.diamond.connect(f.payer).accountExistsAndIsMutable(h)).to.equal(true);
        expect(await f.diamond.connect(f.payer2).accountExistsAndIsMutable(h)).to.equal(true);
        expect(await f.diamond.connect(f.owner).accountExistsAndIsMutable(h)).to.equal(true);
        expect(await f.diamond.connect(ownWallet).accountExistsAndIsMutable(h)).to.equal(false);
        expect(await f.diamond.connect(f.users[1]).accountExistsAndIsMutable(h)).to.equal(false);
      }
    });

    it("ChainSecured: true only for the current admin, by any hash of the account", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, stranger] = f.users;
      const a = await createChainSecuredAccount(f, admin);
      expect(await f.diamond.connect(admin).accountExistsAndIsMutable(a)).to.equal(true);
      expect(await f.diamond.connect(stranger).accountExistsAndIsMutable(a)).to.equal(false);
      expect(await f.diamond.connect(f.payer).accountExistsAndIsMutable(a)).to.equal(false);
      expect(await f.diamond.connect(f.owner).accountExistsAndIsMutable(a)).to.equal(false);
    });

    it("after a conversion the api payer gets false and the new admin true", async () => {
      const f = await loadFixture(deployDiamond);
      const admin = f.users[0];
      const master = await createManagedAccount(f);
      expect(await f.diamond.connect(f.payer).accountExistsAndIsMutable(master)).to.equal(true);
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(master, admin.address);
      expect(await f.diamond.connect(f.payer).accountExistsAndIsMutable(master)).to.equal(false);
      expect(await f.diamond.connect(admin).accountExistsAndIsMutable(master)).to.equal(true);
      expect(await f.diamond.connect(admin).accountExistsAndIsMutable(aliasOf(admin.address))).to.equal(true);
    });

    it("after a transfer the previous admin gets false and the new admin true", async () => {
      const f = await loadFixture(deployDiamond);
      const [prev, next] = f.users;
      const a = await createChainSecuredAccount(f, prev);
      await f.diamond.connect(prev).transferChainSecuredAccountOwnership(a, next.address);
      expect(await f.diamond.connect(prev).accountExistsAndIsMutable(aliasOf(prev.address))).to.equal(false);
      expect(await f.diamond.connect(next).accountExistsAndIsMutable(aliasOf(prev.address))).to.equal(true);
      expect(await f.diamond.connect(next).accountExistsAndIsMutable(aliasOf(next.address))).to.equal(true);
    });

    it("false for unknown, zero and removed hashes whoever asks", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const usage = newApiKey();
      await f.diamond.connect(f.payer).setUsageApiKey(master, usage.hash, ...usageKeyArgs());
      await f.diamond.connect(f.payer).removeUsageApiKey(master, usage.hash);
      for (const h of [hashText("nobody"), 0n, usage.hash]) {
        expect(await f.diamond.connect(f.payer).accountExistsAndIsMutable(h)).to.equal(false);
        expect(await f.diamond.connect(f.owner).accountExistsAndIsMutable(h)).to.equal(false);
      }
    });

    it("accountExists answers plain existence for any caller", async () => {
      const f = await loadFixture(deployDiamond);
      const [admin, stranger] = f.users;
      const a = await createChainSecuredAccount(f, admin);
      const m = await createManagedAccount(f);
      expect(await f.diamond.connect(stranger).accountExists(a)).to.equal(true);
      expect(await f.diamond.connect(stranger).accountExists(m)).to.equal(true);
      expect(await f.diamond.connect(stranger).accountExists(hashText("nobody"))).to.equal(false);
      expect(await f.diamond.connect(stranger).accountExists(0)).to.equal(false);
    });
  });
});
