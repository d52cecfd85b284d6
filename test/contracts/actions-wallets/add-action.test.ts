/**
 * Actions: addAction.
 * Rules: docs/contracts.md "Wallets (PKPs)" / "Groups and actions";
 * choices: docs/contract-behaviour.md "Actions and wallets".
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond } from "../../fixtures/diamond";
import { accountWithAllRightsKey, aliasOf, createManagedAccount, hashText } from "../../fixtures/support";

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
      const { key } = await accountWithAllRightsKey(f);
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
});
