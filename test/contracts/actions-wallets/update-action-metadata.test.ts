/**
 * Actions: updateActionMetadata.
 * Rules: docs/contracts.md "Wallets (PKPs)" / "Groups and actions";
 * choices: docs/contract-behaviour.md "Actions and wallets".
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond, type DiamondFixture } from "../../fixtures/diamond";
import { accountWithAllRightsKey, createManagedAccount, groupIdFrom, hashText } from "../../fixtures/support";

describe("Actions and wallets", () => {
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
      const { master, key } = await accountWithAllRightsKey(f);
      const cid = hashText("QmKeep");
      await f.diamond.connect(f.payer).addAction(master, "n", "", cid);
      await expect(f.diamond.connect(f.payer).updateActionMetadata(key, cid, 0, "x", ""))
        .to.be.revertedWithCustomError(f.diamond, "NotMasterAccount")
        .withArgs(key);
    });
  });
});
