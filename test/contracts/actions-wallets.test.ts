/**
 * Actions (addAction, removeAction, updateActionMetadata) and wallet registration
 * (registerWalletDerivation, getWalletDerivation, pkpCount, allPkpIdsAt, listPkps).
 * Rules: docs/contracts.md "Wallets (PKPs)" / "Groups and actions";
 * choices: docs/contract-behaviour.md "Actions and wallets".
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import { deployDiamond, type DiamondFixture } from "../fixtures/diamond";
import {
  aliasOf,
  createChainSecuredAccount,
  createManagedAccount,
  groupIdFrom,
  hashText,
  newApiKey,
  registerWallet,
  usageKeyArgs,
} from "../fixtures/support";

const randomAddress = () => ethers.Wallet.createRandom().address;

/** The args of every `name` event emitted by the diamond in the transaction, in log order. */
async function eventsNamed(f: DiamondFixture, tx: Promise<ContractTransactionResponse>, name: string) {
  const receipt = await (await tx).wait();
  const out: unknown[][] = [];
  for (const log of receipt!.logs) {
    if (log.address.toLowerCase() !== f.diamondAddress.toLowerCase()) continue;
    const parsed = f.diamond.interface.parseLog(log);
    if (parsed?.name === name) out.push([...parsed.args]);
  }
  return out;
}

/** A managed account with a usage key that has every non-master right (and [0] arrays). */
async function accountWithUsageKey(f: DiamondFixture) {
  const master = await createManagedAccount(f);
  const key = newApiKey("usage").hash;
  await f.diamond.connect(f.payer).setUsageApiKey(
    master,
    key,
    ...usageKeyArgs({
      createGroups: true,
      deleteGroups: true,
      createPKPs: true,
      manageIPFSIdsInGroups: [0],
      addPkpToGroups: [0],
      removePkpFromGroups: [0],
      executeInGroups: [0],
    }),
  );
  return { master, key };
}

describe("Actions and wallets", () => {
  describe("addAction", () => {
    it("registers a new action with its metadata", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const cid = hashText("QmAction1");
      await f.diamond.connect(f.payer).addAction(master, "Action", "does x", cid);
      const actions = await f.diamond.listActions(master, 0, 10);
      expect(actions).to.have.length(1);
      expect(actions[0].id).to.equal(cid);
      expect(actions[0].name).to.equal("Action");
      expect(actions[0].description).to.equal("does x");
    });

    it("emits ActionAdded and ActionMetadataSet for a new action", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const cid = hashText("QmAction1");
      await expect(f.diamond.connect(f.payer).addAction(master, "Action", "does x", cid))
        .to.emit(f.diamond, "ActionAdded")
        .withArgs(master, cid)
        .and.to.emit(f.diamond, "ActionMetadataSet")
        .withArgs(master, cid, "Action", "does x");
    });

    it("updates the metadata on a second call without registering twice", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const cid = hashText("QmAction1");
      await f.diamond.connect(f.payer).addAction(master, "v1", "first", cid);
      await f.diamond.connect(f.payer).addAction(master, "v2", "second", cid);
      const actions = await f.diamond.listActions(master, 0, 10);
      expect(actions).to.have.length(1);
      expect(actions[0].name).to.equal("v2");
      expect(actions[0].description).to.equal("second");
      expect((await f.diamond.getAccount(master)).actionCount).to.equal(1n);
    });

    it("emits ActionMetadataSet but not ActionAdded on the second call", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const cid = hashText("QmAction1");
      await f.diamond.connect(f.payer).addAction(master, "v1", "", cid);
      const tx = f.diamond.connect(f.payer).addAction(master, "v2", "d2", cid);
      await expect(tx).to.emit(f.diamond, "ActionMetadataSet").withArgs(master, cid, "v2", "d2");
      await expect(tx).not.to.emit(f.diamond, "ActionAdded");
    });

    it("sets metadata for an action first registered through a group", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const cid = hashText("QmViaGroup");
      await f.diamond.connect(f.payer).addGroup(master, "g", "", [cid], []);
      expect((await f.diamond.listActions(master, 0, 10))[0].name).to.equal("");
      const tx = f.diamond.connect(f.payer).addAction(master, "named", "", cid);
      await expect(tx).not.to.emit(f.diamond, "ActionAdded");
      await expect(tx).to.emit(f.diamond, "ActionMetadataSet").withArgs(master, cid, "named", "");
      expect((await f.diamond.listActions(master, 0, 10))[0].name).to.equal("named");
    });

    it("lets the same cid be registered by two accounts independently", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const b = await createManagedAccount(f);
      const cid = hashText("QmShared");
      await f.diamond.connect(f.payer).addAction(a, "in A", "", cid);
      await expect(f.diamond.connect(f.payer).addAction(b, "in B", "", cid))
        .to.emit(f.diamond, "ActionAdded")
        .withArgs(b, cid);
      expect((await f.diamond.listActions(a, 0, 10))[0].name).to.equal("in A");
      expect((await f.diamond.listActions(b, 0, 10))[0].name).to.equal("in B");
    });

    it("emits the master hash when a ChainSecured admin passes its alias", async () => {
      const f = await loadFixture(deployDiamond);
      const admin = f.users[0];
      const master = await createManagedAccount(f);
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(master, admin.address);
      const cid = hashText("QmAliasAction");
      await expect(f.diamond.connect(admin).addAction(aliasOf(admin.address), "n", "", cid))
        .to.emit(f.diamond, "ActionAdded")
        .withArgs(master, cid);
    });

    it("reverts InvalidRequest when the action hash is zero", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      await expect(f.diamond.connect(f.payer).addAction(master, "n", "", 0))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("actionHash: must not be zero");
    });

    it("reverts InvalidRequest when the name is longer than 128 bytes", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      await expect(f.diamond.connect(f.payer).addAction(master, "n".repeat(129), "", hashText("Qm")))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("name: longer than 128 bytes");
    });

    it("reverts InvalidRequest when the description is longer than 1024 bytes", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      await expect(f.diamond.connect(f.payer).addAction(master, "n", "d".repeat(1025), hashText("Qm")))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("description: longer than 1024 bytes");
    });

    it("reverts NotMasterAccount when a usage key adds an action", async () => {
      const f = await loadFixture(deployDiamond);
      const { key } = await accountWithUsageKey(f);
      await expect(f.diamond.connect(f.payer).addAction(key, "n", "", hashText("Qm")))
        .to.be.revertedWithCustomError(f.diamond, "NotMasterAccount")
        .withArgs(key);
    });

    it("reverts AccountDoesNotExist for an unknown account hash", async () => {
      const f = await loadFixture(deployDiamond);
      const unknown = hashText("nobody");
      await expect(f.diamond.connect(f.payer).addAction(unknown, "n", "", hashText("Qm")))
        .to.be.revertedWithCustomError(f.diamond, "AccountDoesNotExist")
        .withArgs(unknown);
    });
  });

  describe("removeAction", () => {
    async function actionInTwoGroups(f: DiamondFixture) {
      const master = await createManagedAccount(f);
      const cid = hashText("QmRemoveMe");
      const other = hashText("QmStay");
      await f.diamond.connect(f.payer).addAction(master, "remove me", "", cid);
      const g1 = await groupIdFrom(f, f.diamond.connect(f.payer).addGroup(master, "g1", "", [cid, other], []));
      const g2 = await groupIdFrom(f, f.diamond.connect(f.payer).addGroup(master, "g2", "", [cid], []));
      const g3 = await groupIdFrom(f, f.diamond.connect(f.payer).addGroup(master, "g3", "", [other], []));
      return { master, cid, other, g1, g2, g3 };
    }

    it("unregisters the action from the account", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, cid, other } = await actionInTwoGroups(f);
      await f.diamond.connect(f.payer).removeAction(master, cid);
      const ids = (await f.diamond.listActions(master, 0, 10)).map((a) => a.id);
      expect(ids).to.deep.equal([other]);
    });

    it("removes the action from every group that lists it", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, cid, other, g1, g2, g3 } = await actionInTwoGroups(f);
      await f.diamond.connect(f.payer).removeAction(master, cid);
      expect((await f.diamond.listGroupContents(master, g1)).cidHash).to.deep.equal([other]);
      expect((await f.diamond.listGroupContents(master, g2)).cidHash).to.deep.equal([]);
      expect((await f.diamond.listGroupContents(master, g3)).cidHash).to.deep.equal([other]);
    });

    it("emits one ActionRemovedFromGroup per group that listed it, then ActionRemoved", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, cid, g1, g2 } = await actionInTwoGroups(f);
      const tx = f.diamond.connect(f.payer).removeAction(master, cid);
      const fromGroup = await eventsNamed(f, tx, "ActionRemovedFromGroup");
      expect(fromGroup).to.have.deep.members([
        [master, g1, cid],
        [master, g2, cid],
      ]);
      expect(fromGroup).to.have.length(2);
      await expect(tx).to.emit(f.diamond, "ActionRemoved").withArgs(master, cid);
    });

    it("emits no ActionRemovedFromGroup for an action in no group", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const cid = hashText("QmLonely");
      await f.diamond.connect(f.payer).addAction(master, "n", "", cid);
      const tx = f.diamond.connect(f.payer).removeAction(master, cid);
      await expect(tx).not.to.emit(f.diamond, "ActionRemovedFromGroup");
      await expect(tx).to.emit(f.diamond, "ActionRemoved").withArgs(master, cid);
    });

    it("takes execution through that action away from a usage key", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, cid, other, g1 } = await actionInTwoGroups(f);
      const key = newApiKey().hash;
      await f.diamond.connect(f.payer).setUsageApiKey(master, key, ...usageKeyArgs({ executeInGroups: [g1] }));
      expect(await f.diamond.canExecuteAction(key, cid)).to.equal(true);
      await f.diamond.connect(f.payer).removeAction(master, cid);
      expect(await f.diamond.canExecuteAction(key, cid)).to.equal(false);
      expect(await f.diamond.groupIdsForAction(key, cid)).to.deep.equal([]);
      expect(await f.diamond.canExecuteAction(key, other)).to.equal(true);
    });

    it("takes execution through a wildcard group away, keeping the wildcard entry", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const cid = hashText("QmWild");
      await f.diamond.connect(f.payer).addAction(master, "n", "", cid);
      const g = await groupIdFrom(f, f.diamond.connect(f.payer).addGroup(master, "all", "", [0], []));
      const key = newApiKey().hash;
      await f.diamond.connect(f.payer).setUsageApiKey(master, key, ...usageKeyArgs({ executeInGroups: [g] }));
      expect(await f.diamond.canExecuteAction(key, cid)).to.equal(true);
      const tx = f.diamond.connect(f.payer).removeAction(master, cid);
      await expect(tx).not.to.emit(f.diamond, "ActionRemovedFromGroup");
      expect(await f.diamond.canExecuteAction(key, cid)).to.equal(false);
      expect((await f.diamond.listGroupContents(master, g)).cidHash).to.deep.equal([0n]);
    });

    it("clears the action's metadata (re-registering starts empty)", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const cid = hashText("QmMeta");
      await f.diamond.connect(f.payer).addAction(master, "old name", "old desc", cid);
      await f.diamond.connect(f.payer).removeAction(master, cid);
      await f.diamond.connect(f.payer).addGroup(master, "g", "", [cid], []); // registers with empty metadata
      const actions = await f.diamond.listActions(master, 0, 10);
      expect(actions).to.have.length(1);
      expect(actions[0].name).to.equal("");
      expect(actions[0].description).to.equal("");
    });

    it("reverts ActionDoesNotExist(hash, 0, cid) for an unregistered action", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const cid = hashText("QmNever");
      await expect(f.diamond.connect(f.payer).removeAction(master, cid))
        .to.be.revertedWithCustomError(f.diamond, "ActionDoesNotExist")
        .withArgs(master, 0, cid);
    });

    it("reverts ActionDoesNotExist when the action is removed twice", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, cid } = await actionInTwoGroups(f);
      await f.diamond.connect(f.payer).removeAction(master, cid);
      await expect(f.diamond.connect(f.payer).removeAction(master, cid))
        .to.be.revertedWithCustomError(f.diamond, "ActionDoesNotExist")
        .withArgs(master, 0, cid);
    });

    it("reverts ActionDoesNotExist when the action belongs to another account", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const b = await createManagedAccount(f);
      const cid = hashText("QmB");
      await f.diamond.connect(f.payer).addAction(b, "n", "", cid);
      await expect(f.diamond.connect(f.payer).removeAction(a, cid))
        .to.be.revertedWithCustomError(f.diamond, "ActionDoesNotExist")
        .withArgs(a, 0, cid);
      expect((await f.diamond.getAccount(b)).actionCount).to.equal(1n);
    });

    it("names the passed alias in ActionDoesNotExist", async () => {
      const f = await loadFixture(deployDiamond);
      const admin = f.users[0];
      const master = await createManagedAccount(f);
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(master, admin.address);
      const alias = aliasOf(admin.address);
      const cid = hashText("QmNever");
      await expect(f.diamond.connect(admin).removeAction(alias, cid))
        .to.be.revertedWithCustomError(f.diamond, "ActionDoesNotExist")
        .withArgs(alias, 0, cid);
    });

    it("reverts NotMasterAccount when a usage key removes an action", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, key } = await accountWithUsageKey(f);
      const cid = hashText("QmKeep");
      await f.diamond.connect(f.payer).addAction(master, "n", "", cid);
      await expect(f.diamond.connect(f.payer).removeAction(key, cid))
        .to.be.revertedWithCustomError(f.diamond, "NotMasterAccount")
        .withArgs(key);
    });
  });

  describe("updateActionMetadata", () => {
    async function actionInGroup(f: DiamondFixture) {
      const master = await createManagedAccount(f);
      const cid = hashText("QmUpdate");
      await f.diamond.connect(f.payer).addAction(master, "v1", "d1", cid);
      const g = await groupIdFrom(f, f.diamond.connect(f.payer).addGroup(master, "g", "", [cid], []));
      const empty = await groupIdFrom(f, f.diamond.connect(f.payer).addGroup(master, "empty", "", [], []));
      return { master, cid, g, empty };
    }

    it("updates the metadata with groupId 0", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, cid } = await actionInGroup(f);
      await expect(f.diamond.connect(f.payer).updateActionMetadata(master, cid, 0, "v2", "d2"))
        .to.emit(f.diamond, "ActionMetadataSet")
        .withArgs(master, cid, "v2", "d2");
      const a = (await f.diamond.listActions(master, 0, 10))[0];
      expect([a.name, a.description]).to.deep.equal(["v2", "d2"]);
    });

    it("updates the metadata through a group that lists the action", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, cid, g } = await actionInGroup(f);
      await expect(f.diamond.connect(f.payer).updateActionMetadata(master, cid, g, "v3", ""))
        .to.emit(f.diamond, "ActionMetadataSet")
        .withArgs(master, cid, "v3", "");
      expect((await f.diamond.listActionsInGroup(master, g, 0, 10))[0].name).to.equal("v3");
    });

    it("updates the metadata through a wildcard group", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, cid } = await actionInGroup(f);
      const wild = await groupIdFrom(f, f.diamond.connect(f.payer).addGroup(master, "all", "", [0], []));
      await f.diamond.connect(f.payer).updateActionMetadata(master, cid, wild, "wild", "");
      expect((await f.diamond.listActions(master, 0, 10))[0].name).to.equal("wild");
    });

    it("does not emit ActionAdded", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, cid } = await actionInGroup(f);
      await expect(f.diamond.connect(f.payer).updateActionMetadata(master, cid, 0, "v2", "")).not.to.emit(
        f.diamond,
        "ActionAdded",
      );
    });

    it("reverts GroupDoesNotExist for a group of another account", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, cid } = await actionInGroup(f);
      const other = await createManagedAccount(f);
      const og = await groupIdFrom(f, f.diamond.connect(f.payer).addGroup(other, "theirs", "", [cid], []));
      await expect(f.diamond.connect(f.payer).updateActionMetadata(master, cid, og, "x", ""))
        .to.be.revertedWithCustomError(f.diamond, "GroupDoesNotExist")
        .withArgs(master, og);
    });

    it("reverts GroupDoesNotExist for a group id never created", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, cid } = await actionInGroup(f);
      await expect(f.diamond.connect(f.payer).updateActionMetadata(master, cid, 999, "x", ""))
        .to.be.revertedWithCustomError(f.diamond, "GroupDoesNotExist")
        .withArgs(master, 999);
    });

    it("reverts GroupDoesNotExist for a removed group", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, cid, g } = await actionInGroup(f);
      await f.diamond.connect(f.payer).removeGroup(master, g);
      await expect(f.diamond.connect(f.payer).updateActionMetadata(master, cid, g, "x", ""))
        .to.be.revertedWithCustomError(f.diamond, "GroupDoesNotExist")
        .withArgs(master, g);
    });

    it("reverts ActionDoesNotExist(hash, groupId, cid) when the group does not list the action", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, cid, empty } = await actionInGroup(f);
      await expect(f.diamond.connect(f.payer).updateActionMetadata(master, cid, empty, "x", ""))
        .to.be.revertedWithCustomError(f.diamond, "ActionDoesNotExist")
        .withArgs(master, empty, cid);
    });

    it("reverts ActionDoesNotExist(hash, 0, cid) for an unregistered action", async () => {
      const f = await loadFixture(deployDiamond);
      const { master } = await actionInGroup(f);
      const cid = hashText("QmUnregistered");
      await expect(f.diamond.connect(f.payer).updateActionMetadata(master, cid, 0, "x", ""))
        .to.be.revertedWithCustomError(f.diamond, "ActionDoesNotExist")
        .withArgs(master, 0, cid);
    });

    it("reverts ActionDoesNotExist(hash, groupId, cid) for an unregistered action with a group", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, g } = await actionInGroup(f);
      const cid = hashText("QmUnregistered");
      await expect(f.diamond.connect(f.payer).updateActionMetadata(master, cid, g, "x", ""))
        .to.be.revertedWithCustomError(f.diamond, "ActionDoesNotExist")
        .withArgs(master, g, cid);
    });

    it("reverts ActionDoesNotExist for an action that was removed", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, cid } = await actionInGroup(f);
      await f.diamond.connect(f.payer).removeAction(master, cid);
      await expect(f.diamond.connect(f.payer).updateActionMetadata(master, cid, 0, "x", ""))
        .to.be.revertedWithCustomError(f.diamond, "ActionDoesNotExist")
        .withArgs(master, 0, cid);
    });

    it("reverts InvalidRequest when the name is longer than 128 bytes", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, cid } = await actionInGroup(f);
      await expect(f.diamond.connect(f.payer).updateActionMetadata(master, cid, 0, "n".repeat(129), ""))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("name: longer than 128 bytes");
    });

    it("reverts NotMasterAccount when a usage key updates action metadata", async () => {
      const f = await loadFixture(deployDiamond);
      const { master, key } = await accountWithUsageKey(f);
      const cid = hashText("QmKeep");
      await f.diamond.connect(f.payer).addAction(master, "n", "", cid);
      await expect(f.diamond.connect(f.payer).updateActionMetadata(key, cid, 0, "x", ""))
        .to.be.revertedWithCustomError(f.diamond, "NotMasterAccount")
        .withArgs(key);
    });
  });

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
      const { master, key } = await accountWithUsageKey(f);
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

  describe("pkpCount and allPkpIdsAt", () => {
    it("starts at zero", async () => {
      const f = await loadFixture(deployDiamond);
      expect(await f.diamond.pkpCount()).to.equal(0n);
    });

    it("counts and lists wallets of all accounts in registration order", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const b = await createChainSecuredAccount(f, f.users[0]);
      const w1 = await registerWallet(f, f.payer, a);
      const w2 = await registerWallet(f, f.users[0], b);
      const w3 = await registerWallet(f, f.payer, a);
      expect(await f.diamond.pkpCount()).to.equal(3n);
      expect(await f.diamond.allPkpIdsAt(0)).to.equal(w1);
      expect(await f.diamond.allPkpIdsAt(1)).to.equal(w2);
      expect(await f.diamond.allPkpIdsAt(2)).to.equal(w3);
    });

    it("does not count a rejected registration", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const pkp = await registerWallet(f, f.payer, master);
      await expect(f.diamond.connect(f.payer).registerWalletDerivation(master, pkp, 123456789, "w", "")).to.be
        .reverted;
      expect(await f.diamond.pkpCount()).to.equal(1n);
    });

    it("reverts InvalidRequest for an index equal to pkpCount", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      await registerWallet(f, f.payer, master);
      await expect(f.diamond.allPkpIdsAt(1))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("index: out of range");
    });

    it("reverts InvalidRequest for index 0 when no wallet exists", async () => {
      const f = await loadFixture(deployDiamond);
      await expect(f.diamond.allPkpIdsAt(0))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("index: out of range");
    });
  });

  describe("listPkps", () => {
    it("returns (id = derivation, pkpId, name, description) for each wallet", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const p1 = randomAddress();
      const p2 = randomAddress();
      await f.diamond.connect(f.payer).registerWalletDerivation(master, p1, 111, "first", "d1");
      await f.diamond.connect(f.payer).registerWalletDerivation(master, p2, 222, "second", "d2");
      const list = await f.diamond.listPkps(master, 0, 10);
      expect(list.map((w) => [w.id, w.pkpId, w.name, w.description])).to.deep.equal([
        [111n, p1, "first", "d1"],
        [222n, p2, "second", "d2"],
      ]);
    });

    it("lists only the account's own wallets", async () => {
      const f = await loadFixture(deployDiamond);
      const a = await createManagedAccount(f);
      const b = await createManagedAccount(f);
      const wa = await registerWallet(f, f.payer, a);
      await registerWallet(f, f.payer, b);
      const list = await f.diamond.listPkps(a, 0, 10);
      expect(list.map((w) => w.pkpId)).to.deep.equal([wa]);
    });

    it("pages with (pageNumber, pageSize) and returns [] past the end", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      const w1 = await registerWallet(f, f.payer, master);
      const w2 = await registerWallet(f, f.payer, master);
      const w3 = await registerWallet(f, f.payer, master);
      expect((await f.diamond.listPkps(master, 0, 2)).map((w) => w.pkpId)).to.deep.equal([w1, w2]);
      expect((await f.diamond.listPkps(master, 1, 2)).map((w) => w.pkpId)).to.deep.equal([w3]);
      expect(await f.diamond.listPkps(master, 2, 2)).to.have.length(0);
    });

    it("returns [] for an account without wallets", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      expect(await f.diamond.listPkps(master, 0, 10)).to.have.length(0);
    });

    it("reverts InvalidRequest for pageSize 0", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      await expect(f.diamond.listPkps(master, 0, 0))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("pageSize: must be between 1 and 100");
    });

    it("reverts InvalidRequest for pageSize 101", async () => {
      const f = await loadFixture(deployDiamond);
      const master = await createManagedAccount(f);
      await expect(f.diamond.listPkps(master, 0, 101))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("pageSize: must be between 1 and 100");
    });

    it("reverts AccountDoesNotExist for an unknown account hash", async () => {
      const f = await loadFixture(deployDiamond);
      const unknown = hashText("nobody");
      await expect(f.diamond.listPkps(unknown, 0, 10))
        .to.be.revertedWithCustomError(f.diamond, "AccountDoesNotExist")
        .withArgs(unknown);
    });
  });
});
