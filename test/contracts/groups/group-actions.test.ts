/**
 * Groups: the action list edits addActionToGroup and removeActionFromGroup, with their
 * permissions, wildcards and limits.
 * Rules: docs/contracts.md "Who may write" / "Groups and actions";
 * choices: docs/contract-behaviour.md "Who may write" / "Groups".
 */
import { expect } from "chai";
import { addGroup, addUsageKey, createManagedAccount, freshManagedAccount } from "../../fixtures/support";
import { cidOf, cids, contents } from "./support";

describe("Groups", () => {
  describe("addActionToGroup", () => {
    it("adds the cid, emits ActionAddedToGroup and registers it to the account (ActionAdded)", async () => {
      const { f, api, master } = await freshManagedAccount();
      const id = await addGroup(f, master);
      const a = cidOf("a");
      await expect(api.addActionToGroup(master, id, a))
        .to.emit(f.diamond, "ActionAddedToGroup")
        .withArgs(master, id, a)
        .and.to.emit(f.diamond, "ActionAdded")
        .withArgs(master, a);
      expect((await contents(f, master, id)).cids).to.deep.equal([a]);
      expect((await f.diamond.listActions(master, 0, 10)).map((x) => x.id)).to.deep.equal([a]);
    });

    it("is idempotent: adding a listed cid again emits nothing and keeps one entry", async () => {
      const { f, api, master } = await freshManagedAccount();
      const a = cidOf("a");
      const id = await addGroup(f, master, [a]);
      await expect(api.addActionToGroup(master, id, a))
        .not.to.emit(f.diamond, "ActionAddedToGroup")
        .and.not.to.emit(f.diamond, "ActionAdded");
      expect((await contents(f, master, id)).cids).to.deep.equal([a]);
    });

    it("adds the cid wildcard 0", async () => {
      const { f, api, master } = await freshManagedAccount();
      const id = await addGroup(f, master);
      await expect(api.addActionToGroup(master, id, 0)).to.emit(f.diamond, "ActionAddedToGroup").withArgs(master, id, 0n);
      expect((await contents(f, master, id)).cids).to.deep.equal([0n]);
    });

    it("lets a usage key with the group id in manageIPFSIdsInGroups add; the event carries the master hash", async () => {
      const { f, api, master } = await freshManagedAccount();
      const id = await addGroup(f, master);
      const key = await addUsageKey(f, master, { manageIPFSIdsInGroups: [id] });
      const a = cidOf("a");
      await api.addAction(master, "a", "", a); // a usage key adds registered actions only
      await expect(api.addActionToGroup(key, id, a)).to.emit(f.diamond, "ActionAddedToGroup").withArgs(master, id, a);
    });

    it("lets a usage key with [0] in manageIPFSIdsInGroups add to any group, including one created later", async () => {
      const { f, api, master } = await freshManagedAccount();
      const key = await addUsageKey(f, master, { manageIPFSIdsInGroups: [0] });
      const later = await addGroup(f, master);
      const a = cidOf("a");
      await api.addAction(master, "a", "", a);
      await expect(api.addActionToGroup(key, later, a)).to.emit(f.diamond, "ActionAddedToGroup").withArgs(master, later, a);
    });

    it("rejects a usage key whose manageIPFSIdsInGroups lacks the group with NotAllowedToManageIPFSIdsInGroup(key, id)", async () => {
      const { f, api, master } = await freshManagedAccount();
      const allowed = await addGroup(f, master);
      const target = await addGroup(f, master);
      const key = await addUsageKey(f, master, { manageIPFSIdsInGroups: [allowed] });
      await expect(api.addActionToGroup(key, target, cidOf("a")))
        .to.be.revertedWithCustomError(f.diamond, "NotAllowedToManageIPFSIdsInGroup")
        .withArgs(key, target);
    });

    it("is not granted by the other group permissions (add/remove pkp, execute)", async () => {
      const { f, api, master } = await freshManagedAccount();
      const id = await addGroup(f, master);
      const key = await addUsageKey(f, master, {
        createGroups: true,
        addPkpToGroups: [id],
        removePkpFromGroups: [0],
        executeInGroups: [0],
      });
      await expect(api.addActionToGroup(key, id, cidOf("a")))
        .to.be.revertedWithCustomError(f.diamond, "NotAllowedToManageIPFSIdsInGroup")
        .withArgs(key, id);
    });

    it("checks the group before the permission: another account's group is GroupDoesNotExist even for [0]", async () => {
      const { f, api, master } = await freshManagedAccount();
      const other = await createManagedAccount(f, "bob");
      const theirs = await addGroup(f, other);
      const key = await addUsageKey(f, master, { manageIPFSIdsInGroups: [0] });
      await expect(api.addActionToGroup(key, theirs, cidOf("a")))
        .to.be.revertedWithCustomError(f.diamond, "GroupDoesNotExist")
        .withArgs(key, theirs);
      const noRights = await addUsageKey(f, master, {});
      await expect(api.addActionToGroup(noRights, 77, cidOf("a")))
        .to.be.revertedWithCustomError(f.diamond, "GroupDoesNotExist")
        .withArgs(noRights, 77n);
    });

    it("holds at most 100 entries per group: the 101st reverts \"group cidHashes: more than 100 entries\"", async () => {
      const { f, api, master } = await freshManagedAccount();
      const id = await addGroup(f, master);
      const many = cids(101, "cap");
      for (let i = 0; i < 100; i++) await api.addActionToGroup(master, id, many[i]);
      expect((await contents(f, master, id)).cids.length).to.equal(100);
      await expect(api.addActionToGroup(master, id, many[100]))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("group cidHashes: more than 100 entries");
      expect((await f.diamond.getAccount(master)).actionCount).to.equal(100n);
    });

    it("puts one action in at most 100 groups: the 101st reverts \"groups of action: more than 100 entries\"", async () => {
      const { f, api, master } = await freshManagedAccount();
      const a = cidOf("popular");
      for (let i = 0; i < 100; i++) await api.addGroup(master, "g", "", [a], []);
      expect((await f.diamond.groupIdsForAction(master, a)).length).to.equal(100);
      await expect(api.addGroup(master, "g", "", [a], []))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("groups of action: more than 100 entries");
      const extra = await addGroup(f, master);
      await expect(api.addActionToGroup(master, extra, a))
        .to.be.revertedWithCustomError(f.diamond, "InvalidRequest")
        .withArgs("groups of action: more than 100 entries");
    });
  });

  describe("removeActionFromGroup", () => {
    it("removes the cid, emits ActionRemovedFromGroup and keeps the action registered", async () => {
      const { f, api, master } = await freshManagedAccount();
      const [a, b] = cids(2);
      const id = await addGroup(f, master, [a, b]);
      await expect(api.removeActionFromGroup(master, id, a))
        .to.emit(f.diamond, "ActionRemovedFromGroup")
        .withArgs(master, id, a);
      expect((await contents(f, master, id)).cids).to.deep.equal([b]);
      expect((await f.diamond.listActions(master, 0, 10)).map((x) => x.id)).to.have.members([a, b]);
      expect(await f.diamond.groupIdsForAction(master, a)).to.deep.equal([]);
    });

    it("removes the cid wildcard 0", async () => {
      const { f, api, master } = await freshManagedAccount();
      const a = cidOf("a");
      const id = await addGroup(f, master, [a, 0n]);
      await expect(api.removeActionFromGroup(master, id, 0)).to.emit(f.diamond, "ActionRemovedFromGroup").withArgs(master, id, 0n);
      expect((await contents(f, master, id)).cids).to.deep.equal([a]);
    });

    it("rejects a cid the group does not list with ActionDoesNotExist(hash, id, cid)", async () => {
      const { f, api, master } = await freshManagedAccount();
      const [a, b] = cids(2);
      const id = await addGroup(f, master, [a]);
      await expect(api.removeActionFromGroup(master, id, b))
        .to.be.revertedWithCustomError(f.diamond, "ActionDoesNotExist")
        .withArgs(master, id, b);
    });

    it("rejects removing the same cid twice with ActionDoesNotExist", async () => {
      const { f, api, master } = await freshManagedAccount();
      const a = cidOf("a");
      const id = await addGroup(f, master, [a]);
      await api.removeActionFromGroup(master, id, a);
      await expect(api.removeActionFromGroup(master, id, a))
        .to.be.revertedWithCustomError(f.diamond, "ActionDoesNotExist")
        .withArgs(master, id, a);
    });

    it("lets a usage key with the group id in manageIPFSIdsInGroups remove", async () => {
      const { f, api, master } = await freshManagedAccount();
      const a = cidOf("a");
      const id = await addGroup(f, master, [a]);
      const key = await addUsageKey(f, master, { manageIPFSIdsInGroups: [id] });
      await expect(api.removeActionFromGroup(key, id, a)).to.emit(f.diamond, "ActionRemovedFromGroup").withArgs(master, id, a);
    });

    it("lets a usage key with [0] in manageIPFSIdsInGroups remove from any group", async () => {
      const { f, api, master } = await freshManagedAccount();
      const a = cidOf("a");
      const id = await addGroup(f, master, [a]);
      const key = await addUsageKey(f, master, { manageIPFSIdsInGroups: [0] });
      await expect(api.removeActionFromGroup(key, id, a)).to.emit(f.diamond, "ActionRemovedFromGroup").withArgs(master, id, a);
    });

    it("rejects a usage key without the group with NotAllowedToManageIPFSIdsInGroup(key, id)", async () => {
      const { f, api, master } = await freshManagedAccount();
      const a = cidOf("a");
      const other = await addGroup(f, master);
      const id = await addGroup(f, master, [a]);
      const key = await addUsageKey(f, master, { manageIPFSIdsInGroups: [other], executeInGroups: [id] });
      await expect(api.removeActionFromGroup(key, id, a))
        .to.be.revertedWithCustomError(f.diamond, "NotAllowedToManageIPFSIdsInGroup")
        .withArgs(key, id);
    });
  });
});
